package io.arrowshm.interop.suite;

import io.arrowshm.DType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The edge-case elements of special-values.txt (NaN payloads, signed zeros, infinities,
 * subnormals, float16 extremes, integer limits, bool bytes, complex parts), the table
 * pyshmem_peer.py reads too. Each element is kept as its little-endian bytes.
 */
final class SpecialValues {
    private static final Map<DType, List<byte[]>> TABLE = load();

    private SpecialValues() {
    }

    /** {@code count} elements of {@code dtype}: element i is table entry (i + seed) mod table size. */
    static byte[] bytes(DType dtype, long count, int seed) {
        List<byte[]> elements = TABLE.get(dtype);
        int width = dtype.itemSize();
        byte[] out = new byte[Math.toIntExact(count * width)];
        for (int i = 0; i < count; i++) {
            System.arraycopy(elements.get((i + seed) % elements.size()), 0, out, i * width, width);
        }
        return out;
    }

    private static Map<DType, List<byte[]>> load() {
        Map<DType, List<byte[]>> table = new EnumMap<>(DType.class);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                SpecialValues.class.getResourceAsStream("/special-values.txt"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                String[] words = line.replaceAll("#.*", "").trim().split("\\s+");
                if (!words[0].isEmpty()) {
                    DType dtype = DType.fromNumpyName(words[0]);
                    table.computeIfAbsent(dtype, d -> new ArrayList<>()).add(element(dtype, words));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (table.size() != DType.values().length) {
            throw new IllegalStateException("special-values.txt must list every dtype, has " + table.keySet());
        }
        return table;
    }

    /** One element from its hex words (one per part: two for complex), each stored little-endian. */
    private static byte[] element(DType dtype, String[] words) {
        int parts = words.length - 1;
        int width = dtype.itemSize() / parts;
        ByteBuffer out = ByteBuffer.allocate(dtype.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int part = 1; part <= parts; part++) {
            long bits = Long.parseUnsignedLong(words[part], 16);
            switch (width) {
                case 1: out.put((byte) bits); break;
                case 2: out.putShort((short) bits); break;
                case 4: out.putInt((int) bits); break;
                default: out.putLong(bits); break;
            }
        }
        return out.array();
    }
}

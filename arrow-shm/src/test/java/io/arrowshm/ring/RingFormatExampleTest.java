package io.arrowshm.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.internal.ring.RingDescriptor;
import io.arrowshm.internal.ring.RingGeometry;
import io.arrowshm.internal.ring.RingHeader;
import io.arrowshm.internal.ring.RingNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The worked example of docs/ring-format.md §11, byte for byte: the header bytes the document
 * quotes are what {@link RingHeader#encode} writes, so the document and the code cannot drift
 * apart unnoticed.
 */
class RingFormatExampleTest {
    private static final Path DOCUMENT = Path.of("..", "docs", "ring-format.md");

    static RingGeometry example() {
        byte[] instance = new byte[16];
        for (int i = 0; i < 16; i++) {
            instance[i] = (byte) i;
        }
        return new RingGeometry("frames", DType.FLOAT32, new long[] {2, 3}, 24, 4, 2, Overflow.BLOCK, 1234,
                1_700_000_000_000_000_000L, instance);
    }

    @Test
    void namesOfTheExample() {
        RingNames names = RingNames.of("frames");
        assertEquals("arrowshm_ring_e7d679448a726d", names.segment());
        assertEquals("arrowshm_ring_e7d679448a726d-000102030405060708090a0b0c0d0e0f.cursor-1.lock",
                names.cursorLock(example().instanceId(), 1).getFileName().toString());
        assertEquals("arrowshm_ring_e7d679448a726d-000102030405060708090a0b0c0d0e0f.writer.lock",
                names.writerLock(example().instanceId()).getFileName().toString());
    }

    @Test
    void layoutOfTheExample() {
        RingGeometry g = example();
        assertEquals(4096, RingDescriptor.CURSOR_TABLE_OFFSET);
        assertEquals(4352, g.slotTableOffset());
        assertEquals(65536, g.dataOffset());
        assertEquals(65632, g.segmentSize());
    }

    @Test
    void theDocumentsHeaderBytesAreWhatTheEncoderWrites() throws IOException {
        byte[] header = RingHeader.encode(example());
        String document = Files.readString(DOCUMENT, StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("the header's first 128 bytes:\\s*```\\n(.*?)```", Pattern.DOTALL).matcher(document);
        block.find();
        StringBuilder hex = new StringBuilder();
        for (String line : block.group(1).split("\n")) {
            // Each line: 16 bytes as two groups of 8, then a comment after at least two spaces.
            String bytes = line.trim().split(" {3,}")[0];
            hex.append(bytes.replace(" ", ""));
        }
        assertEquals(HexFormat.of().formatHex(header, 0, 128), hex.toString());
        int crc = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(RingDescriptor.HEADER_CRC_OFFSET);
        assertEquals(0xB59F1C51, crc);
        String crcText = String.format("`0x%08X`", crc);
        assertEquals(true, document.contains(crcText), "the document quotes " + crcText);
        assertEquals(3, ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong(128), "shape[1] at 128");
        assertArrayEquals("frames".getBytes(StandardCharsets.UTF_8),
                java.util.Arrays.copyOfRange(header, RingDescriptor.NAME_OFFSET, RingDescriptor.NAME_OFFSET + 6));
    }

    @Test
    void theExampleValidates() {
        byte[] header = RingHeader.encode(example());
        RingGeometry decoded = RingHeader.validate("frames", header, 65632, "frames");
        assertEquals(24, decoded.slotSize());
        assertEquals(4, decoded.capacity());
        assertEquals(2, decoded.maxCursors());
        assertArrayEquals(new long[] {2, 3}, decoded.shape());
    }
}

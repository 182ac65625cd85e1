package io.arrowshm.reliability;

import io.arrowshm.internal.format.Metadata;
import io.arrowshm.internal.format.MetadataLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded hostile variants of a valid metadata segment: bit flips anywhere, random bytes in
 * one field, random blocks, truncation, a valid header for another name, wrong CRC, and
 * field values (some with a recomputed CRC, so that the deeper checks are reached) such as
 * shapes whose product overflows 64 bits.
 */
final class HeaderMutator {
    /** One hostile case: the bytes and the segment length the reader sees. */
    record Case(String kind, byte[] bytes, long length) {
    }

    private static final int[] FIELD_OFFSETS = {0, 8, 10, 12, 16, 18, 20, 24, 32, 40, 48, 56, 64, 72, 76, 92, 96, 104};

    private final Random random;

    HeaderMutator(long seed) {
        this.random = new Random(seed);
    }

    Case mutate(byte[] valid) {
        byte[] bytes = valid.clone();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        boolean v3 = Arrays.equals(bytes, 0, 8, MetadataLayout.MAGIC, 0, 8);
        switch (random.nextInt(10)) {
            case 0: {
                int bit = random.nextInt(bytes.length * 8);
                bytes[bit / 8] ^= (byte) (1 << (bit % 8));
                return new Case("bit flip at byte " + bit / 8, bytes, bytes.length);
            }
            case 1: {
                int field = FIELD_OFFSETS[random.nextInt(FIELD_OFFSETS.length)];
                for (int i = 0; i < 1 + random.nextInt(8); i++) {
                    bytes[Math.min(bytes.length - 1, field + i)] = (byte) random.nextInt(256);
                }
                return new Case("random bytes in field at " + field, bytes, bytes.length);
            }
            case 2: {
                int start = random.nextInt(bytes.length);
                int end = Math.min(bytes.length, start + 1 + random.nextInt(64));
                for (int i = start; i < end; i++) {
                    bytes[i] = (byte) random.nextInt(256);
                }
                return new Case("random block [" + start + ", " + end + ")", bytes, bytes.length);
            }
            case 3:
                return new Case("truncated", bytes, random.nextInt(bytes.length));
            case 4: {
                byte[] junk = new byte[bytes.length];
                random.nextBytes(junk);
                if (random.nextBoolean()) {
                    System.arraycopy(MetadataLayout.MAGIC, 0, junk, 0, 8); // junk behind a valid magic
                    junk[8] = 3;
                    junk[9] = 0;
                    junk[10] = 0;
                    junk[11] = 1;
                }
                return new Case("random segment", junk, junk.length);
            }
            case 5: {
                Arrays.fill(bytes, MetadataLayout.NAME_REGION_OFFSET, bytes.length, (byte) 0);
                byte[] other = ("other-" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(other, 0, bytes, MetadataLayout.NAME_REGION_OFFSET, other.length);
                return recrc(v3, "another name's region", bytes, b);
            }
            case 6:
                b.putInt(MetadataLayout.HEADER_CRC_OFFSET, random.nextInt());
                return new Case("wrong crc", bytes, bytes.length);
            case 7: {
                if (v3) {
                    int ndim = b.getShort(MetadataLayout.NDIM_OFFSET);
                    for (int i = 0; i < Math.max(1, Math.min(ndim, 19)); i++) {
                        b.putLong(MetadataLayout.SHAPE_OFFSET + 8 * i, random.nextBoolean() ? -1L : random.nextLong());
                    }
                } else {
                    b.putDouble(MetadataLayout.v2Offset(MetadataLayout.V2_SHAPE), 1e300);
                }
                return recrc(v3, "shape product overflowing 64 bits", bytes, b);
            }
            case 8: {
                int field = FIELD_OFFSETS[random.nextInt(FIELD_OFFSETS.length)];
                long value = switch (random.nextInt(5)) {
                    case 0 -> 0;
                    case 1 -> -1;
                    case 2 -> 1;
                    case 3 -> 20;
                    default -> random.nextLong();
                };
                int width = field < 16 ? 2 : (field == 12 || field == 20 || field == 72 || field == 92) ? 4 : 8;
                for (int i = 0; i < width && field + i < bytes.length; i++) {
                    bytes[field + i] = (byte) (value >>> (8 * i));
                }
                return recrc(v3, "value " + value + " at " + field + " with a valid crc", bytes, b);
            }
            default: {
                if (!v3) {
                    int slot = random.nextInt(32);
                    double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, -1, 0.5, 2, 1e20, -0.0};
                    b.putDouble(MetadataLayout.v2Offset(slot), odd[random.nextInt(odd.length)]);
                    return new Case("v2 slot " + slot, bytes, bytes.length);
                }
                b.putInt(MetadataLayout.FLAGS_OFFSET, b.getInt(MetadataLayout.FLAGS_OFFSET) ^ (1 << random.nextInt(32)));
                return recrc(true, "flag flip with a valid crc", bytes, b);
            }
        }
    }

    private static Case recrc(boolean v3, String kind, byte[] bytes, ByteBuffer b) {
        if (v3 && bytes.length >= MetadataLayout.TOTAL_LENGTH) {
            b.putInt(MetadataLayout.HEADER_CRC_OFFSET, Metadata.crc(bytes));
        }
        return new Case(kind, bytes, bytes.length);
    }
}

package io.arrowshm.internal.format;

import static io.arrowshm.internal.format.MetadataLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.InvalidMetadataException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class MetadataTest {
    private static final byte[] ID = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

    /** The spec's §2.8 vector; the real pyshmem 1.4.0 computes the same CRC and bytes. */
    @Test
    void specWorkedExample() {
        byte[] header = Metadata.encode("frames", DType.FLOAT32, new long[] {2, 3}, 24, FLAG_CPU_MIRROR, -1, 1234, ID);
        assertEquals(0xA2BDA762, ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(HEADER_CRC_OFFSET));
        // Printed by pyshmem 1.4.0's own _MetadataView and _header_crc for the same fields.
        assertEquals("505953484d454d00030000010e00000009000200ffffffffd204000000000000"
                        + "1800000000000000" + "0".repeat(72) + "000102030405060708090a0b0c0d0e0f62a7bda2"
                        + "0000000000000000" + "0200000000000000",
                HexFormat.of().formatHex(header, 0, 112));
        assertEquals(3, ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong(112));
        assertEquals("frames", new String(header, 256, 6, java.nio.charset.StandardCharsets.UTF_8));
        for (int i = 262; i < 512; i++) {
            assertEquals(0, header[i]);
        }
        assertEquals(TOTAL_LENGTH, header.length);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyFieldRoundTrips(DType dtype) {
        long[] shape = {4, 1, 3};
        long size = 12L * dtype.itemSize();
        byte[] header = Metadata.encode("round-trip", dtype, shape, size, FLAG_CPU_MIRROR | FLAG_NOTIFY, -1, 4321, ID);
        StreamDescriptor d = Metadata.validate("round-trip", header, header.length);
        assertEquals(3, d.version());
        assertEquals(dtype, d.dtype());
        assertArrayEquals(shape, d.shape());
        assertEquals(size, d.size());
        assertEquals(0x1E, d.flags());
        assertTrue(d.notifyFlag());
        assertTrue(d.cpuMirror());
        assertEquals(false, d.gpuEnabled());
        assertEquals(-1, d.deviceIndex());
        assertEquals(4321, d.creatorPid());
        assertArrayEquals(ID, d.instanceId());
        assertEquals("round-trip", Metadata.storedName(header, header.length));
    }

    @Test
    void rank19IsTheMaximum() {
        long[] shape = new long[19];
        java.util.Arrays.fill(shape, 1);
        byte[] header = Metadata.encode("r19", DType.UINT8, shape, 1, FLAG_CPU_MIRROR, -1, 1, ID);
        assertEquals(19, Metadata.validate("r19", header, header.length).shape().length);
    }

    @Test
    void mutableFieldsAreOutsideTheCrc() {
        byte[] header = valid();
        ByteBuffer b = le(header);
        b.putLong(COUNT_OFFSET, 99).putLong(WRITE_SEQUENCE_OFFSET, 198).putDouble(WRITE_TIME_OFFSET, 1.7e9)
                .putLong(LOCK_OWNER_PID_OFFSET, 77).putInt(LOCK_DEPTH_OFFSET, 2).putLong(FRAME_ID_OFFSET, -1);
        Metadata.validate("frames", header, header.length);
    }

    static Stream<Arguments> layoutFailures() {
        return Stream.of(
                Arguments.of("short segment", 200L, (Consumer<ByteBuffer>) b -> { },
                        "metadata segment is too small: expected at least 256 bytes, got 200"),
                Arguments.of("version 4", 512L, (Consumer<ByteBuffer>) b -> b.putShort(VERSION_OFFSET, (short) 4),
                        "unsupported pyshmem metadata version: 4"),
                Arguments.of("header size", 512L, (Consumer<ByteBuffer>) b -> b.putShort(HEADER_SIZE_OFFSET, (short) 255),
                        "invalid pyshmem metadata header size"),
                Arguments.of("no magic", 512L, (Consumer<ByteBuffer>) b -> b.put(0, new byte[8]),
                        "unsupported pyshmem metadata version: 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layoutFailures")
    void layoutFailuresAreReportedAsUnsupportedBlocks(String label, long length, Consumer<ByteBuffer> mutation,
                                                      String detail) {
        byte[] header = valid();
        mutation.accept(le(header));
        InvalidMetadataException e = assertThrows(InvalidMetadataException.class,
                () -> Metadata.validate("frames", header, length));
        assertEquals("layout", e.field());
        assertTrue(e.getMessage().startsWith("'frames' does not contain a supported pyshmem metadata block (" + detail
                + ")"), e.getMessage());
    }

    static Stream<Arguments> fieldFailures() {
        return Stream.of(
                failure("v3 segment under 512", "segment length", b -> { }, 300,
                        "metadata segment too small: expected at least 512, got 300"),
                failure("unknown flag", "flags", b -> b.putInt(FLAGS_OFFSET, 0x2E), 512,
                        "unsupported metadata flags: 0x2e"),
                failure("zero instance id", "instance_id", b -> b.put(INSTANCE_ID_OFFSET, new byte[16]), 512,
                        "instance_id metadata cannot be zero"),
                failure("id without flag", "instance_id", b -> b.putInt(FLAGS_OFFSET, 0x0A), 512,
                        "instance_id requires its metadata feature flag"),
                failure("no stored name", "name", b -> b.put(NAME_REGION_OFFSET, new byte[256]), 512,
                        "version 3 metadata does not contain a stream name"),
                failure("undecodable name", "name", b -> b.put(NAME_REGION_OFFSET, (byte) 0xFF), 512,
                        "version 3 metadata does not contain a stream name"),
                failure("other name", "name", b -> b.put(NAME_REGION_OFFSET, (byte) 'g'), 512,
                        "metadata name mismatch: expected 'frames', found 'grames'"),
                failure("dtype 14", "dtype_code", b -> b.putShort(DTYPE_OFFSET, (short) 14), 512,
                        "invalid dtype code in metadata: 14"),
                failure("ndim 0", "ndim", b -> b.putShort(NDIM_OFFSET, (short) 0), 512, "invalid ndim in metadata: 0"),
                failure("ndim 20", "ndim", b -> b.putShort(NDIM_OFFSET, (short) 20), 512, "invalid ndim in metadata: 20"),
                failure("zero dim", "shape", b -> b.putLong(SHAPE_OFFSET + 8, 0), 512, "invalid shape in metadata: (2, 0)"),
                failure("unused dim", "shape", b -> b.putLong(SHAPE_OFFSET + 16, 5), 512,
                        "unused shape entries in metadata must be zero"),
                failure("size", "size", b -> b.putLong(SIZE_OFFSET, 25), 512,
                        "metadata size does not match shape and dtype: expected 24, got 25"),
                failure("size overflowing 64 bits", "size",
                        b -> b.putLong(SHAPE_OFFSET, Long.MIN_VALUE).putLong(SHAPE_OFFSET + 8, Long.MIN_VALUE), 512,
                        "metadata size does not match shape and dtype: expected "
                                + "340282366920938463463374607431768211456, got 24"),
                failure("dim not exact in float64", "shape[0]", b -> b.putLong(SHAPE_OFFSET, -1L), 512,
                        "invalid shape[0] in metadata: np.uint64(18446744073709551615)"),
                failure("creator pid not exact in float64", "creator_pid", b -> b.putLong(CREATOR_PID_OFFSET, (1L << 53) + 1),
                        512, "invalid creator_pid in metadata: array(9007199254740993)"),
                failure("gpu without device", "device_index", b -> b.putInt(FLAGS_OFFSET, 0x0F), 512,
                        "GPU metadata requires a non-negative device index"),
                failure("cpu with device", "device_index", b -> b.putInt(DEVICE_INDEX_OFFSET, 0), 512,
                        "CPU metadata requires device_index=-1"),
                failure("no payload", "cpu_mirror", b -> b.putInt(FLAGS_OFFSET, 0x0C), 512,
                        "CPU metadata requires its shared payload"),
                failure("creator pid 0", "creator_pid", b -> b.putLong(CREATOR_PID_OFFSET, 0), 512,
                        "invalid creator_pid in metadata: 0"),
                failure("write time nan", "write_time", b -> b.putDouble(WRITE_TIME_OFFSET, Double.NaN), 512,
                        "invalid write_time in metadata: nan"),
                failure("write time negative", "write_time", b -> b.putDouble(WRITE_TIME_OFFSET, -1), 512,
                        "invalid write_time in metadata: -1.0"),
                failure("negative owner", "lock_owner_pid", b -> b.putLong(LOCK_OWNER_PID_OFFSET, -5).putInt(LOCK_DEPTH_OFFSET, 1),
                        512, "lock metadata cannot be negative"),
                failure("owner without depth", "lock_depth", b -> b.putLong(LOCK_OWNER_PID_OFFSET, 5), 512,
                        "lock owner and depth metadata are inconsistent"),
                failure("depth without owner", "lock_depth", b -> b.putInt(LOCK_DEPTH_OFFSET, 1), 512,
                        "lock owner and depth metadata are inconsistent"),
                failure("crc mismatch", "header_crc", b -> b.putLong(CREATOR_PID_OFFSET, 1235), 512,
                        "metadata header checksum mismatch"),
                failure("crc of the name region", "header_crc", b -> b.put(NAME_REGION_OFFSET + 100, (byte) 1), 512,
                        "metadata header checksum mismatch"),
                failure("crc without flag", "header_crc", b -> b.putInt(FLAGS_OFFSET, 0x06), 512,
                        "header_crc requires its metadata feature flag"));
    }

    private static Arguments failure(String label, String field, Consumer<ByteBuffer> mutation, long length,
                                     String detail) {
        return Arguments.of(label, field, mutation, length, detail);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fieldFailures")
    void everyFieldValidationFailsWithPyshmemsMessage(String label, String field, Consumer<ByteBuffer> mutation,
                                                      long length, String detail) {
        byte[] header = valid();
        mutation.accept(le(header));
        InvalidMetadataException e = assertThrows(InvalidMetadataException.class,
                () -> Metadata.validate("frames", header, length));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith("stream 'frames': " + detail + ";"), e.getMessage());
        assertTrue(e.getMessage().contains("SharedMemory.unlink(\"frames\")"), "says what to do: " + e.getMessage());
    }

    @Test
    void earlyV3WithoutIdOrCrcIsAccepted() {
        byte[] header = valid();
        ByteBuffer b = le(header);
        b.putInt(FLAGS_OFFSET, FLAG_CPU_MIRROR).put(INSTANCE_ID_OFFSET, new byte[16]).putInt(HEADER_CRC_OFFSET, 0);
        assertNull(Metadata.validate("frames", header, 512).instanceId());
    }

    // ---- legacy v2 (float64[32]) ----

    static byte[] v2(int nameRegion) {
        byte[] header = new byte[256 + nameRegion];
        ByteBuffer b = le(header);
        double[] slots = new double[32];
        slots[0] = 2;
        slots[V2_COUNT] = 5;
        slots[V2_DTYPE] = 10;
        slots[V2_NDIM] = 2;
        slots[V2_SIZE] = 48;
        slots[V2_DEVICE_INDEX] = -1;
        slots[V2_CREATOR_PID] = 99;
        slots[V2_WRITE_SEQUENCE] = 10;
        slots[V2_CPU_MIRROR] = 1;
        slots[V2_SHAPE] = 2;
        slots[V2_SHAPE + 1] = 3;
        for (int i = 0; i < 32; i++) {
            b.putDouble(8 * i, slots[i]);
        }
        if (nameRegion > 0) {
            b.put(256, "legacy".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return header;
    }

    @Test
    void legacyV2DecodesWithAndWithoutANameRegion() {
        for (int region : new int[] {0, 256}) {
            byte[] header = v2(region);
            StreamDescriptor d = Metadata.validate("legacy", header, header.length);
            assertEquals(2, d.version());
            assertEquals(DType.FLOAT64, d.dtype());
            assertArrayEquals(new long[] {2, 3}, d.shape());
            assertEquals(48, d.size());
            assertEquals(99, d.creatorPid());
            assertNull(d.instanceId());
        }
    }

    @Test
    void legacyV2FailuresNeedIntegralFloatsAndBooleans() {
        byte[] fractional = v2(256);
        le(fractional).putDouble(8 * V2_NDIM, 2.5);
        assertEquals("ndim", assertThrows(InvalidMetadataException.class,
                () -> Metadata.validate("legacy", fractional, 512)).field());
        byte[] bool = v2(256);
        le(bool).putDouble(8 * V2_CPU_MIRROR, 2);
        InvalidMetadataException e = assertThrows(InvalidMetadataException.class,
                () -> Metadata.validate("legacy", bool, 512));
        assertTrue(e.getMessage().contains("metadata boolean fields must be zero or one"));
        byte[] count = v2(256);
        le(count).putDouble(8 * V2_COUNT, -1);
        assertTrue(assertThrows(InvalidMetadataException.class, () -> Metadata.validate("legacy", count, 512))
                .getMessage().contains("invalid count in metadata: -1"));
        byte[] dtype = v2(256);
        le(dtype).putDouble(8 * V2_DTYPE, 9.5);
        assertEquals("dtype_code", assertThrows(InvalidMetadataException.class,
                () -> Metadata.validate("legacy", dtype, 512)).field());
        byte[] named = v2(256);
        assertEquals("name", assertThrows(InvalidMetadataException.class,
                () -> Metadata.validate("other", named, 512)).field());
    }

    private static byte[] valid() {
        return Metadata.encode("frames", DType.FLOAT32, new long[] {2, 3}, 24, FLAG_CPU_MIRROR, -1, 1234, ID);
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}

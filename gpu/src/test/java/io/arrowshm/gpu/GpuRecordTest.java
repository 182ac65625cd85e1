package io.arrowshm.gpu;

import static io.arrowshm.gpu.GpuRecordLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GpuRecordTest {
    private static final long MIB2 = 2L * 1024 * 1024;
    private static final byte[] HANDLE = new byte[64];

    static {
        for (int i = 0; i < HANDLE.length; i++) {
            HANDLE[i] = (byte) (0xA0 + i);
        }
    }

    private static GpuRecord sample() {
        return GpuRecord.forPayload(1, DType.FLOAT32, new long[] {480, 640, 3}, HANDLE, 4321);
    }

    /** The encoding of {@link #sample()} after {@code edit}, with its CRC recomputed so only the edit is wrong. */
    private static byte[] resigned(Consumer<ByteBuffer> edit) {
        ByteBuffer b = ByteBuffer.wrap(sample().encode()).order(ByteOrder.LITTLE_ENDIAN);
        edit.accept(b);
        b.putInt(CRC_OFFSET, 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, RECORD_LENGTH);
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        return b.array();
    }

    private static InvalidGpuHandleException refused(byte[] bytes) {
        return assertThrows(InvalidGpuHandleException.class, () -> GpuRecord.decode(ByteBuffer.wrap(bytes)));
    }

    @Test
    void roundTrips() {
        GpuRecord record = sample();
        byte[] bytes = record.encode();

        assertEquals(RECORD_LENGTH, bytes.length);
        assertEquals(272, RECORD_LENGTH);
        assertEquals(record, GpuRecord.decode(ByteBuffer.wrap(bytes)));
    }

    @Test
    void writesEachFieldWhereTheLayoutSays() {
        ByteBuffer b = ByteBuffer.wrap(sample().encode()).order(ByteOrder.LITTLE_ENDIAN);

        assertArrayEquals("ASHMGPU\0".getBytes(), Arrays.copyOf(b.array(), 8));
        assertEquals(1, b.getShort(VERSION_OFFSET));
        assertEquals(DType.FLOAT32.code(), b.getShort(DTYPE_OFFSET));
        assertEquals(1, b.getInt(DEVICE_OFFSET));
        assertEquals(2 * MIB2, b.getLong(ALLOCATION_SIZE_OFFSET)); // 3_686_400 bytes round up to 4 MiB
        assertEquals(0, b.getLong(PAYLOAD_OFFSET_OFFSET));
        assertEquals(480L * 640 * 3 * 4, b.getLong(PAYLOAD_SIZE_OFFSET));
        assertEquals(4321, b.getLong(CREATOR_PID_OFFSET));
        assertEquals(3, b.getShort(NDIM_OFFSET));
        assertEquals(272, b.getShort(RECORD_LENGTH_OFFSET));
        assertEquals(480, b.getLong(SHAPE_OFFSET));
        assertEquals(640, b.getLong(SHAPE_OFFSET + 8));
        assertEquals(3, b.getLong(SHAPE_OFFSET + 16));
        assertEquals(0, b.getLong(SHAPE_OFFSET + 24));
        assertEquals(208, IPC_HANDLE_OFFSET);
        assertArrayEquals(HANDLE, Arrays.copyOfRange(b.array(), IPC_HANDLE_OFFSET, RECORD_LENGTH));
    }

    @Test
    void roundsAllocationsUpTo2MiB() {
        assertEquals(MIB2, GpuRecord.allocationSizeFor(1));
        assertEquals(MIB2, GpuRecord.allocationSizeFor(MIB2));
        assertEquals(2 * MIB2, GpuRecord.allocationSizeFor(MIB2 + 1));
        assertThrows(IllegalArgumentException.class, () -> GpuRecord.allocationSizeFor(0));
        assertThrows(IllegalArgumentException.class, () -> GpuRecord.allocationSizeFor(Long.MAX_VALUE));
    }

    @Test
    void dispatchesByMagicAndChecksTheStream() {
        byte[] padded = Arrays.copyOf(sample().encode(), 4096);
        GpuHandle h = GpuHandleSegment.decode(ByteBuffer.wrap(padded));

        GpuRecord record = assertInstanceOf(GpuRecord.class, h);
        assertEquals(sample(), record);
        assertEquals(0, h.payloadOffsetBytes());
        assertEquals(480L * 640 * 3 * 4, h.payloadSizeBytes());
        h.requireMatches("frames", DType.FLOAT32, new long[] {480, 640, 3}, 1);
        assertEquals(Kind.GEOMETRY_MISMATCH, assertThrows(InvalidGpuHandleException.class,
                () -> h.requireMatches("frames", DType.UINT8, new long[] {480, 640, 3}, 1)).kind());
    }

    @Test
    void decodesFromThePositionWithoutMovingIt() {
        ByteBuffer b = ByteBuffer.allocate(RECORD_LENGTH + 7);
        b.position(7);
        b.put(sample().encode()).position(7);

        assertEquals(sample(), GpuRecord.decode(b));
        assertEquals(7, b.position());
    }

    @Test
    void refusesEverySingleBitFlip() {
        byte[] good = sample().encode();
        for (int bit = 0; bit < RECORD_LENGTH * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            InvalidGpuHandleException e = refused(bad);
            int at = bit / 8;
            Kind expected = at == VERSION_OFFSET || at == VERSION_OFFSET + 1 ? Kind.UNSUPPORTED_HANDLE : Kind.CORRUPT_RECORD;
            assertEquals(expected, e.kind(), "bit " + bit + ": " + e.getMessage());
        }
    }

    @Test
    void refusesEveryTruncation() {
        byte[] good = sample().encode();
        for (int length = 0; length < RECORD_LENGTH; length++) {
            assertEquals(Kind.CORRUPT_RECORD, refused(Arrays.copyOf(good, length)).kind(), "length " + length);
        }
    }

    static Stream<Arguments> validlySignedCorruptions() {
        return Stream.of(
                Arguments.of("newer version", (Consumer<ByteBuffer>) b -> b.putShort(VERSION_OFFSET, (short) 2), "layout version 2"),
                Arguments.of("record length", (Consumer<ByteBuffer>) b -> b.putShort(RECORD_LENGTH_OFFSET, (short) 300), "declares 300 bytes"),
                Arguments.of("dtype code", (Consumer<ByteBuffer>) b -> b.putShort(DTYPE_OFFSET, (short) 14), "dtype code 14"),
                Arguments.of("ndim 0", (Consumer<ByteBuffer>) b -> b.putShort(NDIM_OFFSET, (short) 0), "ndim 0"),
                Arguments.of("ndim 20", (Consumer<ByteBuffer>) b -> b.putShort(NDIM_OFFSET, (short) 20), "ndim 20"),
                Arguments.of("zero dimension", (Consumer<ByteBuffer>) b -> b.putLong(SHAPE_OFFSET + 8, 0), "not positive"),
                Arguments.of("negative dimension", (Consumer<ByteBuffer>) b -> b.putLong(SHAPE_OFFSET, -480), "not positive"),
                Arguments.of("entry past ndim", (Consumer<ByteBuffer>) b -> b.putLong(SHAPE_OFFSET + 8 * 18, 5), "non-zero shape entry 18"),
                Arguments.of("shape overflow", (Consumer<ByteBuffer>) b -> b.putLong(SHAPE_OFFSET, Long.MAX_VALUE / 2), "overflows"),
                Arguments.of("payload size", (Consumer<ByteBuffer>) b -> b.putLong(PAYLOAD_SIZE_OFFSET, 12), "payload size 12"),
                Arguments.of("negative device", (Consumer<ByteBuffer>) b -> b.putInt(DEVICE_OFFSET, -1), "device index -1"),
                Arguments.of("allocation granularity", (Consumer<ByteBuffer>) b -> b.putLong(ALLOCATION_SIZE_OFFSET, 4 * MIB2 - 1), "multiple of"),
                Arguments.of("allocation zero", (Consumer<ByteBuffer>) b -> b.putLong(ALLOCATION_SIZE_OFFSET, 0), "multiple of"),
                Arguments.of("allocation too small", (Consumer<ByteBuffer>) b -> b.putLong(ALLOCATION_SIZE_OFFSET, MIB2), "does not fit"),
                Arguments.of("offset past the end", (Consumer<ByteBuffer>) b -> b.putLong(PAYLOAD_OFFSET_OFFSET, MIB2), "does not fit"),
                Arguments.of("negative offset", (Consumer<ByteBuffer>) b -> b.putLong(PAYLOAD_OFFSET_OFFSET, -1), "does not fit"),
                Arguments.of("creator pid", (Consumer<ByteBuffer>) b -> b.putLong(CREATOR_PID_OFFSET, 0), "creator pid 0"),
                Arguments.of("zero handle", (Consumer<ByteBuffer>) b -> b.put(IPC_HANDLE_OFFSET, new byte[64]), "all zero"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validlySignedCorruptions")
    void refusesFieldsOutOfRangeEvenWithAGoodChecksum(String what, Consumer<ByteBuffer> edit, String messagePart) {
        InvalidGpuHandleException e = refused(resigned(edit));
        assertEquals(what.equals("newer version") ? Kind.UNSUPPORTED_HANDLE : Kind.CORRUPT_RECORD, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertTrue(e.getMessage().contains("CPU mirror"), e.getMessage());
    }

    @Test
    void constructorRefusesWhatDecodeRefuses() {
        assertThrows(IllegalArgumentException.class, () -> new GpuRecord(-1, MIB2, 0, DType.INT8, new long[] {1}, HANDLE, 1));
        assertThrows(IllegalArgumentException.class, () -> new GpuRecord(0, MIB2 + 1, 0, DType.INT8, new long[] {1}, HANDLE, 1));
        assertThrows(IllegalArgumentException.class, () -> new GpuRecord(0, MIB2, MIB2, DType.INT8, new long[] {1}, HANDLE, 1));
        assertThrows(IllegalArgumentException.class, () -> new GpuRecord(0, MIB2, 0, DType.INT8, new long[0], HANDLE, 1));
        assertThrows(IllegalArgumentException.class, () -> new GpuRecord(0, MIB2, 0, DType.INT8, new long[20], HANDLE, 1));
        assertThrows(IllegalArgumentException.class, () -> new GpuRecord(0, MIB2, 0, DType.INT8, new long[] {1}, new byte[63], 1));
        assertThrows(IllegalArgumentException.class, () -> new GpuRecord(0, MIB2, 0, DType.INT8, new long[] {1}, HANDLE, 0));
        assertThrows(IllegalArgumentException.class, () -> new GpuRecord(0, MIB2, 0, null, new long[] {1}, HANDLE, 1));
    }

    @Test
    void keepsItsArraysToItself() {
        long[] shape = {2, 3};
        byte[] handle = HANDLE.clone();
        GpuRecord record = GpuRecord.forPayload(0, DType.INT8, shape, handle, 1);
        shape[0] = 99;
        handle[0] = 0;
        record.shape()[1] = 99;
        record.ipcMemHandle()[1] = 0;

        assertArrayEquals(new long[] {2, 3}, record.shape());
        assertArrayEquals(HANDLE, record.ipcMemHandle());
    }

    @Test
    void pyshmemCannotMistakeTheRecordForAPickle() {
        // 'A' (0x41) is no pickle opcode: CPython stops at the first byte ("invalid load key, 'A'").
        assertEquals('A', sample().encode()[0]);
        assertTrue(Byte.toUnsignedInt(sample().encode()[0]) != 0x80);
    }
}

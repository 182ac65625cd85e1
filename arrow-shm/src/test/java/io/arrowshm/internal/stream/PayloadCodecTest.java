package io.arrowshm.internal.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Segments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The payload codec at window boundaries: small injected windows put many boundaries inside a
 * small payload, so the arithmetic that matters past 2 GiB (1 GiB windows, long offsets) is
 * exercised cheaply. Every copy is compared byte for byte with a little-endian reference.
 */
class PayloadCodecTest {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private final String segment = "arrowshm-test-codec-" + ProcessHandle.current().pid() + "-"
            + SEQUENCE.incrementAndGet();
    private final BufferAllocator allocator = new RootAllocator();
    private Mapping mapping;

    @AfterEach
    void cleanUp() {
        if (mapping != null) {
            mapping.close();
        }
        Segments.delete(segment);
        allocator.close();
    }

    /** Serial copies, or with {@code split} set, every copy split in three parts of at least a page. */
    private boolean split;

    private PayloadCodec codec(long size, Class<?> elementArray, int window) {
        mapping = Segments.create(segment, size);
        CopySplitter splitter = split ? new CopySplitter(3, 4096) : new CopySplitter(1, Long.MAX_VALUE);
        return new PayloadCodec(mapping, size, elementArray, window, splitter);
    }

    private byte[] payloadBytes(long size) {
        byte[] bytes = new byte[(int) size];
        mapping.byteBuffer(0, (int) size).get(0, bytes);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 24, 40, 1 << 20})
    void everyArrayTypeRoundTripsAcrossWindowBoundaries(int window) {
        int elements = 37; // not a multiple of any window: the last window is partial
        Random random = new Random(window);
        float[] floats = new float[elements];
        for (int i = 0; i < elements; i++) {
            floats[i] = random.nextFloat();
        }
        PayloadCodec codec = codec(elements * 4L, float[].class, window);
        codec.copyIn(floats);
        ByteBuffer expected = ByteBuffer.allocate(elements * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : floats) {
            expected.putFloat(f);
        }
        assertArrayEquals(expected.array(), payloadBytes(elements * 4L));
        float[] back = new float[elements];
        codec.copyOut(back);
        assertArrayEquals(floats, back);
        byte[] raw = new byte[elements * 4];
        codec.copyOut(raw);
        assertArrayEquals(expected.array(), raw, "raw bytes of any dtype");
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 24, 64})
    void integerAndBoolArraysRoundTrip(int window) {
        long[] longs = new Random(1).longs(13).toArray();
        PayloadCodec longCodec = codec(13 * 8L, long[].class, window);
        longCodec.copyIn(longs);
        long[] longsBack = new long[13];
        longCodec.copyOut(longsBack);
        assertArrayEquals(longs, longsBack);
        mapping.close();
        Segments.delete(segment);

        short[] shorts = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11};
        PayloadCodec shortCodec = codec(shorts.length * 2L, short[].class, window);
        shortCodec.copyIn(shorts);
        short[] shortsBack = new short[shorts.length];
        shortCodec.copyOut(shortsBack);
        assertArrayEquals(shorts, shortsBack);
        mapping.close();
        Segments.delete(segment);

        boolean[] bools = {true, false, true, true, false, false, true, false, true, true, true, false, true};
        PayloadCodec boolCodec = codec(bools.length, boolean[].class, window);
        boolCodec.copyIn(bools);
        byte[] stored = payloadBytes(bools.length);
        for (int i = 0; i < bools.length; i++) {
            assertEquals(bools[i] ? 1 : 0, stored[i], "NumPy's bool bytes at " + i);
        }
        boolean[] boolsBack = new boolean[bools.length];
        boolCodec.copyOut(boolsBack);
        assertArrayEquals(bools, boolsBack);
    }

    @Test
    void byteBuffersCopyFromTheirPositionWithoutMovingIt() {
        PayloadCodec codec = codec(50, byte[].class, 16);
        ByteBuffer source = ByteBuffer.allocateDirect(60);
        for (int i = 0; i < 60; i++) {
            source.put(i, (byte) i);
        }
        source.position(7).limit(57);
        codec.copyIn(source);
        assertEquals(7, source.position());
        byte[] stored = payloadBytes(50);
        for (int i = 0; i < 50; i++) {
            assertEquals((byte) (i + 7), stored[i]);
        }
        ByteBuffer target = ByteBuffer.allocate(64).position(3);
        codec.copyOut(target);
        assertEquals(3, target.position());
        for (int i = 0; i < 50; i++) {
            assertEquals((byte) (i + 7), target.get(3 + i));
        }
    }

    @Test
    void arrowBufsCopyTheirFirstSizeBytes() {
        PayloadCodec codec = codec(100, byte[].class, 24);
        try (ArrowBuf source = allocator.buffer(128); ArrowBuf target = allocator.buffer(100)) {
            for (int i = 0; i < 128; i++) {
                source.setByte(i, i * 3);
            }
            codec.copyIn(source);
            codec.copyOut(target);
            for (int i = 0; i < 100; i++) {
                assertEquals((byte) (i * 3), target.getByte(i));
            }
        }
    }

    @Test
    void zeroFillsEveryWindow() {
        PayloadCodec codec = codec(3 * 1024 * 1024 + 13, byte[].class, 1 << 20);
        byte[] ones = new byte[3 * 1024 * 1024 + 13];
        java.util.Arrays.fill(ones, (byte) 1);
        codec.copyIn(ones);
        codec.zero();
        assertArrayEquals(new byte[ones.length], payloadBytes(ones.length));
    }

    @Test
    void windowsMustHoldWholeElementsOfEveryType() {
        mapping = Segments.create(segment, 64);
        CopySplitter serial = new CopySplitter(1, Long.MAX_VALUE);
        assertThrows(IllegalArgumentException.class, () -> new PayloadCodec(mapping, 64, byte[].class, 12, serial));
        assertThrows(IllegalArgumentException.class, () -> new PayloadCodec(mapping, 64, byte[].class, 0, serial));
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 4096, 1 << 20})
    void copiesSplitAcrossThreadsLandEveryElementInPlace(int window) {
        split = true;
        int elements = 3 * 4096 + 5; // parts start on page boundaries; the last part is short
        double[] doubles = new Random(window).doubles(elements).toArray();
        PayloadCodec codec = codec(elements * 8L, double[].class, window);
        codec.copyIn(doubles);
        ByteBuffer expected = ByteBuffer.allocate(elements * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : doubles) {
            expected.putDouble(d);
        }
        assertArrayEquals(expected.array(), payloadBytes(elements * 8L));
        double[] back = new double[elements];
        codec.copyOut(back);
        assertArrayEquals(doubles, back);
        byte[] raw = new byte[elements * 8];
        codec.copyOut(raw);
        assertArrayEquals(expected.array(), raw);
        try (ArrowBuf target = allocator.buffer(elements * 8L)) {
            codec.copyOut(target);
            byte[] fromArrow = new byte[elements * 8];
            target.getBytes(0, fromArrow);
            assertArrayEquals(expected.array(), fromArrow);
            codec.zero();
            assertArrayEquals(new byte[elements * 8], payloadBytes(elements * 8L));
            codec.copyIn(target);
            assertArrayEquals(expected.array(), payloadBytes(elements * 8L));
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(elements * 8 + 3).position(3);
        codec.copyOut(direct);
        codec.zero();
        codec.copyIn(direct);
        assertArrayEquals(expected.array(), payloadBytes(elements * 8L));
    }
}

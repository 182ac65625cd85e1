package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Patterns;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The handle's behaviour inside one JVM; cross-process behaviour is in CrossProcessTest. */
class SharedMemoryTest {
    private final String name = Names.unique("shm");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void createWritesPyshmemSegmentsWithMode0600() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2, 3)) {
            StreamNames names = StreamNames.of(name);
            assertEquals(24, Files.size(Segments.path(names.dataSegment())));
            assertEquals(512, Files.size(Segments.path(names.metaSegment())));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(Segments.path(names.dataSegment()))));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(Segments.path(names.metaSegment()))));
            assertTrue(shm.owner());
            assertEquals(0, shm.count());
            assertEquals(0, shm.writeSequence());
            assertEquals(0.0, shm.writeTime());
            assertEquals(ProcessHandle.current().pid(), shm.creatorPid());
            assertEquals(32, shm.instanceId().orElseThrow().length());
        }
    }

    @Test
    void freshStreamReadsZeros() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 4)) {
            int[] values = {9, 9, 9, 9};
            shm.readInto(values);
            assertArrayEquals(new int[4], values);
        }
    }

    @Test
    void writeThenReadEveryArrayKind() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2, 3);
             SharedMemory reader = SharedMemory.open(name)) {
            float[] frame = {1, 2, 3, 4, 5, Float.NaN};
            shm.write(frame);
            float[] out = new float[6];
            reader.readInto(out);
            assertArrayEquals(frame, out);
            assertEquals(1, reader.count());
            assertEquals(2, reader.writeSequence());
            assertTrue(reader.writeTime() > 1.7e9);

            ByteBuffer direct = ByteBuffer.allocateDirect(24).order(ByteOrder.LITTLE_ENDIAN);
            reader.readInto(direct);
            assertEquals(0, direct.position(), "readInto leaves the position where it was");
            assertEquals(5f, direct.getFloat(16));

            try (ArrowBuf copy = reader.read()) {
                assertEquals(24, copy.capacity());
                assertEquals(3f, copy.getFloat(8));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeRoundTripsItsBytes(DType dtype) {
        try (SharedMemory shm = SharedMemory.create(name, dtype, 3, 5, 7);
             SharedMemory reader = SharedMemory.open(name)) {
            assertEquals(dtype, reader.dtype());
            assertArrayEquals(new long[] {3, 5, 7}, reader.shape());
            byte[] bytes = Patterns.bytes(dtype, shm.size(), 42);
            shm.write(bytes);
            byte[] out = new byte[bytes.length];
            reader.readInto(out);
            assertArrayEquals(bytes, out);
        }
    }

    @Test
    void typedArraysMustMatchTheDtypeAndLength() {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT64, 4)) {
            IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> shm.write(new float[8]));
            assertTrue(kind.getMessage().contains("float64"), kind.getMessage());
            IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> shm.write(new double[3]));
            assertTrue(length.getMessage().contains("expected 4 elements"), length.getMessage());
            assertThrows(IllegalArgumentException.class, () -> shm.write(ByteBuffer.allocate(31)));
            shm.write(new double[] {1.5, -0.0, Double.POSITIVE_INFINITY, Double.MIN_VALUE});
            double[] out = new double[4];
            shm.readInto(out);
            assertArrayEquals(new double[] {1.5, -0.0, Double.POSITIVE_INFINITY, Double.MIN_VALUE}, out);
        }
    }

    @Test
    void boolStoresZeroAndOneBytes() {
        try (SharedMemory shm = SharedMemory.create(name, DType.BOOL, 3)) {
            shm.write(new boolean[] {true, false, true});
            byte[] raw = new byte[3];
            shm.readInto(raw);
            assertArrayEquals(new byte[] {1, 0, 1}, raw);
            boolean[] out = new boolean[3];
            shm.readInto(out);
            assertArrayEquals(new boolean[] {true, false, true}, out);
        }
    }

    @Test
    void arrowBufWriteAndLiveBufferView() {
        try (BufferAllocator allocator = new RootAllocator();
             SharedMemory shm = SharedMemory.create(name, DType.INT64, 2)) {
            try (ArrowBuf source = allocator.buffer(16)) {
                source.setLong(0, 7);
                source.setLong(8, -7);
                shm.write(source);
            }
            try (var held = shm.locked(); ArrowBuf live = shm.buffer()) {
                assertEquals(7, live.getLong(0));
                assertEquals(-7, live.getLong(8));
            }
            long sum = shm.readZeroCopy(view -> view.getLong(0) + view.getLong(8));
            assertEquals(0, sum);
        }
    }

    @Test
    void bufferViewOutlivesTheHandleAndUnmapsWhenClosed() {
        SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8);
        shm.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        ArrowBuf view = shm.buffer();
        shm.close();
        assertEquals(8, view.getByte(7), "the view keeps the mapping alive after close()");
        view.close();
        assertThrows(IllegalStateException.class, shm::count);
    }

    @Test
    void clearPublishesZeros() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT16, 2)) {
            shm.write(new short[] {5, 6});
            shm.clear();
            short[] out = new short[2];
            shm.readInto(out);
            assertArrayEquals(new short[2], out);
            assertEquals(2, shm.count());
            assertEquals(4, shm.writeSequence());
        }
    }

    @Test
    void lockIsReentrantAndPublishedInTheHeader() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 1)) {
            shm.acquire();
            shm.acquire(Duration.ofMillis(10));
            try (var held = shm.locked()) {
                shm.write(new byte[] {1});
            }
            shm.release();
            shm.release();
            assertThrows(IllegalStateException.class, shm::release);
        }
    }

    @Test
    void anotherThreadTimesOutOnTheLock() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 1)) {
            shm.acquire();
            Throwable[] seen = new Throwable[1];
            Thread other = new Thread(() -> {
                try {
                    shm.acquire(Duration.ofMillis(50));
                } catch (Throwable t) {
                    seen[0] = t;
                }
            });
            other.start();
            other.join();
            shm.release();
            assertTrue(seen[0] instanceof StreamTimeoutException, String.valueOf(seen[0]));
            assertTrue(seen[0].getCause() instanceof java.util.concurrent.TimeoutException);
        }
    }

    @Test
    void closeReleasesThisThreadsLockAndIsIdempotent() {
        SharedMemory shm = SharedMemory.create(name, DType.UINT8, 1);
        shm.acquire();
        shm.acquire();
        shm.close();
        shm.close();
        try (SharedMemory again = SharedMemory.open(name)) {
            again.acquire(Duration.ZERO);
            again.release();
        }
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> shm.write(new byte[1]));
        assertTrue(closed.getMessage().contains(name), closed.getMessage());
    }

    @Test
    void existingAndMissingNames() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 1)) {
            StreamExistsException exists = assertThrows(StreamExistsException.class,
                    () -> SharedMemory.create(name, DType.UINT8, 1));
            assertTrue(exists.getMessage().contains(name));
        }
        SharedMemory.unlink(name);
        StreamNotFoundException missing = assertThrows(StreamNotFoundException.class, () -> SharedMemory.open(name));
        assertTrue(missing.getMessage().contains(name));
        SharedMemory.unlink(name); // absent: silent
    }

    @Test
    void createValidatesItsArguments() {
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(" \t", DType.UINT8, 1));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create("x".repeat(257), DType.UINT8, 1));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name, DType.UINT8));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name, DType.UINT8, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(name, DType.UINT8, new long[20]));
        assertThrows(IllegalArgumentException.class,
                () -> SharedMemory.create(name, DType.FLOAT64, Long.MAX_VALUE / 4, 2));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 2, 2).size(15)));
        assertEquals("size does not match shape and dtype: expected 16, got 15", size.getMessage());
        assertFalse(Files.exists(Segments.path(StreamNames.of(name).dataSegment())), "nothing left behind");
        try (SharedMemory ok = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 2, 2).size(16))) {
            assertEquals(16, ok.size());
        }
        SharedMemory.unlink(name);
        String longest = "é".repeat(128); // 256 UTF-8 bytes: the maximum
        try (SharedMemory ok = SharedMemory.create(longest, DType.UINT8, 1)) {
            assertEquals(longest, ok.name());
            ok.unlink();
        }
    }

    @Test
    void staleHandleCannotUnlinkANewGeneration() {
        SharedMemory first = SharedMemory.create(name, DType.UINT8, 1);
        SharedMemory.unlink(name);
        try (SharedMemory second = SharedMemory.create(name, DType.UINT8, 1)) {
            StaleStreamException stale = assertThrows(StaleStreamException.class, first::unlink);
            assertTrue(stale.getMessage().contains("newer generation"), stale.getMessage());
            assertTrue(Files.exists(Segments.path(StreamNames.of(name).dataSegment())));
            second.unlink();
        }
        assertFalse(Files.exists(Segments.path(StreamNames.of(name).dataSegment())));
    }

    @Test
    void readOnlyHandleRefusesWritesLocksAndUnlink() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 2);
             SharedMemory reader = SharedMemory.open(name, OpenOptions.readOnly())) {
            shm.write(new byte[] {3, 4});
            byte[] out = new byte[2];
            reader.readInto(out);
            assertArrayEquals(new byte[] {3, 4}, out);
            assertThrows(ReadOnlyStreamException.class, () -> reader.write(new byte[2]));
            assertThrows(ReadOnlyStreamException.class, reader::clear);
            assertThrows(ReadOnlyStreamException.class, reader::acquire);
            assertThrows(ReadOnlyStreamException.class, reader::buffer);
            assertThrows(ReadOnlyStreamException.class, reader::unlink);
        }
    }

    @Test
    void readNewWaitsForTheNextPublication() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 1);
             SharedMemory reader = SharedMemory.open(name)) {
            shm.write(new int[] {1});
            assertThrows(StreamTimeoutException.class, () -> reader.readNew(Duration.ofMillis(20)));
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                shm.write(new int[] {2});
            });
            writer.start();
            try (ArrowBuf next = reader.readNew(Duration.ofSeconds(10))) {
                assertEquals(2, next.getInt(0));
            }
            writer.join();
            assertEquals(2, reader.lastReadCount());
        }
    }

    @Test
    void missedWritesCountSkippedPublications() {
        try (SharedMemory shm = SharedMemory.create(name, DType.INT32, 1);
             SharedMemory reader = SharedMemory.open(name)) {
            int[] out = new int[1];
            for (int i = 0; i < 3; i++) {
                shm.write(new int[] {i});
            }
            reader.readInto(out);
            assertEquals(2, reader.missedWrites());
            shm.write(new int[] {9});
            reader.readInto(out);
            assertEquals(0, reader.missedWrites());
            assertEquals(2, reader.totalMissedWrites());
        }
    }

    // gpuAvailable() without the gpu module: this module's test class path registers the host-memory
    // test seam, so that case runs in a child JVM without it (GpuSeamCrossProcessTest).
}

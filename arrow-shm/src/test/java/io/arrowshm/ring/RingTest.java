package io.arrowshm.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.CursorInUseException;
import io.arrowshm.CursorInfo;
import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingFrame;
import io.arrowshm.RingInfo;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriteView;
import io.arrowshm.RingWriter;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamExistsException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.internal.ring.RingNames;
import io.arrowshm.testing.Names;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A ring's behaviour inside one JVM: writes, the four ways to read, cursors and lifecycle. */
class RingTest {
    private final String name = Names.unique("ring");

    @AfterEach
    void removeRing() {
        Ring.unlink(name);
        SharedMemory.unlink(name);
    }

    private static float[] frame(int value) {
        float[] f = new float[6];
        java.util.Arrays.fill(f, value);
        return f;
    }

    @Test
    void createsOneFileWithMode0600AndTheDocumentedGeometry() throws Exception {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4).maxCursors(2))) {
            var file = Segments.path(RingNames.of(name).segment());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(65536 + 4 * 24, Files.size(file));
            assertEquals(24, ring.size());
            assertEquals(4, ring.capacity());
            assertEquals(Overflow.BLOCK, ring.overflow());
            assertEquals(0, ring.writePosition());
            assertArrayEquals(new long[] {2, 3}, ring.shape());
            assertEquals(List.of(name), Ring.list().stream().filter(name::equals).toList());
        }
    }

    @Test
    void everyFrameInOrderWithPositionsFrameIdsAndTimes() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4));
             RingReader reader = ring.reader("r");
             RingWriter writer = ring.writer()) {
            long before = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < 3; i++) {
                writer.write(frame(i), 100 + i);
            }
            assertEquals(3, ring.writePosition());
            for (int i = 0; i < 3; i++) {
                try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                    assertEquals(i, f.position());
                    assertEquals(100 + i, f.frameId());
                    assertEquals(0, f.lost());
                    assertEquals(i, f.buffer().getFloat(20));
                    assertTrue(f.writeTimeNanos() >= before - 1_000_000_000L, "write time " + f.writeTimeNanos());
                }
            }
            assertThrows(StreamTimeoutException.class, () -> reader.take(Duration.ofMillis(20)));
            assertEquals(3, reader.position());
        }
    }

    @Test
    void readIntoEveryTypeAndBuffer() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.INT32, 4));
             RingReader reader = ring.reader("r");
             RingWriter writer = ring.writer()) {
            writer.write(new int[] {1, 2, 3, 4});
            ByteBuffer raw = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            raw.putInt(0, 9).putInt(12, 7);
            writer.write(raw);
            writer.write(new byte[16], 5L);
            int[] ints = new int[4];
            assertEquals(0, reader.readInto(ints, Duration.ofSeconds(1)));
            assertArrayEquals(new int[] {1, 2, 3, 4}, ints);
            ByteBuffer direct = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(1, reader.readInto(direct, Duration.ofSeconds(1)));
            assertEquals(9, direct.getInt(0));
            assertEquals(7, direct.getInt(12));
            byte[] bytes = new byte[16];
            assertEquals(2, reader.readInto(bytes, Duration.ofSeconds(1)));
            assertThrows(IllegalArgumentException.class, () -> writer.write(new int[3]));
            assertThrows(IllegalArgumentException.class, () -> writer.write(new float[4]));
            assertThrows(IllegalArgumentException.class, () -> reader.readInto(new int[5]));
            assertEquals(3, ring.writePosition(), "a refused write leaves the ring untouched");
        }
    }

    @Test
    void leaseIsTheSlotItselfAndHoldsTheBlockWriterBack() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(2));
             RingReader reader = ring.reader("r");
             RingWriter writer = ring.writer()) {
            writer.write(frame(1));
            writer.write(frame(2));
            RingLease lease = reader.lease(Duration.ofSeconds(1));
            assertEquals(0, lease.position());
            assertEquals(1f, lease.buffer().getFloat(0));
            assertThrows(IllegalStateException.class, () -> reader.take(Duration.ZERO), "one view at a time");
            assertThrows(StreamTimeoutException.class, () -> writer.write(frame(3), 0, Duration.ofMillis(50)),
                    "the leased slot cannot be reused");
            assertTrue(lease.valid());
            lease.close();
            lease.close();
            assertThrows(IllegalStateException.class, lease::buffer);
            writer.write(frame(3), 0, Duration.ofSeconds(1));
            try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                assertEquals(1, f.position());
            }
        }
    }

    @Test
    void batchIsOneContiguousRegionUpToTheWrap() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4));
             RingReader reader = ring.reader("r");
             RingWriter writer = ring.writer()) {
            for (int i = 0; i < 3; i++) {
                writer.write(frame(i), i);
            }
            try (RingBatch batch = reader.leaseBatch(8, Duration.ofSeconds(1))) {
                assertEquals(3, batch.count());
                assertEquals(3 * 24, batch.buffer().capacity());
                for (int i = 0; i < 3; i++) {
                    assertEquals(i, batch.buffer().getFloat(i * 24L));
                    assertEquals(i, batch.frameId(i));
                }
                assertTrue(batch.valid());
            }
            for (int i = 3; i < 6; i++) {
                writer.write(frame(i), i);
            }
            try (RingBatch batch = reader.leaseBatch(8, Duration.ofSeconds(1))) {
                assertEquals(1, batch.count(), "stops at the end of the slots");
                assertEquals(3, batch.firstPosition());
            }
            try (RingBatch batch = reader.leaseBatch(8, Duration.ofSeconds(1))) {
                assertEquals(2, batch.count());
                assertEquals(4, batch.firstPosition());
            }
        }
    }

    @Test
    void overwriteCountsExactlyWhatALappedReaderLost() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4).overflow(Overflow.OVERWRITE));
             RingReader reader = ring.reader("r");
             RingWriter writer = ring.writer()) {
            for (int i = 0; i < 10; i++) {
                writer.write(frame(i), i);
            }
            try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                assertEquals(6, f.position(), "the oldest retained");
                assertEquals(6, f.lost());
                assertEquals(6f, f.buffer().getFloat(0));
            }
            assertEquals(6, reader.lost());
        }
    }

    @Test
    void blockWriterWaitsForTheSlowestCursorAndTimesOutNamingIt() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(2));
             RingReader reader = ring.reader("slow");
             RingWriter writer = ring.writer()) {
            writer.write(frame(0));
            writer.write(frame(1));
            StreamTimeoutException e = assertThrows(StreamTimeoutException.class,
                    () -> writer.write(frame(2), 0, Duration.ofMillis(30)));
            assertTrue(e.getMessage().contains("'slow'"), e.getMessage());
            assertEquals(2, ring.writePosition());
            reader.take(Duration.ofSeconds(1)).close();
            writer.write(frame(2), 0, Duration.ofSeconds(1));
            assertEquals(3, ring.writePosition());
        }
    }

    @Test
    void aCursorResumesWhereItStoppedAndIsHeldByOneReader() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(8));
             RingWriter writer = ring.writer()) {
            try (RingReader first = ring.reader("trainer")) {
                for (int i = 0; i < 4; i++) {
                    writer.write(frame(i));
                }
                first.take(Duration.ofSeconds(1)).close();
                first.take(Duration.ofSeconds(1)).close();
                CursorInUseException e = assertThrows(CursorInUseException.class, () -> ring.reader("trainer"));
                assertEquals(ProcessHandle.current().pid(), e.pid());
            }
            try (RingReader again = ring.reader("trainer"); RingFrame f = again.take(Duration.ofSeconds(1))) {
                assertEquals(2, f.position());
                assertEquals(0, f.lost());
            }
            List<CursorInfo> cursors = ring.cursors();
            assertEquals(1, cursors.size());
            assertEquals("trainer", cursors.get(0).name());
            assertEquals(3, cursors.get(0).position());
            assertEquals(1, cursors.get(0).lag());
            assertFalse(cursors.get(0).live());
            assertTrue(ring.dropCursor("trainer"));
            assertFalse(ring.dropCursor("trainer"));
            assertTrue(ring.cursors().isEmpty());
        }
    }

    @Test
    void startOptionsForNewCursors() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4).overflow(Overflow.OVERWRITE));
             RingWriter writer = ring.writer()) {
            for (int i = 0; i < 6; i++) {
                writer.write(frame(i));
            }
            try (RingReader oldest = ring.reader("o");
                 RingReader latest = ring.reader("l", CursorOptions.defaults().start(CursorOptions.Start.LATEST));
                 RingReader next = ring.reader("n", CursorOptions.defaults().start(CursorOptions.Start.NEXT))) {
                assertEquals(2, oldest.position());
                assertEquals(5, latest.position());
                assertEquals(6, next.position());
            }
        }
    }

    @Test
    void nonBlockingCursorNeverHoldsTheWriterBack() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(2));
             RingReader observer = ring.reader("observer", CursorOptions.defaults().blocking(false));
             RingWriter writer = ring.writer()) {
            for (int i = 0; i < 5; i++) {
                writer.write(frame(i), 0, Duration.ofMillis(100));
            }
            try (RingFrame f = observer.take(Duration.ofSeconds(1))) {
                assertEquals(3, f.position());
                assertEquals(3, f.lost());
            }
        }
    }

    @Test
    void aDetachedCursorHoldsTheWriterOnlyForItsGrace() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(2));
             RingWriter writer = ring.writer()) {
            ring.reader("brief", CursorOptions.defaults().grace(Duration.ofMillis(200))).close();
            writer.write(frame(0));
            writer.write(frame(1));
            long start = System.nanoTime();
            writer.write(frame(2), 0, Duration.ofSeconds(5));
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 150 && waited < 3000, "waited " + waited + " ms");
            assertTrue(ring.cursors().get(0).untethered());
            try (RingReader back = ring.reader("brief"); RingFrame f = back.take(Duration.ofSeconds(1))) {
                assertEquals(1, f.position());
                assertEquals(1, f.lost(), "the frame overwritten while it was away");
            }
        }
    }

    @Test
    void oneWriterAtATime() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3));
             RingWriter writer = ring.writer()) {
            StreamTimeoutException e = assertThrows(StreamTimeoutException.class, () -> ring.writer(Duration.ofMillis(20)));
            assertTrue(e.getMessage().contains("this process"), e.getMessage());
            writer.close();
            try (RingWriter next = ring.writer(Duration.ofSeconds(1))) {
                assertEquals(0, next.position());
            }
        }
    }

    @Test
    void ringsAndStreamsNeverShareANameThroughArrowShm() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2))) {
            assertThrows(StreamExistsException.class, () -> SharedMemory.create(name, DType.FLOAT32, 2));
            StreamNotFoundException e = assertThrows(StreamNotFoundException.class, () -> SharedMemory.open(name));
            assertTrue(e.getMessage().contains("is a ring"), e.getMessage());
            assertThrows(StreamExistsException.class, () -> Ring.create(name, RingOptions.of(DType.FLOAT32, 2)));
        }
        Ring.unlink(name);
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 2)) {
            assertThrows(StreamExistsException.class, () -> Ring.create(name, RingOptions.of(DType.FLOAT32, 2)));
            StreamNotFoundException e = assertThrows(StreamNotFoundException.class, () -> Ring.open(name));
            assertTrue(e.getMessage().contains("is a stream"), e.getMessage());
        }
    }

    @Test
    void statDescribesWriterAndCursors() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 3).capacity(3));
             RingWriter writer = ring.writer();
             RingReader reader = ring.reader("watch")) {
            writer.write(new byte[3]);
            RingInfo info = Ring.stat(name);
            assertEquals(1, info.writePosition());
            assertEquals(ProcessHandle.current().pid(), info.writerPid());
            assertTrue(info.writerAlive());
            assertEquals(1, info.cursors().size());
            assertTrue(info.cursors().get(0).live());
            assertEquals(1, info.cursors().get(0).lag());
        }
    }

    @Test
    void closingTheRingClosesItsReadersAndWritersAndEndsTheirWaits() throws Exception {
        Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(2));
        RingReader reader = ring.reader("r");
        RingWriter writer = ring.writer();
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread waiting = new Thread(() -> {
            try {
                reader.take(Duration.ofSeconds(30));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        waiting.start();
        Thread.sleep(100);
        long start = System.nanoTime();
        ring.close();
        waiting.join(5_000);
        assertFalse(waiting.isAlive());
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
        assertTrue(reader.isClosed());
        assertTrue(writer.isClosed());
        assertThrows(IllegalStateException.class, () -> writer.write(frame(0)));
        reader.close();
        writer.close();
        try (Ring again = Ring.open(name); RingWriter w = again.writer(Duration.ofSeconds(1))) {
            w.write(frame(1));
        }
    }

    @Test
    void aLeaseOutlivesItsRingWithoutCrashing() {
        Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3));
        RingReader reader = ring.reader("r");
        try (RingWriter writer = ring.writer()) {
            writer.write(frame(4));
        }
        RingLease lease = reader.lease(Duration.ofSeconds(1));
        ArrowBuf view = lease.buffer();
        ring.close();
        assertEquals(4f, view.getFloat(0), "the lease's own reference keeps the mapping");
        lease.close();
        assertThrows(IllegalStateException.class, () -> view.getFloat(0));
        try (Ring again = Ring.open(name); RingReader r = again.reader("r"); RingFrame f = r.take(Duration.ofSeconds(1))) {
            assertEquals(0, f.position(), "a lease closed after its reader does not consume the frame");
        }
    }

    @Test
    void anUnlinkedRingTakesNoNewReaderOrWriter() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3))) {
            Ring.unlink(name);
            assertThrows(StreamNotFoundException.class, () -> ring.reader("late"));
            assertThrows(StreamNotFoundException.class, () -> ring.writer());
        }
    }

    @Test
    void aLiveReaderOfAnUnlinkedRingStillHoldsTheWriterBack() {
        // A probe used to reopen the cursor's lock file by name: after an unlink that is a new,
        // unheld file, so a live reader was taken for dead, untethered after its grace, and lapped.
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(2));
             RingReader reader = ring.reader("r", CursorOptions.defaults().grace(Duration.ofMillis(200)));
             RingWriter writer = ring.writer()) {
            writer.write(frame(0));
            writer.write(frame(1));
            Ring.unlink(name);
            assertThrows(StreamTimeoutException.class, () -> writer.write(frame(2), 0, Duration.ofSeconds(2)),
                    "the reader is alive: the writer must wait");
            try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                assertEquals(0, f.position());
                assertEquals(0, f.lost());
            }
            assertEquals(0, reader.lost());
        }
    }

    @Test
    void aWriteViewFillsTheSlotInPlaceOrAbandonsItsPosition() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4));
             RingReader reader = ring.reader("r");
             RingWriter writer = ring.writer()) {
            try (RingWriteView view = writer.writeView(Duration.ofSeconds(1))) {
                assertEquals(0, view.position());
                view.buffer().setFloat(20, 5f);
                assertThrows(IllegalStateException.class, () -> writer.write(frame(9)), "one write at a time");
                view.frameId(77).publish();
                assertThrows(IllegalStateException.class, view::buffer);
            }
            try (RingWriteView view = writer.writeView(Duration.ofSeconds(1))) {
                view.buffer().setFloat(0, 6f); // closed unpublished: position 1 is abandoned
            }
            try {
                try (RingWriteView view = writer.writeView(Duration.ofSeconds(1))) {
                    throw new IllegalStateException("the producer failed half way");
                }
            } catch (IllegalStateException expected) {
                // position 2 is abandoned too
            }
            writer.write(frame(3), 3);
            try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                assertEquals(0, f.position());
                assertEquals(77, f.frameId());
                assertEquals(5f, f.buffer().getFloat(20));
            }
            try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                assertEquals(3, f.position());
                assertEquals(0, f.lost());
            }
            assertEquals(2, reader.abandoned());
        }
    }

    @Test
    void closingTheWriterWaitsForItsOpenWriteView() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4))) {
            RingWriter writer = ring.writer();
            RingWriteView view = writer.writeView(Duration.ofSeconds(1));
            writer.close();
            assertThrows(StreamTimeoutException.class, () -> ring.writer(Duration.ofMillis(50)),
                    "the lease stays while the view is open");
            view.publish();
            try (RingWriter next = ring.writer(Duration.ofSeconds(1))) {
                assertEquals(1, next.position());
            }
        }
    }

    @Test
    void aLeaseChecksItsSlotsAreStillBacked() throws Exception {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4));
             RingReader reader = ring.reader("r");
             RingWriter writer = ring.writer()) {
            writer.write(frame(1));
            try (RingLease lease = reader.lease(Duration.ofSeconds(1))) {
                lease.checkBacked();
                try (var file = java.nio.channels.FileChannel.open(Segments.path(RingNames.of(name).segment()),
                        java.nio.file.StandardOpenOption.WRITE)) {
                    file.truncate(4096);
                }
                assertThrows(io.arrowshm.SharedMemoryException.class, lease::checkBacked);
            } // closing the lease of a truncated ring does not throw
            assertThrows(io.arrowshm.SharedMemoryException.class, () -> reader.take(Duration.ZERO),
                    "the reader's next operation reports it");
        }
    }

    @Test
    void anOverwrittenBatchCountsAllItsFramesAsLost() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3).capacity(4).overflow(Overflow.OVERWRITE));
             RingReader reader = ring.reader("r");
             RingWriter writer = ring.writer()) {
            for (int i = 0; i < 4; i++) {
                writer.write(frame(i));
            }
            RingBatch batch = reader.leaseBatch(4, Duration.ofSeconds(1));
            assertEquals(4, batch.count());
            writer.write(frame(4));
            writer.write(frame(5));
            assertFalse(batch.valid());
            batch.close();
            assertEquals(4, reader.lost(), "its holder cannot trust any of them");
            assertEquals(4, reader.position());
            try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                assertEquals(4, f.position());
                assertEquals(0, f.lost());
            }
        }
    }

    @Test
    void unlinkRemovesTheFileAndTheGenerationsLocks() throws Exception {
        String instance;
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 2, 3))) {
            instance = ring.instanceId();
            ring.writer().close();
            ring.reader("r").close();
        }
        var locks = io.arrowshm.internal.format.StreamNames.lockDirectory();
        try (var files = Files.list(locks)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().contains(instance)));
        }
        assertTrue(Ring.unlink(name));
        assertFalse(Ring.unlink(name));
        try (var files = Files.list(locks)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().contains(instance)));
        }
        assertThrows(StreamNotFoundException.class, () -> Ring.open(name));
    }
}

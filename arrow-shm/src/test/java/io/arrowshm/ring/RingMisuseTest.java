package io.arrowshm.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingFrame;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.Names;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What callers do wrong, or at the wrong time: interrupts, deadlines and closes end every wait
 * promptly; closing twice or from racing threads is harmless; views used after their end fail
 * with an exception, never a crash.
 */
@Timeout(60)
class RingMisuseTest {
    private static final long PROMPT_NANOS = 1_000_000_000L;
    private final String name = Names.unique("ring-misuse");

    @AfterEach
    void removeRing() {
        Ring.unlink(name);
    }

    private Ring ring(int capacity) {
        return Ring.create(name, RingOptions.of(DType.FLOAT32, 4).capacity(capacity));
    }

    /** Runs {@code wait} on a thread, does {@code stop} to it once it waits, and returns what it threw. */
    private static Throwable endWait(Consumer<CountDownLatch> wait, Consumer<Thread> stop) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                wait.accept(started);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        waiter.start();
        started.await();
        Thread.sleep(150); // well into parking
        long start = System.nanoTime();
        stop.accept(waiter);
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "the wait did not end");
        assertTrue(System.nanoTime() - start < PROMPT_NANOS, "ended promptly");
        return thrown.get();
    }

    @Test
    void anInterruptEndsAReadersWaitAndKeepsTheInterruptStatus() throws Exception {
        try (Ring ring = ring(4); RingReader reader = ring.reader("r")) {
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Throwable e = endWait(started -> {
                started.countDown();
                try {
                    reader.take(Duration.ofSeconds(30));
                } finally {
                    flag.set(Thread.currentThread().isInterrupted());
                }
            }, Thread::interrupt);
            assertTrue(e instanceof StreamInterruptedException, String.valueOf(e));
            assertTrue(flag.get());
            try (RingWriter writer = ring.writer()) {
                writer.write(new float[4]);
            }
            reader.take(Duration.ofSeconds(1)).close(); // the reader is still usable
        }
    }

    @Test
    void anInterruptEndsABlockedWritersWait() throws Exception {
        try (Ring ring = ring(1); RingReader reader = ring.reader("r"); RingWriter writer = ring.writer()) {
            writer.write(new float[4]);
            Throwable e = endWait(started -> {
                started.countDown();
                writer.write(new float[4], 0, Duration.ofSeconds(30));
            }, Thread::interrupt);
            assertTrue(e instanceof StreamInterruptedException, String.valueOf(e));
            assertEquals(1, ring.writePosition(), "nothing was written");
            reader.take(Duration.ofSeconds(1)).close();
            writer.write(new float[4], 0, Duration.ofSeconds(1)); // the writer is still usable
        }
    }

    @Test
    void closingTheWriterOrReaderFromAnotherThreadEndsItsWait() throws Exception {
        try (Ring ring = ring(1); RingReader reader = ring.reader("r")) {
            RingWriter writer = ring.writer();
            writer.write(new float[4]);
            Throwable e = endWait(started -> {
                started.countDown();
                writer.write(new float[4], 0, Duration.ofSeconds(30));
            }, thread -> writer.close());
            assertTrue(e instanceof IllegalStateException, String.valueOf(e));
            try (RingWriter next = ring.writer(Duration.ofSeconds(1))) {
                assertEquals(1, next.position(), "the lease was given back");
            }
            reader.take(Duration.ofSeconds(1)).close();
            RingReader other = ring.reader("other", io.arrowshm.CursorOptions.defaults()
                    .start(io.arrowshm.CursorOptions.Start.NEXT));
            Throwable r = endWait(started -> {
                started.countDown();
                other.take(Duration.ofSeconds(30));
            }, thread -> other.close());
            assertTrue(r instanceof IllegalStateException, String.valueOf(r));
            ring.reader("other").close(); // the cursor was detached
        }
    }

    @Test
    void deadlinesHoldForEveryWait() {
        try (Ring ring = ring(1); RingReader reader = ring.reader("r"); RingWriter writer = ring.writer()) {
            long start = System.nanoTime();
            assertThrows(StreamTimeoutException.class, () -> reader.take(Duration.ofMillis(100)));
            assertThrows(StreamTimeoutException.class, () -> reader.lease(Duration.ofMillis(100)));
            assertThrows(StreamTimeoutException.class, () -> reader.leaseBatch(4, Duration.ofMillis(100)));
            assertThrows(StreamTimeoutException.class, () -> reader.readInto(new float[4], Duration.ofMillis(100)));
            writer.write(new float[4]);
            assertThrows(StreamTimeoutException.class, () -> writer.write(new float[4], 0, Duration.ofMillis(100)));
            assertThrows(StreamTimeoutException.class, () -> ring.writer(Duration.ofMillis(100)));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertTrue(took >= 600 && took < 3_000, "six 100 ms waits took " + took + " ms");
            reader.take(Duration.ZERO).close(); // a frame that is there needs no wait
            assertThrows(StreamTimeoutException.class, () -> reader.take(Duration.ZERO).close(), "zero waits not at all");
            assertThrows(IllegalArgumentException.class, () -> reader.take(Duration.ofMillis(-1)));
        }
    }

    @Test
    void racingClosesAreHarmless() throws Exception {
        for (int round = 0; round < 50; round++) {
            Ring ring = ring(4);
            RingReader reader = ring.reader("r");
            RingWriter writer = ring.writer();
            writer.write(new float[4]);
            RingLease lease = reader.lease(Duration.ofSeconds(1));
            CountDownLatch go = new CountDownLatch(1);
            Thread[] closers = new Thread[4];
            AutoCloseable[] targets = {ring, reader, writer, lease};
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < closers.length; t++) {
                AutoCloseable target = targets[t];
                closers[t] = new Thread(() -> {
                    try {
                        go.await();
                        target.close();
                        target.close();
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                closers[t].start();
            }
            go.countDown();
            for (Thread closer : closers) {
                closer.join(10_000);
            }
            assertEquals(null, failure.get());
            assertTrue(ring.isClosed() && reader.isClosed() && writer.isClosed());
            Ring.unlink(name);
        }
    }

    @Test
    void viewsUsedAfterTheirEndFailCleanly() {
        try (Ring ring = ring(4); RingReader reader = ring.reader("r"); RingWriter writer = ring.writer()) {
            writer.write(new float[] {1, 2, 3, 4});
            writer.write(new float[] {5, 6, 7, 8});
            RingLease lease = reader.lease(Duration.ofSeconds(1));
            ArrowBuf view = lease.buffer();
            view.close(); // the caller closes the view it was lent: only its own reference goes
            lease.close();
            assertThrows(IllegalStateException.class, lease::valid);
            assertThrows(IllegalStateException.class, () -> view.getFloat(0));
            RingBatch batch = reader.leaseBatch(4, Duration.ofSeconds(1));
            assertEquals(1, batch.firstPosition());
            batch.close();
            batch.close();
            assertThrows(IllegalStateException.class, batch::buffer);
            assertThrows(IndexOutOfBoundsException.class, () -> batch.frameId(1));
            RingFrame frame;
            writer.write(new float[] {9, 9, 9, 9});
            frame = reader.take(Duration.ofSeconds(1));
            frame.close();
            frame.close();
            assertThrows(IllegalStateException.class, () -> frame.buffer().getFloat(0));
            reader.close();
            assertThrows(IllegalStateException.class, () -> reader.take(Duration.ZERO));
            writer.close();
            assertThrows(IllegalStateException.class, () -> writer.write(new float[4]));
        }
        assertThrows(IllegalStateException.class, () -> {
            Ring closed = Ring.open(name);
            closed.close();
            closed.writer();
        });
    }

    @Test
    void badArgumentsLeaveTheRingUntouched() {
        try (Ring ring = ring(4); RingReader reader = ring.reader("r"); RingWriter writer = ring.writer()) {
            assertThrows(IllegalArgumentException.class, () -> writer.write(new float[5]));
            assertThrows(IllegalArgumentException.class, () -> writer.write(new double[4]));
            assertThrows(IllegalArgumentException.class, () -> writer.write(java.nio.ByteBuffer.allocate(15)));
            assertThrows(IllegalArgumentException.class, () -> reader.readInto(java.nio.ByteBuffer.allocate(16).asReadOnlyBuffer()));
            assertThrows(IllegalArgumentException.class, () -> reader.leaseBatch(0, Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> ring.reader(" "));
            assertThrows(IllegalArgumentException.class, () -> ring.reader("x".repeat(65)));
            assertThrows(IllegalArgumentException.class, () -> ring.reader("a\0b"));
            assertEquals(0, ring.writePosition());
            assertThrows(IllegalArgumentException.class, () -> Ring.create(" ", RingOptions.of(DType.FLOAT32, 4)));
            assertThrows(IllegalArgumentException.class, () -> Ring.create("x".repeat(257), RingOptions.of(DType.FLOAT32, 4)));
            assertThrows(IllegalArgumentException.class, () -> RingOptions.of(DType.FLOAT32, 4).capacity(0));
            assertThrows(IllegalArgumentException.class, () -> RingOptions.of(DType.FLOAT32, 4).capacity((1 << 20) + 1));
            assertThrows(IllegalArgumentException.class, () -> RingOptions.of(DType.FLOAT32, 4).maxCursors(1025));
            assertThrows(IllegalArgumentException.class, () -> RingOptions.of(DType.FLOAT32));
            assertThrows(IllegalArgumentException.class, () -> RingOptions.of(DType.FLOAT32, 0));
            assertThrows(IllegalArgumentException.class, () -> Ring.create(name + "big",
                    RingOptions.of(DType.FLOAT64, 1L << 40, 1L << 20).capacity(1 << 20)));
        }
    }

    @Test
    void aFullCursorTableSaysWhatToDo() {
        try (Ring ring = Ring.create(name, RingOptions.of(DType.UINT8, 1).maxCursors(2))) {
            ring.reader("a").close();
            ring.reader("b").close();
            var e = assertThrows(io.arrowshm.SharedMemoryException.class, () -> ring.reader("c"));
            assertTrue(e.getMessage().contains("drop a cursor"), e.getMessage());
            assertTrue(ring.dropCursor("a"));
            ring.reader("c").close();
        }
    }
}

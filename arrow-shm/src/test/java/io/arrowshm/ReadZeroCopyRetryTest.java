package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.testing.Names;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 3: readZeroCopy retries a reader function that throws on a torn view (any
 * RuntimeException, and Errors such as AssertionError too) and propagates, unchanged, a
 * throw on a consistent view.
 */
@Timeout(60)
class ReadZeroCopyRetryTest {
    private static final int SIZE = 1 << 20;
    private static final int FRAMES = 8;
    private final String name = Names.unique("zc-retry");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    /** Frame f: every byte equals f (f = 1..FRAMES, cycled). */
    private static byte[][] frames() {
        byte[][] frames = new byte[FRAMES][SIZE];
        for (int f = 0; f < FRAMES; f++) {
            java.util.Arrays.fill(frames[f], (byte) (f + 1));
        }
        return frames;
    }

    /** Runs {@code body} while a writer thread publishes frames back to back; returns the writes made. */
    private long withWriter(SharedMemory writer, Runnable body) throws InterruptedException {
        byte[][] frames = frames();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        AtomicInteger writes = new AtomicInteger();
        Thread thread = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    writer.write(frames[i % FRAMES]);
                    writes.incrementAndGet();
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        }, "zc-writer");
        thread.setDaemon(true);
        thread.start();
        try {
            body.run();
        } finally {
            stop.set(true);
            thread.join(10_000);
        }
        assertTrue(!thread.isAlive(), "writer did not stop");
        if (writerFailure.get() != null) {
            fail("writer failed", writerFailure.get());
        }
        return writes.get();
    }

    /** Reads the view; returns the frame number, or throws what {@code torn} supplies on a mixed frame. */
    private static int frameOf(ArrowBuf view, Supplier<? extends Throwable> torn, AtomicInteger tornSeen) {
        byte first = view.getByte(0);
        for (int i = 64; i < SIZE; i += 64) {
            if (view.getByte(i) != first) {
                tornSeen.incrementAndGet();
                Throwable t = torn.get();
                if (t instanceof RuntimeException) {
                    throw (RuntimeException) t;
                }
                throw (Error) t;
            }
        }
        if (view.getByte(SIZE - 1) != first) {
            tornSeen.incrementAndGet();
            Throwable t = torn.get();
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            throw (Error) t;
        }
        return first;
    }

    private void tornViewsAreRetried(Supplier<? extends Throwable> torn) throws Exception {
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, SIZE);
             SharedMemory reader = SharedMemory.open(name)) {
            writer.write(frames()[0]);
            AtomicInteger tornSeen = new AtomicInteger();
            AtomicInteger reads = new AtomicInteger();
            withWriter(writer, () -> {
                long end = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < end && tornSeen.get() < 50) {
                    int frame = reader.readZeroCopy(view -> frameOf(view, torn, tornSeen));
                    assertTrue(frame >= 1 && frame <= FRAMES, "frame " + frame);
                    reads.incrementAndGet();
                }
            });
            assertTrue(reads.get() > 0, "no read completed");
            // Not an assertion on the library: the test only proves something when it met torn views.
            assertTrue(tornSeen.get() > 0, "the reader never met a torn view in 3 s (" + reads.get() + " reads)");
        }
    }

    @Test
    void anAssertionErrorOnATornViewIsRetried() throws Exception {
        tornViewsAreRetried(() -> new AssertionError("torn"));
    }

    @Test
    void anyOtherErrorOnATornViewIsRetried() throws Exception {
        tornViewsAreRetried(() -> new IllegalAccessError("torn")); // any Error, not only AssertionError
    }

    @Test
    void aRuntimeExceptionOnATornViewIsRetried() throws Exception {
        tornViewsAreRetried(() -> new IllegalStateException("torn"));
    }

    @Test
    void aRuntimeExceptionOnAConsistentViewPropagatesUnchanged() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, SIZE)) {
            shm.write(frames()[2]);
            IllegalStateException thrown = new IllegalStateException("consistent");
            AtomicInteger runs = new AtomicInteger();
            IllegalStateException seen = assertThrows(IllegalStateException.class, () -> shm.readZeroCopy(view -> {
                runs.incrementAndGet();
                throw thrown;
            }));
            assertSame(thrown, seen);
            assertEquals(1, runs.get(), "a throw on a consistent view is not retried");
            int last = shm.readZeroCopy(view -> (int) view.getByte(SIZE - 1));
            assertEquals(3, last, "the handle still reads");
        }
    }

    @Test
    void anErrorOnAConsistentViewPropagatesUnchanged() {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, SIZE)) {
            shm.write(frames()[2]);
            AssertionError thrown = new AssertionError("consistent");
            AtomicInteger runs = new AtomicInteger();
            AssertionError seen = assertThrows(AssertionError.class, () -> shm.readZeroCopy(view -> {
                runs.incrementAndGet();
                throw thrown;
            }));
            assertSame(thrown, seen);
            assertEquals(1, runs.get(), "a throw on a consistent view is not retried");
            int first = shm.readZeroCopy(view -> (int) view.getByte(0));
            assertEquals(3, first, "the handle still reads");
        }
    }

    @Test
    void aThrowOnAConsistentViewPropagatesEvenWhileWritesRun() throws Exception {
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, SIZE);
             SharedMemory reader = SharedMemory.open(name)) {
            writer.write(frames()[0]);
            AtomicInteger tornSeen = new AtomicInteger();
            withWriter(writer, () -> {
                for (int i = 0; i < 20; i++) {
                    IllegalArgumentException consistent = new IllegalArgumentException("consistent " + i);
                    IllegalArgumentException seen = assertThrows(IllegalArgumentException.class,
                            () -> reader.readZeroCopy(view -> {
                                frameOf(view, () -> new AssertionError("torn"), tornSeen);
                                throw consistent; // only reached on a whole frame
                            }));
                    assertSame(consistent, seen);
                }
            });
        }
    }
}

package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One handle shared by writer and reader threads in one JVM (jcstress is not available here):
 * two writers publish frames whose every int is the frame's number, readers use every read
 * path, and a view thread takes and closes buffer() views, twice each. No read may see a
 * mixed frame, counts never go backwards, and the final count is exact.
 */
class SharedHandleStressTest {
    private static final int INTS = 16 * 1024;
    private static final long RUN_NANOS = Duration.ofSeconds(2).toNanos();

    @Test
    @Timeout(60)
    void writersReadersAndViewsShareOneHandle() throws Exception {
        String name = Names.unique("stress");
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.INT32, INTS).notify(true))) {
            shm.write(new int[INTS]);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong(1);
            AtomicLong reads = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                threads.add(thread("writer-" + w, failures, () -> {
                    int[] frame = new int[INTS];
                    for (int n = 1; !stop.get(); n++) {
                        java.util.Arrays.fill(frame, n * 2 + writer);
                        if (n % 3 == 0) {
                            try (WriteView view = shm.writeView()) {
                                ArrowBuf live = view.buffer();
                                for (int i = 0; i < INTS; i++) {
                                    live.setInt(i * 4L, n * 2 + writer);
                                }
                                view.publish();
                            }
                        } else {
                            shm.write(frame);
                        }
                        writes.incrementAndGet();
                    }
                }));
            }
            threads.add(thread("readInto", failures, () -> {
                int[] frame = new int[INTS];
                while (!stop.get()) {
                    shm.readInto(frame);
                    check(frame[0], i -> frame[i], failures, "readInto");
                    reads.incrementAndGet();
                }
            }));
            threads.add(thread("zero-copy", failures, () -> {
                while (!stop.get()) {
                    int first = shm.readZeroCopy(view -> {
                        int v = view.getInt(0);
                        for (int i = 1; i < INTS; i++) {
                            if (view.getInt(i * 4L) != v) {
                                throw new IllegalStateException("mixed"); // torn: retried, never surfaces
                            }
                        }
                        return v;
                    });
                    if (first < 0) {
                        failures.add("zero-copy saw " + first);
                    }
                    reads.incrementAndGet();
                }
            }));
            threads.add(thread("readNew", failures, () -> {
                long last = -1;
                while (!stop.get()) {
                    try (Publication p = shm.readNewPublication(Duration.ofSeconds(1))) {
                        ArrowBuf copy = p.payload();
                        check(copy.getInt(0), i -> copy.getInt(i * 4L), failures, "readNewPublication");
                        if (p.count() <= last) {
                            failures.add("count went from " + last + " to " + p.count());
                        }
                        last = p.count();
                    } catch (StreamTimeoutException quiet) {
                        // writers stopped
                    }
                    reads.incrementAndGet();
                }
            }));
            threads.add(thread("views", failures, () -> {
                while (!stop.get()) {
                    ArrowBuf view = shm.buffer();
                    view.getInt(0);
                    view.close();
                    view.close(); // must never give back the handle's reference
                }
            }));
            threads.forEach(Thread::start);
            Thread.sleep(RUN_NANOS / 1_000_000);
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(30_000);
                assertTrue(!thread.isAlive(), thread.getName() + " hung");
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertEquals(writes.get(), shm.count(), "every publication counted once");
            assertTrue(reads.get() > 0);
            int[] last = new int[INTS];
            shm.readInto(last); // the handle still works after thousands of closed views
        } finally {
            SharedMemory.unlink(name);
        }
    }

    private interface IntAt {
        int at(int index);
    }

    private static void check(int first, IntAt frame, ConcurrentLinkedQueue<String> failures, String path) {
        for (int i = 1; i < INTS; i++) {
            if (frame.at(i) != first) {
                failures.add(path + " read a mixed frame: " + first + " and " + frame.at(i) + " at " + i);
                return;
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread thread(String name, ConcurrentLinkedQueue<String> failures, Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(name + ": " + e);
            }
        }, name);
        thread.setDaemon(true);
        return thread;
    }
}

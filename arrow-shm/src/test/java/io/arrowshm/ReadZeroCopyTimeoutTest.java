package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Defect 3 (pending): {@code readZeroCopy(Function, Duration)} honours its deadline. This class
 * lives in src/test/java-pending because the overload does not exist yet; move it to
 * src/test/java once it does.
 */
@Timeout(60)
class ReadZeroCopyTimeoutTest {
    private static final int SIZE = 1 << 20;
    private final String name = Names.unique("zc-timeout");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void writesThatKeepOverlappingEndInATimeout() throws Exception {
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, SIZE);
             SharedMemory reader = SharedMemory.open(name)) {
            writer.write(new byte[SIZE]);
            AtomicBoolean stop = new AtomicBoolean();
            Thread thread = new Thread(() -> {
                byte[] frame = new byte[SIZE];
                while (!stop.get()) {
                    writer.write(frame);
                }
            }, "zc-timeout-writer");
            thread.setDaemon(true);
            thread.start();
            try {
                long start = System.nanoTime();
                // Each run takes 20 ms, longer than a write: every run overlaps one.
                assertThrows(StreamTimeoutException.class, () -> reader.readZeroCopy(view -> {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return view.getLong(0);
                }, Duration.ofMillis(200)));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 3_000, "a 200 ms deadline ended after " + millis + " ms");
            } finally {
                stop.set(true);
                thread.join(10_000);
            }
        }
    }

    @Test
    void aWriterHoldingAnOddSequenceInAnotherProcessEndsInATimeout() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, SIZE)) {
            shm.write(new byte[SIZE]);
            try (PeerProcess writer = PeerProcess.java(io.arrowshm.testing.JavaPeer.class, "pause-in-write", name, "1")) {
                writer.await("paused", Duration.ofSeconds(30));
                long start = System.nanoTime();
                assertThrows(StreamTimeoutException.class,
                        () -> shm.readZeroCopy(view -> view.getLong(0), Duration.ofMillis(200)));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 3_000, "a 200 ms deadline ended after " + millis + " ms");
                writer.kill();
            }
        }
    }

    @Test
    void aWriteViewHeldOpenByAnotherThreadEndsInATimeout() throws Exception {
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, SIZE);
             SharedMemory reader = SharedMemory.open(name)) {
            writer.write(new byte[SIZE]);
            java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread thread = new Thread(() -> {
                try (WriteView view = writer.writeView()) {
                    open.countDown();
                    done.await();
                    view.publish();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "zc-timeout-view");
            thread.start();
            assertTrue(open.await(10, java.util.concurrent.TimeUnit.SECONDS));
            try {
                long start = System.nanoTime();
                assertThrows(StreamTimeoutException.class,
                        () -> reader.readZeroCopy(view -> view.getLong(0), Duration.ofMillis(200)));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 3_000, "a 200 ms deadline ended after " + millis + " ms");
            } finally {
                done.countDown();
                thread.join(10_000);
            }
        }
    }
}

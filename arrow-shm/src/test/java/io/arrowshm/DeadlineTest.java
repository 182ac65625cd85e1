package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.testing.JavaPeer;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defect 5: reads with a deadline honour it on every retry, also when every copy of a 128 MiB
 * payload overlaps a write. Writers: a thread doing full {@code write(byte[])}s back to back,
 * the same in another process, and a thread publishing write views about once a millisecond
 * (the sequence is then nearly always even, so a reader that checks its deadline only while it
 * sees a write in progress retries for as long as the writes go on). A 200 ms read must return
 * a publication or throw StreamTimeoutException within 3 s (a generous bound: performance is
 * not asserted). The read runs on its own thread, so an overrun fails the test at 3 s.
 */
@Timeout(180)
class DeadlineTest {
    private static final int SIZE = 128 << 20;
    private static final Duration BOUND = Duration.ofSeconds(3);
    private final String name = Names.unique("deadline");

    @AfterEach
    void removeStream() throws Exception {
        RegressionSupport.removeStream(name);
    }

    interface TimedRead {
        void run(SharedMemory reader, Duration timeout) throws Exception;
    }

    private static TimedRead call(String call) {
        switch (call) {
            case "read": return (r, t) -> r.read(t).close();
            case "readNew": return (r, t) -> r.readNew(t).close();
            case "readPublication": return (r, t) -> r.readPublication(t).close();
            case "readNewPublication": return (r, t) -> r.readNewPublication(t).close();
            case "readAfter": return (r, t) -> r.readAfter(0, t).close();
            case "readAfterPublication": return (r, t) -> r.readAfterPublication(0, t).close();
            case "waitForCount": return (r, t) -> r.waitForCount(0, t);
            default: throw new IllegalArgumentException(call);
        }
    }

    @ParameterizedTest(name = "{0}(200 ms) while {1}")
    @CsvSource({
        "read, thread-full-writes", "readNew, thread-full-writes", "readPublication, thread-full-writes",
        "readNewPublication, thread-full-writes", "readAfter, thread-full-writes",
        "readAfterPublication, thread-full-writes", "waitForCount, thread-full-writes",
        "read, process-full-writes", "readNew, process-full-writes",
        "read, thread-quick-publishes", "readNew, thread-quick-publishes", "readPublication, thread-quick-publishes",
        "readNewPublication, thread-quick-publishes", "readAfter, thread-quick-publishes",
        "readAfterPublication, thread-quick-publishes", "waitForCount, thread-quick-publishes"})
    void aTimedReadEndsNearItsDeadlineWhileWritesKeepOverlapping(String call, String writes) throws Exception {
        TimedRead read = call(call);
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, SIZE);
             SharedMemory reader = SharedMemory.open(name)) {
            byte[][] frames = {new byte[SIZE], new byte[SIZE]};
            java.util.Arrays.fill(frames[1], (byte) 1);
            writer.write(frames[0]);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread thread = null;
            PeerProcess process = null;
            if (writes.equals("process-full-writes")) {
                process = PeerProcess.java(JavaPeer.class, "write-loop", name, "5");
                process.await("writing", Duration.ofSeconds(60));
            } else {
                boolean full = writes.equals("thread-full-writes");
                thread = new Thread(() -> {
                    try {
                        for (long i = 0; !stop.get(); i++) {
                            if (full) {
                                writer.write(frames[(int) (i & 1)]);
                            } else {
                                try (WriteView view = writer.writeView()) {
                                    view.buffer().setLong(0, i);
                                    view.publish();
                                }
                                LockSupport.parkNanos(1_000_000);
                            }
                        }
                    } catch (Throwable t) {
                        writerFailure.set(t);
                    }
                }, "deadline-writer");
                thread.setDaemon(true);
                thread.start();
            }
            try {
                Thread.sleep(100); // writes are running
                for (int attempt = 0; attempt < 3; attempt++) {
                    long start = System.nanoTime();
                    RegressionSupport.Outcome outcome = RegressionSupport.start("timed-reader", () -> {
                        try {
                            read.run(reader, Duration.ofMillis(200));
                            return "a publication";
                        } catch (StreamTimeoutException timeout) {
                            return "a timeout"; // a correct answer too
                        }
                    });
                    RegressionSupport.join(outcome, BOUND);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    if (!outcome.ended()) {
                        stop.set(true); // let the overrunning read finish, then fail
                        if (process != null) {
                            process.kill();
                        }
                        RegressionSupport.join(outcome, Duration.ofSeconds(60));
                        fail(call + "(200 ms) was still running after " + millis + " ms (attempt " + attempt
                                + "); it ended only once the writes stopped, " + (System.nanoTime() - start) / 1_000_000
                                + " ms after it began");
                    }
                    assertTrue(outcome.thrown.get() == null, call + " failed: " + outcome.describe());
                }
            } finally {
                stop.set(true);
                if (thread != null) {
                    thread.join(30_000);
                }
                if (process != null) {
                    process.close();
                }
            }
            if (writerFailure.get() != null) {
                fail("writer failed", writerFailure.get());
            }
        }
    }
}

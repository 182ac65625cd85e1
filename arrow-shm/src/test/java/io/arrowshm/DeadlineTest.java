package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.testing.Names;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Defect 5: reads with a deadline honour it on every retry. A writer thread publishes full
 * 128 MiB writes back to back, so nearly every copy overlaps a write; a 200 ms read must
 * return a publication or throw StreamTimeoutException well within 3 s (a generous bound:
 * performance is not asserted).
 */
@Timeout(120)
class DeadlineTest {
    private static final int SIZE = 128 << 20;
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

    @ParameterizedTest(name = "{0}(200 ms) while writes keep overlapping")
    @ValueSource(strings = {"read", "readNew", "readPublication", "readNewPublication", "readAfter",
        "readAfterPublication", "waitForCount"})
    void aTimedReadEndsNearItsDeadlineWhileWritesKeepOverlapping(String call) throws Exception {
        TimedRead read = call(call);
        try (SharedMemory writer = SharedMemory.create(name, DType.UINT8, SIZE);
             SharedMemory reader = SharedMemory.open(name)) {
            byte[][] frames = {new byte[SIZE], new byte[SIZE]};
            java.util.Arrays.fill(frames[1], (byte) 1);
            writer.write(frames[0]);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        writer.write(frames[i & 1]);
                    }
                } catch (Throwable t) {
                    writerFailure.set(t);
                }
            }, "deadline-writer");
            thread.setDaemon(true);
            thread.start();
            try {
                Thread.sleep(100); // writes are running
                for (int attempt = 0; attempt < 5; attempt++) {
                    long start = System.nanoTime();
                    try {
                        read.run(reader, Duration.ofMillis(200));
                    } catch (StreamTimeoutException expectedSometimes) {
                        // a timeout is a correct answer too
                    }
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(millis < 3_000, call + "(200 ms) ran " + millis + " ms (attempt " + attempt + ")");
                }
            } finally {
                stop.set(true);
                thread.join(30_000);
            }
            if (writerFailure.get() != null) {
                fail("writer failed", writerFailure.get());
            }
        }
    }
}

package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.JavaPeer;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defect 6: every blocking call ends within 1 s of Thread.interrupt() with
 * StreamInterruptedException, the thread's interrupt status still set.
 */
@Timeout(90)
class InterruptTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(1);
    private final String name = Names.unique("interrupt");

    @AfterEach
    void removeStream() throws Exception {
        RegressionSupport.removeStream(name);
    }

    private static RegressionSupport.Call waitCall(SharedMemory reader, String call) {
        switch (call) {
            case "readNew": return () -> reader.readNew();
            case "readNew-1min": return () -> reader.readNew(Duration.ofMinutes(1));
            case "waitForCount": return () -> reader.waitForCount(reader.count(), Duration.ofMinutes(1));
            case "readAfter": return () -> reader.readAfter(reader.count(), Duration.ofMinutes(1));
            case "readNewPublication": return () -> reader.readNewPublication(Duration.ofMinutes(1));
            case "readAfterPublication": return () -> reader.readAfterPublication(reader.count(), Duration.ofMinutes(1));
            default: throw new IllegalArgumentException(call);
        }
    }

    /** Interrupts {@code outcome}'s thread and requires it to end promptly in StreamInterruptedException, still interrupted. */
    private static void interruptAndExpect(RegressionSupport.Outcome outcome, String what) throws InterruptedException {
        Thread.sleep(300); // it is blocked by now
        assertTrue(!outcome.ended(), what + " should still be waiting, but " + outcome.describe());
        long start = System.nanoTime();
        outcome.thread.interrupt();
        RegressionSupport.join(outcome, PROMPTLY);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(outcome.ended(), what + " did not end within 1 s of the interrupt: " + outcome.describe());
        assertTrue(outcome.thrown.get() instanceof StreamInterruptedException,
                what + " must end in StreamInterruptedException, but " + outcome.describe() + " after " + millis + " ms");
        assertTrue(outcome.interruptedAfter, what + ": the thread's interrupt status was cleared");
    }

    @ParameterizedTest(name = "{0} on a {1} stream nobody writes")
    @CsvSource({"readNew, notify", "readNew, polling", "readNew-1min, notify", "readNew-1min, polling",
        "waitForCount, notify", "waitForCount, polling", "readAfter, notify", "readAfter, polling",
        "readNewPublication, notify", "readNewPublication, polling", "readAfterPublication, notify",
        "readAfterPublication, polling"})
    void aWaitForANewWriteEndsOnInterrupt(String call, String kind) throws Exception {
        try (SharedMemory writer = SharedMemory.create(name, CreateOptions.of(DType.UINT8, 4096)
                .notify(kind.equals("notify")));
             SharedMemory reader = SharedMemory.open(name)) {
            writer.write(new byte[4096]);
            RegressionSupport.Outcome outcome = RegressionSupport.start("waiter", waitCall(reader, call));
            try {
                interruptAndExpect(outcome, call);
            } finally {
                if (!outcome.ended()) {
                    writer.write(new byte[4096]); // let a stuck waiter go
                    RegressionSupport.join(outcome, Duration.ofSeconds(5));
                }
            }
        }
    }

    @ParameterizedTest(name = "readNew(Duration) on a {0} stream by a thread interrupted before the call")
    @CsvSource({"notify", "polling"})
    void aThreadInterruptedBeforeTheCallEndsAtOnce(String kind) throws Exception {
        try (SharedMemory writer = SharedMemory.create(name, CreateOptions.of(DType.UINT8, 4096)
                .notify(kind.equals("notify")));
             SharedMemory reader = SharedMemory.open(name)) {
            writer.write(new byte[4096]);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            RegressionSupport.Outcome outcome = RegressionSupport.start("pre-interrupted", () -> {
                go.await();
                Thread.currentThread().interrupt();
                long start = System.nanoTime();
                try {
                    return reader.readNew(Duration.ofMinutes(1));
                } finally {
                    System.out.println("pre-interrupted readNew ended after " + (System.nanoTime() - start) / 1_000_000
                            + " ms");
                }
            });
            go.countDown();
            RegressionSupport.join(outcome, PROMPTLY);
            try {
                assertTrue(outcome.ended(), "readNew(1 min) by an interrupted thread did not end within 1 s: "
                        + outcome.describe());
                assertTrue(outcome.thrown.get() instanceof StreamInterruptedException,
                        "it must end in StreamInterruptedException, but " + outcome.describe());
                assertTrue(outcome.interruptedAfter, "the thread's interrupt status was cleared");
            } finally {
                if (!outcome.ended()) {
                    writer.write(new byte[4096]);
                    RegressionSupport.join(outcome, Duration.ofSeconds(5));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} while {1} holds the lock")
    @CsvSource({"acquire, child-jvm", "acquire-1min, child-jvm", "writeView, child-jvm",
        "acquire, pyshmem", "acquire-1min, pyshmem", "writeView, pyshmem"})
    void aWaitForTheLockHeldByAnotherProcessEndsOnInterrupt(String call, String holder) throws Exception {
        try (SharedMemory creator = SharedMemory.create(name, DType.UINT8, 4096);
             SharedMemory waiter = SharedMemory.open(name)) {
            creator.write(new byte[4096]);
            try (PeerProcess process = holder.equals("pyshmem")
                    ? PeerProcess.python("peer.py", "hold-lock", name, "60")
                    : PeerProcess.java(JavaPeer.class, "hold-lock", name, "60000")) {
                process.await("locked", Duration.ofSeconds(30));
                RegressionSupport.Outcome outcome = RegressionSupport.start("lock-waiter", () -> {
                    switch (call) {
                        case "acquire": waiter.acquire(); waiter.release(); return "acquired";
                        case "acquire-1min": waiter.acquire(Duration.ofMinutes(1)); waiter.release(); return "acquired";
                        default: waiter.writeView().close(); return "opened a write view";
                    }
                });
                try {
                    interruptAndExpect(outcome, call);
                } finally {
                    process.kill(); // frees the lock, so a stuck waiter ends
                    RegressionSupport.join(outcome, Duration.ofSeconds(5));
                }
            }
        }
    }
}

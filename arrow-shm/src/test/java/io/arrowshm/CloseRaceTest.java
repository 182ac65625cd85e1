package io.arrowshm;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.JavaPeer;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defect 4: close() racing a thread that waits for the write lock. Thread B waits in
 * {@code h2.acquire()} (or {@code h2.writeView()}) while the lock is held through another
 * handle of this JVM or by another process; thread C closes h2; then the holder releases. B must
 * end with IllegalStateException (closed handle) or StreamInterruptedException, never hold the
 * lock, so that pyshmem, another JVM and {@code SharedMemory.unlink} all get it within 2 s.
 */
@Timeout(90)
class CloseRaceTest {
    private final String name = Names.unique("close-race");

    @AfterEach
    void removeStream() throws Exception {
        RegressionSupport.removeStream(name);
    }

    @ParameterizedTest(name = "holder {0}, waiter in {1}")
    @CsvSource({"same-jvm, acquire", "same-jvm, writeView", "child-jvm, acquire", "child-jvm, writeView"})
    void closingAHandleWhoseThreadWaitsForTheLockNeverLeavesTheLockHeld(String holder, String call) throws Exception {
        try (SharedMemory creator = SharedMemory.create(name, DType.UINT8, 4096)) {
            creator.write(new byte[4096]);
            SharedMemory h2 = SharedMemory.open(name);

            // The holder: another handle in this JVM (thread A), or another process.
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            RegressionSupport.Outcome threadA = null;
            PeerProcess process = null;
            if (holder.equals("same-jvm")) {
                threadA = RegressionSupport.start("holder-A", () -> {
                    try (SharedMemory h1 = SharedMemory.open(name)) {
                        h1.acquire();
                        held.countDown();
                        letGo.await(30, TimeUnit.SECONDS);
                        h1.release();
                    }
                    return "released";
                });
                assertTrue(held.await(10, TimeUnit.SECONDS), "thread A did not take the lock");
            } else {
                process = PeerProcess.java(JavaPeer.class, "hold-lock", name, "2500");
                process.await("locked", Duration.ofSeconds(30));
            }
            try {
                RegressionSupport.Outcome threadB = RegressionSupport.start("waiter-B", () -> {
                    if (call.equals("acquire")) {
                        h2.acquire();
                        return "RETURNED HOLDING THE LOCK";
                    }
                    WriteView view = h2.writeView();
                    return "RETURNED A WRITE VIEW " + view;
                });
                Thread.sleep(400);
                assertTrue(!threadB.ended(), "B should be waiting for the lock, but " + threadB.describe());

                RegressionSupport.Outcome threadC = RegressionSupport.start("closer-C", () -> {
                    h2.close();
                    return "closed";
                });
                RegressionSupport.join(threadC, Duration.ofSeconds(5));

                // The holder releases.
                if (process != null) {
                    process.await("released", Duration.ofSeconds(30));
                } else {
                    letGo.countDown();
                    RegressionSupport.join(threadA, Duration.ofSeconds(5));
                }
                RegressionSupport.join(threadB, Duration.ofSeconds(5));

                List<Executable> checks = new ArrayList<>();
                checks.add(() -> assertTrue(threadC.ended(), "close() did not return: " + threadC.describe()));
                checks.add(() -> assertTrue(threadB.ended() && (threadB.thrown.get() instanceof IllegalStateException
                                || threadB.thrown.get() instanceof StreamInterruptedException),
                        "B must end with IllegalStateException or StreamInterruptedException, but " + threadB.describe()));
                String python = pyshmemTryLock();
                checks.add(() -> assertEquals("acquired", python, "pyshmem could not take the lock within 2 s"));
                String java = javaTryLock();
                checks.add(() -> assertEquals("acquired", java, "a child JVM could not take the lock within 2 s"));
                boolean unlinked = RegressionSupport.unlinkWithin(name, Duration.ofSeconds(2));
                checks.add(() -> assertTrue(unlinked, "SharedMemory.unlink did not return within 2 s"));
                assertAll(checks);
            } finally {
                letGo.countDown();
                if (process != null) {
                    process.close();
                }
            }
        }
    }

    private String pyshmemTryLock() {
        try (PeerProcess python = PeerProcess.python("peer.py", "try-lock", name, "2")) {
            return python.nextLine(Duration.ofSeconds(30));
        }
    }

    private String javaTryLock() {
        try (PeerProcess java = PeerProcess.java(JavaPeer.class, "try-lock", name, "2000")) {
            return java.nextLine(Duration.ofSeconds(30));
        }
    }
}

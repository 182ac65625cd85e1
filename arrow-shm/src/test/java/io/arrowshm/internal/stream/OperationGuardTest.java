package io.arrowshm.internal.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.SharedMemoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class OperationGuardTest {
    private final AtomicInteger releases = new AtomicInteger();
    private final OperationGuard guard = new OperationGuard("s", releases::incrementAndGet);

    @Test
    void closingWithNothingInFlightReleasesAtOnceAndOnlyOnce() {
        assertTrue(guard.close());
        assertFalse(guard.close(), "second close reports it was already closed");
        assertEquals(1, releases.get());
    }

    @Test
    void closingWhileAnOperationRunsDefersTheReleaseToItsExit() {
        guard.enter("read from");
        guard.close();
        assertEquals(0, releases.get(), "never released under a running operation");
        guard.exit();
        assertEquals(1, releases.get());
    }

    @Test
    void anOperationRefusedAfterCloseNeitherReleasesEarlyNorTwice() {
        guard.enter("read from");
        guard.close();
        assertThrows(IllegalStateException.class, () -> guard.enter("read count from"));
        assertEquals(0, releases.get(), "a refused operation does not release under a running one");
        guard.exit();
        assertEquals(1, releases.get());
        assertThrows(IllegalStateException.class, () -> guard.enter("read count from"));
        assertThrows(IllegalStateException.class, () -> guard.enter("read count from"));
        assertEquals(1, releases.get(), "refusals after the release do not release again");
    }

    @Test
    void aClosedGuardRefusesWithTheOperationAndTheWayOut() {
        guard.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> guard.enter("write to"));
        assertTrue(closed.getMessage().contains("cannot write to closed shared memory 's'"), closed.getMessage());
        assertTrue(closed.getMessage().contains("SharedMemory.open(\"s\")"), closed.getMessage());
        assertThrows(IllegalStateException.class, () -> guard.checkOpen("wait on"));
    }

    @Test
    void faultsOnMappedMemoryBecomeTheLibrarysExceptionAndOthersPassUnchanged() {
        InternalError sigbus = new InternalError("a fault occurred in an unsafe memory access");
        RuntimeException translated = guard.fault(sigbus, "read from");
        assertTrue(translated instanceof SharedMemoryException);
        assertSame(sigbus, translated.getCause());
        assertTrue(translated.getMessage().contains("no longer backed"), translated.getMessage());
        IllegalArgumentException plain = new IllegalArgumentException("x");
        assertSame(plain, guard.fault(plain, "read from"));
        AssertionError error = new AssertionError("y");
        assertSame(error, assertThrows(AssertionError.class, () -> guard.fault(error, "read from")));
    }

    @Test
    @Timeout(30)
    void raceOfCloseAgainstManyOperationsReleasesExactlyOnceAfterTheLast() throws Exception {
        for (int round = 0; round < 200; round++) {
            AtomicInteger released = new AtomicInteger();
            AtomicInteger inFlightAtRelease = new AtomicInteger(-1);
            AtomicInteger inFlight = new AtomicInteger();
            OperationGuard raced = new OperationGuard("s", () -> {
                inFlightAtRelease.set(inFlight.get());
                released.incrementAndGet();
            });
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(new Thread(() -> {
                    await(start);
                    for (int i = 0; i < 200; i++) {
                        try {
                            raced.enter("read from");
                        } catch (IllegalStateException closed) {
                            return;
                        }
                        inFlight.incrementAndGet();
                        inFlight.decrementAndGet();
                        raced.exit();
                    }
                }));
            }
            threads.add(new Thread(() -> {
                await(start);
                raced.close();
            }));
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(1, released.get(), "round " + round);
            assertEquals(0, inFlightAtRelease.get(), "released with an operation in flight in round " + round);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}

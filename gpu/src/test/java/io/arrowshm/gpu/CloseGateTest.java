package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The payload's close gate: concurrent uses, a close that waits for them, none after. */
@Timeout(30)
class CloseGateTest {

    @Test
    void closeWaitsForAUseInProgressAndLaterUsesAreRefused() throws Exception {
        CloseGate gate = new CloseGate();
        CountDownLatch inUse = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Thread user = new Thread(() -> gate.run(() -> {
            inUse.countDown();
            try {
                letGo.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.set(true);
        }, () -> "closed"));
        user.start();
        assertTrue(inUse.await(10, TimeUnit.SECONDS));
        boolean[] closedFirst = new boolean[1];
        Thread closer = new Thread(() -> closedFirst[0] = gate.close());
        closer.start();
        closer.join(300);
        assertTrue(closer.isAlive(), "close must wait for the use in progress");

        letGo.countDown();
        closer.join(10_000);

        assertTrue(finished.get());
        assertTrue(closedFirst[0]);
        assertTrue(gate.closed());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> gate.run(() -> { }, () -> "the device payload of 'frames' is closed"));
        assertEquals("the device payload of 'frames' is closed", e.getMessage());
    }

    @Test
    void usesRunConcurrentlyAndCloseTwiceReportsOnce() throws Exception {
        CloseGate gate = new CloseGate();
        CountDownLatch both = new CountDownLatch(2);
        java.util.concurrent.atomic.AtomicInteger overlapped = new java.util.concurrent.atomic.AtomicInteger();
        Runnable use = () -> gate.run(() -> {
            both.countDown();
            try {
                if (both.await(10, TimeUnit.SECONDS)) {
                    overlapped.incrementAndGet(); // the other use entered while this one was inside
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, () -> "closed");
        Thread a = new Thread(use);
        Thread b = new Thread(use);
        a.start();
        b.start();
        a.join();
        b.join();
        assertEquals(2, overlapped.get());

        assertTrue(gate.close());
        assertFalse(gate.close());
    }
}

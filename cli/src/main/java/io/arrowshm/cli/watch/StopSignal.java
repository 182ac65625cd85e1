package io.arrowshm.cli.watch;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM for a loop that must finish cleanly: the shutdown hook only
 * raises a flag and then waits, briefly, for the loop to print its summary and close its
 * handle; the JVM exits after that with the signal's status (130 for Ctrl-C).
 */
public final class StopSignal implements AutoCloseable {
    /** The longest the JVM's exit waits for the loop to wind down. */
    private static final long GRACE_MILLIS = 3_000;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onSignal, "arrow-shm-stop");
    private volatile boolean raised;

    public StopSignal() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public boolean raised() {
        return raised;
    }

    private void onSignal() {
        raised = true;
        try {
            finished.await(GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The loop is done: lets a pending exit proceed, or unregisters the hook on a normal end. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // The JVM is already shutting down (the signal came): the hook runs and returns at once.
        }
    }
}

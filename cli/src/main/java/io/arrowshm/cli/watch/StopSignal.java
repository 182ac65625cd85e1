package io.arrowshm.cli.watch;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Ctrl-C (SIGINT) or SIGTERM for a loop that must finish cleanly: the shutdown hook raises a
 * flag (and runs the command's stop action, if it gave one) and then waits for the loop to print
 * its summary and close its handle; the JVM exits after that with the signal's status (130 for
 * Ctrl-C). The wait lasts a grace period (3 s unless the command says more), and another as
 * long as the command's progress counter moved in the last one: {@code record} finishing a queue
 * of lz4 batches keeps moving and is waited for, a command stuck on a dead disk is not.
 *
 * <pre>{@code
 * try (StopSignal stop = new StopSignal(recorder::stop, () -> recorder.stats().fileBytes(), Duration.ofSeconds(20))) {
 *     recorder.record();
 * }
 * }</pre>
 */
public final class StopSignal implements AutoCloseable {
    /** How long the JVM's exit waits for the loop when it shows no progress, unless the command says more. */
    private static final long GRACE_MILLIS = 3_000;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onSignal, "arrow-shm-stop");
    private final Runnable onRaise;
    private final LongSupplier progress;
    private final long graceMillis;
    private volatile boolean raised;

    /** A flag the loop polls; the exit waits 3 s for it. */
    public StopSignal() {
        this(() -> { }, () -> 0, Duration.ZERO);
    }

    /**
     * Runs {@code onRaise} when the signal comes, and waits while {@code progress} keeps changing
     * within each {@code grace} (at least 3 s): the longest one step of the command's work may take.
     */
    public StopSignal(Runnable onRaise, LongSupplier progress, Duration grace) {
        this.onRaise = onRaise;
        this.progress = progress;
        this.graceMillis = Math.max(GRACE_MILLIS, grace.toMillis());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public boolean raised() {
        return raised;
    }

    private void onSignal() {
        raised = true;
        try {
            onRaise.run();
            long seen = progress.getAsLong();
            while (!finished.await(graceMillis, TimeUnit.MILLISECONDS)) {
                long now = progress.getAsLong();
                if (now == seen) {
                    return; // nothing moved in a whole grace period: stop waiting
                }
                seen = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the command's own state failed to report: exit as without progress
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

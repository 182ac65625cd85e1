package io.arrowshm.tensors;

import java.util.concurrent.locks.LockSupport;

/**
 * When the next row of a replay is due: at once (fast), every 1/rate seconds, or at the
 * recorded {@code write_time} deltas from the first row. Targets are absolute, so time spent
 * publishing does not accumulate into drift.
 */
final class Pacer {
    private final ReplayOptions.Pace pace;
    private final long periodNanos;
    private long startNanos;
    private long firstWriteTime;
    private long rows;

    Pacer(ReplayOptions.Pace pace, double rateHz) {
        this.pace = pace;
        this.periodNanos = pace == ReplayOptions.Pace.RATE ? Math.max(1, Math.round(1e9 / rateHz)) : 0;
    }

    /** Starts (again, for a loop): the next row is due at once. */
    void restart() {
        rows = 0;
    }

    /**
     * Waits until the row recorded at {@code writeTimeNanos} is due.
     *
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    void awaitDue(long writeTimeNanos) throws InterruptedException {
        long now = System.nanoTime();
        if (rows++ == 0) {
            startNanos = now;
            firstWriteTime = writeTimeNanos;
            return;
        }
        long due;
        switch (pace) {
            case RATE:
                due = startNanos + (rows - 1) * periodNanos;
                break;
            case ORIGINAL:
                due = startNanos + Math.max(0, writeTimeNanos - firstWriteTime);
                break;
            default:
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                return;
        }
        while ((now = System.nanoTime()) - due < 0) {
            LockSupport.parkNanos(due - now);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}

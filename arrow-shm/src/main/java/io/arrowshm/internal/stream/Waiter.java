package io.arrowshm.internal.stream;

import io.arrowshm.WaitStrategy;
import io.arrowshm.internal.posix.Futex;
import io.arrowshm.internal.posix.Timespec;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** One step of waiting for a stream's sequence to move, per the handle's {@link WaitStrategy}. */
public final class Waiter {
    /** pyshmem's park cap on notify streams, so dead-writer detection keeps running. */
    public static final long MAX_FUTEX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final WaitStrategy strategy;
    private final long futexAddress;

    /**
     * @param futexAddress the sequence word to park on, or 0 to poll (streams without notify)
     */
    public Waiter(WaitStrategy strategy, long futexAddress) {
        this.strategy = strategy;
        this.futexAddress = futexAddress;
    }

    public WaitStrategy strategy() {
        return strategy;
    }

    public boolean notifying() {
        return futexAddress != 0;
    }

    /**
     * Waits once. {@code observedSequence} must be the value the caller decided to wait on,
     * so a publication after that sample ends a futex park at once (no lost wake-up).
     */
    public void idle(int iteration, long observedSequence, long remainingNanos) {
        if (!strategy.parking(iteration)) {
            if (strategy.pastSpinning(iteration)) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
            return;
        }
        if (remainingNanos <= 0) {
            return;
        }
        if (futexAddress != 0) {
            Futex.await(futexAddress, (int) observedSequence, Math.min(remainingNanos, MAX_FUTEX_PARK_NANOS),
                    Timespec.forCurrentThread());
        } else {
            LockSupport.parkNanos(Math.min(remainingNanos, strategy.pollParkNanos(iteration)));
        }
    }
}

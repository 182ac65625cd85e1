package io.arrowshm;

import java.time.Duration;

/**
 * How a reader idles while it waits for a writer, in the manner of Agrona's
 * {@code IdleStrategy}: the library calls {@link #idle} once per unsuccessful round of a wait
 * (the round number starts at 0 and restarts whenever the stream moves), and the strategy
 * spins, yields or parks. Parking goes through the {@link Parker} it is given: on notify
 * streams that is a futex wait that the next write ends at once (capped at 50 ms so a dead
 * writer is still noticed); on other streams a timed sleep. Every wait also ends at its
 * deadline, when the handle is closed, and on {@link Thread#interrupt()} (with
 * {@link StreamInterruptedException}), whatever the strategy does.
 *
 * <pre>{@code
 * var lowLatency = WaitStrategy.spinning(100_000);              // spin ~ms before parking
 * var polite = WaitStrategy.of(0, 0, Duration.ofMillis(1));      // park at once, poll at 1 ms
 * WaitStrategy yielding = (round, parker) -> Thread.yield();     // a strategy of your own
 * try (var shm = SharedMemory.open("frames", OpenOptions.defaults().waitStrategy(lowLatency))) {
 *     shm.readNew(Duration.ofSeconds(1)).close();
 * }
 * }</pre>
 */
@FunctionalInterface
public interface WaitStrategy {
    /**
     * Idles once, in round {@code round} of a wait. Implementations return promptly or park
     * through {@code parker}; the library checks deadlines, interrupts and the stream itself
     * between rounds.
     */
    void idle(int round, Parker parker);

    /**
     * Whether round {@code round} is past busy-spinning, so that the wait may afford a check
     * that costs a system call (whether a writer that holds an odd sequence is still alive).
     * The default says yes from the first round.
     */
    default boolean pastSpinning(int round) {
        return true;
    }

    /** Parks the waiting thread in a way that a write to the stream ends. */
    @FunctionalInterface
    interface Parker {
        /**
         * Parks until the stream moves, the wait's deadline, or at most {@code pollNanos}
         * on a stream that cannot notify (notify streams wait for the write itself, capped at
         * 50 ms). Returns early on an interrupt.
         */
        void park(long pollNanos);
    }

    /** 2,000 spins (tens of microseconds), 50 yields, then parks polling at most every millisecond. */
    static WaitStrategy defaults() {
        return BackoffWaitStrategy.DEFAULTS;
    }

    /** {@code spins} busy rounds before the default yields and parking. */
    static WaitStrategy spinning(int spins) {
        return new BackoffWaitStrategy(spins, BackoffWaitStrategy.DEFAULTS.yields(),
                BackoffWaitStrategy.DEFAULTS.maxParkNanos());
    }

    /** Spins, then yields, then parks, polling non-notify streams at most every {@code maxPark}. */
    static WaitStrategy of(int spins, int yields, Duration maxPark) {
        return new BackoffWaitStrategy(spins, yields, maxPark.toNanos());
    }
}

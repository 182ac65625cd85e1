package io.arrowshm;

import java.time.Duration;

/**
 * How a reader waits for a writer: spin for a while (cheapest wake-up, burns a core), then
 * yield, then park. On notify streams parking is a futex wait that the writer ends at once
 * (capped at 50 ms so a dead writer is still noticed); on other streams it is a timed sleep
 * that backs off from {@code minPark} to {@code maxPark}.
 *
 * <pre>{@code
 * var lowLatency = WaitStrategy.spinning(100_000);              // spin ~ms before parking
 * var polite = WaitStrategy.of(0, 0, Duration.ofMillis(1));      // park at once, poll at 1 ms
 * try (var shm = SharedMemory.open("frames", OpenOptions.defaults().waitStrategy(lowLatency))) {
 *     shm.readNew(Duration.ofSeconds(1)).close();
 * }
 * }</pre>
 */
public final class WaitStrategy {
    private static final long MIN_PARK_NANOS = 10_000;
    private static final WaitStrategy DEFAULTS = new WaitStrategy(2_000, 50, Duration.ofMillis(1).toNanos());

    private final int spins;
    private final int yields;
    private final long maxParkNanos;

    private WaitStrategy(int spins, int yields, long maxParkNanos) {
        if (spins < 0 || yields < 0 || maxParkNanos <= 0) {
            throw new IllegalArgumentException("spins and yields must be >= 0 and maxPark positive, got "
                    + spins + ", " + yields + ", " + maxParkNanos + " ns");
        }
        this.spins = spins;
        this.yields = yields;
        this.maxParkNanos = maxParkNanos;
    }

    /** 2,000 spins (tens of microseconds), 50 yields, then parks polling at most every millisecond. */
    public static WaitStrategy defaults() {
        return DEFAULTS;
    }

    /** {@code spins} busy iterations before the default yields and parking. */
    public static WaitStrategy spinning(int spins) {
        return new WaitStrategy(spins, DEFAULTS.yields, DEFAULTS.maxParkNanos);
    }

    /** Fully specified: spins, then yields, then parks of at most {@code maxPark} on polling streams. */
    public static WaitStrategy of(int spins, int yields, Duration maxPark) {
        return new WaitStrategy(spins, yields, maxPark.toNanos());
    }

    public int spins() {
        return spins;
    }

    public int yields() {
        return yields;
    }

    public Duration maxPark() {
        return Duration.ofNanos(maxParkNanos);
    }

    /** Whether iteration {@code i} of a wait is past busy-spinning (and may afford a syscall). */
    public boolean pastSpinning(int iteration) {
        return iteration >= spins;
    }

    /** Whether iteration {@code i} of a wait should park (rather than spin or yield). */
    public boolean parking(int iteration) {
        return iteration >= spins + yields;
    }

    /** The sleep of a polling park at iteration {@code i}: doubling from 10 µs up to {@code maxPark}. */
    public long pollParkNanos(int iteration) {
        int doublings = Math.min(20, Math.max(0, iteration - spins - yields));
        return Math.min(maxParkNanos, MIN_PARK_NANOS << doublings);
    }

    @Override
    public String toString() {
        return "WaitStrategy[spins=" + spins + ", yields=" + yields + ", maxPark=" + maxParkNanos + "ns]";
    }
}

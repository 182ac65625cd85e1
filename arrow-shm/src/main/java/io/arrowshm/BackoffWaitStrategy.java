package io.arrowshm;

/**
 * The library's strategy: {@code spins} rounds of {@link Thread#onSpinWait()}, then
 * {@code yields} rounds of {@link Thread#yield()}, then parking, with polling sleeps doubling
 * from 10 µs up to {@code maxParkNanos} on streams that cannot notify.
 */
record BackoffWaitStrategy(int spins, int yields, long maxParkNanos) implements WaitStrategy {
    static final BackoffWaitStrategy DEFAULTS = new BackoffWaitStrategy(2_000, 50, 1_000_000);
    private static final long MIN_PARK_NANOS = 10_000;

    BackoffWaitStrategy {
        if (spins < 0 || yields < 0 || maxParkNanos <= 0) {
            throw new IllegalArgumentException("spins and yields must be >= 0 and maxPark positive, got "
                    + spins + ", " + yields + ", " + maxParkNanos + " ns");
        }
    }

    @Override
    public void idle(int round, Parker parker) {
        if (round < spins) {
            Thread.onSpinWait();
        } else if (round < spins + yields) {
            Thread.yield();
        } else {
            int doublings = Math.min(20, round - spins - yields);
            parker.park(Math.min(maxParkNanos, MIN_PARK_NANOS << doublings));
        }
    }

    @Override
    public boolean pastSpinning(int round) {
        return round >= spins;
    }

    @Override
    public String toString() {
        return "WaitStrategy[spins=" + spins + ", yields=" + yields + ", maxPark=" + maxParkNanos + "ns]";
    }
}

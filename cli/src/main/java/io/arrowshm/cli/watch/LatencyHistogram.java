package io.arrowshm.cli.watch;

/**
 * Latencies in logarithmic buckets 2% wide, from 10 ns to about 3 hours: quantiles of an
 * unbounded watch in fixed memory, good to 2%, which is finer than the noise of a wake-up.
 */
final class LatencyHistogram {
    private static final double MIN_SECONDS = 1e-8;
    private static final double RATIO = 1.02;
    private static final int BUCKETS = (int) Math.ceil(Math.log(1e4 / MIN_SECONDS) / Math.log(RATIO)) + 1;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private double max;

    void record(double seconds) {
        double value = Math.max(seconds, 0); // another process's clock read may be a hair behind ours
        int bucket = value <= MIN_SECONDS ? 0
                : (int) Math.min(BUCKETS - 1, Math.ceil(Math.log(value / MIN_SECONDS) / Math.log(RATIO)));
        counts[bucket]++;
        total++;
        max = Math.max(max, value);
    }

    long count() {
        return total;
    }

    double max() {
        return max;
    }

    /** The {@code q} quantile (0..1): the upper edge of its bucket, or NaN when empty. */
    double quantile(double q) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, MIN_SECONDS * Math.pow(RATIO, i));
            }
        }
        return max;
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }
}

package io.arrowshm.benchmarks.pingpong;

import java.util.Arrays;

/**
 * Percentiles of measured round trips, in nanoseconds (nearest-rank, the same rule as the
 * pyshmem peer script uses, so the two sides' figures compare).
 */
public record LatencySummary(long n, double p50, double p95, double p99, double mean, double min, double max) {

    public static LatencySummary of(long[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no round trips were measured");
        }
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long sample : sorted) {
            sum += sample;
        }
        return new LatencySummary(sorted.length, rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99),
                sum / sorted.length, sorted[0], sorted[sorted.length - 1]);
    }

    private static double rank(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}

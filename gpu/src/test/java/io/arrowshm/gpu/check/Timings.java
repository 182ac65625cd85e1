package io.arrowshm.gpu.check;

import java.util.Arrays;
import java.util.Locale;

/** Medians of timed rounds and how the device check prints them. */
final class Timings {
    private Timings() {
    }

    /** A timed operation. */
    interface Round {
        void run() throws Exception;
    }

    /** Runs {@code round} {@code rounds} times after one untimed warm-up; returns milliseconds per round. */
    static double[] time(int rounds, Round round) throws Exception {
        round.run();
        double[] ms = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            round.run();
            ms[r] = (System.nanoTime() - t) / 1e6;
        }
        return ms;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** {@code "<label> 1.234 ms (5.6 GB/s)"} for the median of {@code ms} moving {@code bytes}. */
    static String figure(String label, double[] ms, long bytes) {
        double median = median(ms);
        return String.format(Locale.ROOT, "%s %.3f ms (%.1f GB/s)", label, median, bytes / 1e9 / (median / 1e3));
    }

    /** {@code a / b} of the medians, two decimals. */
    static String ratio(double[] a, double[] b) {
        return String.format(Locale.ROOT, "%.2f", median(a) / median(b));
    }

    /** {@code "4 MiB"} or {@code "381 MiB"}. */
    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}

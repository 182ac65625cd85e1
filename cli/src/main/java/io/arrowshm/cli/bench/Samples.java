package io.arrowshm.cli.bench;

import java.util.Arrays;

/** Timings in nanoseconds, with the warm-up share dropped before quantiles are taken. */
final class Samples {
    private final long[] nanos;
    private int size;

    Samples(int capacity) {
        this.nanos = new long[capacity];
    }

    void add(long value) {
        nanos[size++] = value;
    }

    /** The {@code q} quantile (0..1) of the samples after the first {@code warmupShare} of them, in microseconds. */
    double quantileMicros(double q, double warmupShare) {
        int skip = (int) (size * warmupShare);
        long[] kept = Arrays.copyOfRange(nanos, skip, size);
        Arrays.sort(kept);
        int index = (int) Math.min(kept.length - 1, Math.max(0, Math.ceil(q * kept.length) - 1));
        return kept[index] / 1e3;
    }

    int measured(double warmupShare) {
        return size - (int) (size * warmupShare);
    }
}

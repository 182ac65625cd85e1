package io.arrowshm.tensors;

/**
 * pyshmem's write time (epoch seconds, a double) ⇄ Arrow's timestamp[ns].
 *
 * <pre>{@code
 * long nanos = WriteTimes.toNanos(publication.writeTime());   // the write_time column's value
 * }</pre>
 */
public final class WriteTimes {
    private WriteTimes() {
    }

    /** Epoch seconds as epoch nanoseconds, to the precision the double holds. */
    public static long toNanos(double epochSeconds) {
        // Split so that the fraction keeps what a double holds (about 0.2 µs at today's epoch).
        long seconds = (long) Math.floor(epochSeconds);
        return seconds * 1_000_000_000L + Math.round((epochSeconds - seconds) * 1e9);
    }

    /** Epoch nanoseconds as epoch seconds. */
    public static double toSeconds(long epochNanos) {
        return Math.floorDiv(epochNanos, 1_000_000_000L) + Math.floorMod(epochNanos, 1_000_000_000L) / 1e9;
    }
}

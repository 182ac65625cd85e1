package io.arrowshm.internal.stream;

/**
 * One reader's position in a stream: the count of its last successful read and the
 * publications it skipped (pyshmem's {@code last_read_count}, {@code missed_writes},
 * {@code total_missed_writes}, spec §3.7). Confined to one reading thread.
 */
public final class ReadCursor {
    private long lastReadCount;
    private long missedWrites;
    private long totalMissedWrites;

    /** A cursor that counts from {@code count} (the stream's count when the reader attached). */
    public ReadCursor(long count) {
        this.lastReadCount = count;
    }

    /** Records a read of publication {@code count} and returns how many it skipped. */
    public long record(long count) {
        long missed = Math.max(0, count - lastReadCount - 1);
        missedWrites = missed;
        totalMissedWrites += missed;
        lastReadCount = count;
        return missed;
    }

    public long lastReadCount() {
        return lastReadCount;
    }

    public long missedWrites() {
        return missedWrites;
    }

    public long totalMissedWrites() {
        return totalMissedWrites;
    }
}

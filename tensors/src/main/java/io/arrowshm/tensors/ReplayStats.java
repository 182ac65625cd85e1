package io.arrowshm.tensors;

/**
 * What a replay published: rows written to the stream, null rows skipped, payload bytes,
 * passes over the file, and time.
 *
 * <pre>{@code
 * ReplayStats s = StreamReplayer.replay(file, "frames", ReplayOptions.fast(), allocator);
 * System.out.printf("%d frames, %.1f MB/s%n", s.frames(), s.megabytesPerSecond());
 * }</pre>
 *
 * @param interrupted whether the replay ended because its thread was interrupted
 */
public record ReplayStats(long frames, long skippedNulls, long payloadBytes, long passes, long elapsedNanos,
                          boolean interrupted) {
    /** Payload megabytes (10^6 bytes) published per second. */
    public double megabytesPerSecond() {
        return elapsedNanos == 0 ? 0 : payloadBytes / 1e6 / (elapsedNanos / 1e9);
    }

    /** Rows published per second. */
    public double framesPerSecond() {
        return elapsedNanos == 0 ? 0 : frames / (elapsedNanos / 1e9);
    }
}

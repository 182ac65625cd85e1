package io.arrowshm.tensors;

/**
 * Where a recording stands: publications recorded, publications missed (published while the
 * recorder was busy, so never seen), payload bytes, record batches and file bytes written, and
 * the time it has run.
 *
 * <pre>{@code
 * RecordingStats s = recorder.record();
 * System.out.printf("%d frames, %.1f MB/s, missed %d%n", s.frames(), s.megabytesPerSecond(), s.missed());
 * }</pre>
 *
 * @param interrupted whether the recording ended because its thread was interrupted
 */
public record RecordingStats(long frames, long missed, long payloadBytes, long batches, long fileBytes,
                             long elapsedNanos, boolean interrupted) {
    /** Payload megabytes (10^6 bytes) recorded per second of recording. */
    public double megabytesPerSecond() {
        return elapsedNanos == 0 ? 0 : payloadBytes / 1e6 / (elapsedNanos / 1e9);
    }

    /** Publications recorded per second. */
    public double framesPerSecond() {
        return elapsedNanos == 0 ? 0 : frames / (elapsedNanos / 1e9);
    }
}

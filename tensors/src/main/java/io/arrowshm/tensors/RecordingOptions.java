package io.arrowshm.tensors;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link StreamRecorder} records: the IPC format, rows per record batch, compression,
 * when to stop, and a progress callback. Immutable; each setter returns a new instance.
 *
 * <pre>{@code
 * RecordingOptions options = RecordingOptions.defaults()
 *         .format(RecordingOptions.Format.STREAM).batchRows(32)
 *         .compression(RecordingOptions.Compression.ZSTD)
 *         .maxFrames(1000).maxDuration(Duration.ofSeconds(10));
 * }</pre>
 */
public final class RecordingOptions {
    /** Arrow IPC file (random access, footer written at the end) or stream (readable as it grows). */
    public enum Format { FILE, STREAM }

    /** Record batch body compression (Arrow IPC buffer compression). */
    public enum Compression { NONE, ZSTD, LZ4 }

    private final Format format;
    private final int batchRows;
    private final Compression compression;
    private final long maxFrames;
    private final Duration maxDuration;
    private final Consumer<RecordingStats> progress;
    private final Duration progressInterval;

    private RecordingOptions(Format format, int batchRows, Compression compression, long maxFrames,
                             Duration maxDuration, Consumer<RecordingStats> progress, Duration progressInterval) {
        this.format = format;
        this.batchRows = batchRows;
        this.compression = compression;
        this.maxFrames = maxFrames;
        this.maxDuration = maxDuration;
        this.progress = progress;
        this.progressInterval = progressInterval;
    }

    /** IPC file, 16 rows per batch, no compression, no limits, no progress callback. */
    public static RecordingOptions defaults() {
        return new RecordingOptions(Format.FILE, 16, Compression.NONE, Long.MAX_VALUE, null, null,
                Duration.ofMillis(500));
    }

    public RecordingOptions format(Format value) {
        return new RecordingOptions(Objects.requireNonNull(value), batchRows, compression, maxFrames, maxDuration,
                progress, progressInterval);
    }

    /** Rows per record batch (at least 1): a batch is written once this many publications arrived. */
    public RecordingOptions batchRows(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("batch rows must be at least 1, got " + value);
        }
        return new RecordingOptions(format, value, compression, maxFrames, maxDuration, progress, progressInterval);
    }

    public RecordingOptions compression(Compression value) {
        return new RecordingOptions(format, batchRows, Objects.requireNonNull(value), maxFrames, maxDuration, progress,
                progressInterval);
    }

    /** Stop after recording this many publications. */
    public RecordingOptions maxFrames(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("frames must be at least 1, got " + value);
        }
        return new RecordingOptions(format, batchRows, compression, value, maxDuration, progress, progressInterval);
    }

    /** Stop after this long. */
    public RecordingOptions maxDuration(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("duration must be positive, got " + value);
        }
        return new RecordingOptions(format, batchRows, compression, maxFrames, value, progress, progressInterval);
    }

    /** Called on the recording thread about every {@code interval}, and once at the end. */
    public RecordingOptions progress(Consumer<RecordingStats> callback, Duration interval) {
        return new RecordingOptions(format, batchRows, compression, maxFrames, maxDuration,
                Objects.requireNonNull(callback), Objects.requireNonNull(interval));
    }

    public Format format() {
        return format;
    }

    public int batchRows() {
        return batchRows;
    }

    public Compression compression() {
        return compression;
    }

    public long maxFrames() {
        return maxFrames;
    }

    public Duration maxDuration() {
        return maxDuration;
    }

    Consumer<RecordingStats> progress() {
        return progress;
    }

    Duration progressInterval() {
        return progressInterval;
    }
}

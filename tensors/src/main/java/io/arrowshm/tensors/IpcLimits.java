package io.arrowshm.tensors;

/**
 * What a reader of Arrow IPC record batches from elsewhere (a file to replay, a {@code DoPut}, a
 * mirror's server) accepts: the largest frame (one row of the tensor column, as the stream stores
 * it), the most rows in one batch and the most tensor bytes in one batch. A batch is checked
 * against them from its header, before Arrow Java allocates anything for it, with the rows
 * derived from the target stream's shape: a batch of 4×4 float32 frames holds at most
 * {@code min(maxBatchRows, maxBatchBytes / 64)} rows. Other columns (ids, times, labels) may add
 * up to {@value RecordBatchCheck#OTHER_COLUMN_BYTES_PER_ROW} bytes a row on top. Immutable; each
 * setter returns a new instance.
 *
 * <pre>{@code
 * IpcLimits limits = IpcLimits.defaults().maxFrameBytes(1L << 30).maxBatchBytes(2L << 30);   // 1 GiB frames
 * ReplayOptions options = ReplayOptions.fast().limits(limits);
 * }</pre>
 */
public final class IpcLimits {
    /** Default largest frame: 256 MiB. */
    public static final long DEFAULT_MAX_FRAME_BYTES = 256L << 20;
    /** Default most rows in one record batch. */
    public static final int DEFAULT_MAX_BATCH_ROWS = 65_536;
    /** Default most tensor bytes in one record batch: 512 MiB (two frames of the largest size). */
    public static final long DEFAULT_MAX_BATCH_BYTES = 512L << 20;

    private final long maxFrameBytes;
    private final int maxBatchRows;
    private final long maxBatchBytes;

    private IpcLimits(long maxFrameBytes, int maxBatchRows, long maxBatchBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxBatchRows = maxBatchRows;
        this.maxBatchBytes = maxBatchBytes;
    }

    /** 256 MiB frames, 65,536 rows and 512 MiB of tensor values per batch. */
    public static IpcLimits defaults() {
        return new IpcLimits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_BATCH_BYTES);
    }

    /** The largest frame accepted, in bytes (at least 1). */
    public IpcLimits maxFrameBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("the largest frame must be at least 1 byte, got " + bytes);
        }
        return new IpcLimits(bytes, maxBatchRows, maxBatchBytes);
    }

    /** The most rows one record batch may declare (at least 1). */
    public IpcLimits maxBatchRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("batches must be allowed at least 1 row, got " + rows);
        }
        return new IpcLimits(maxFrameBytes, rows, maxBatchBytes);
    }

    /** The most tensor bytes one record batch may carry once decompressed (at least 1). */
    public IpcLimits maxBatchBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("batches must be allowed at least 1 byte, got " + bytes);
        }
        return new IpcLimits(maxFrameBytes, maxBatchRows, bytes);
    }

    public long maxFrameBytes() {
        return maxFrameBytes;
    }

    public int maxBatchRows() {
        return maxBatchRows;
    }

    public long maxBatchBytes() {
        return maxBatchBytes;
    }

    /** Rows one batch of {@code frameBytes}-byte frames may hold: {@code min(maxBatchRows, maxBatchBytes / frameBytes)}. */
    public int rowsPerBatch(long frameBytes) {
        return (int) Math.min(maxBatchRows, maxBatchBytes / Math.max(1, frameBytes));
    }

    /**
     * The most bytes one batch may occupy once decoded, every column included: the tensor values
     * plus {@link RecordBatchCheck#OTHER_COLUMN_BYTES_PER_ROW} a row. What an allocator that holds
     * a batch (and the message it came in) must be allowed, at the least.
     */
    public long maxDecodedBatchBytes() {
        return saturatedAdd(maxBatchBytes, (long) maxBatchRows * RecordBatchCheck.OTHER_COLUMN_BYTES_PER_ROW);
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public String toString() {
        return "max frame " + maxFrameBytes + " bytes, max batch " + maxBatchRows + " rows and " + maxBatchBytes
                + " bytes";
    }
}

package io.arrowshm.tensors;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads tensors from any Arrow IPC file or stream with an {@code arrow.fixed_shape_tensor}
 * column: our recordings, or what pyarrow writes with {@code pa.fixed_shape_tensor}. The format
 * is recognised from the first bytes; the file's framing is checked when it is opened (a
 * truncated file fails here, before anything uses its rows); compressed batches (ZSTD, LZ4) are
 * decompressed. Every failure is a {@link TensorFileException} with a one-line message.
 *
 * <pre>{@code
 * try (BufferAllocator allocator = new RootAllocator();
 *      TensorFileReader reader = TensorFileReader.open(Path.of("frames.arrow"), allocator)) {
 *     System.out.println(reader.layout());                     // float32 [480, 640]
 *     while (reader.loadNextBatch()) {
 *         for (int row = 0; row < reader.rowCount(); row++) {
 *             ArrowBuf bytes = reader.rowBytes(row);          // a view of the row's values, C order
 *         }
 *     }
 * }
 * }</pre>
 */
public final class TensorFileReader implements AutoCloseable {
    /** What the backstop allocator allows above two decoded batches (the body and its decoding) and the row views. */
    private static final long BACKSTOP_SLACK = 64L << 20;

    private final Path path;
    private final FileChannel channel;
    private final boolean fileFormat;
    private final BufferAllocator allocator;
    private final IpcLimits limits;
    private ArrowReader reader;
    private final int tensorIndex;
    private final FixedShapeTensorType type;
    private final ArrowTensorTypes.StreamLayout layout;
    private final boolean hasWriteTime;
    private final boolean hasFrameId;
    private int batchesLoaded;

    private TensorFileReader(Path path, FileChannel channel, boolean fileFormat, BufferAllocator allocator,
                             IpcLimits limits, ArrowReader reader, int tensorIndex, FixedShapeTensorType type,
                             ArrowTensorTypes.StreamLayout layout, Schema schema) {
        this.path = path;
        this.channel = channel;
        this.fileFormat = fileFormat;
        this.allocator = allocator;
        this.limits = limits;
        this.reader = reader;
        this.tensorIndex = tensorIndex;
        this.type = type;
        this.layout = layout;
        this.hasWriteTime = hasField(schema, RecordingSchema.WRITE_TIME, ArrowType.Timestamp.class);
        this.hasFrameId = hasField(schema, RecordingSchema.FRAME_ID, ArrowType.Int.class);
    }

    /** {@link #open(Path, BufferAllocator, IpcLimits)} with {@link IpcLimits#defaults()}. */
    public static TensorFileReader open(Path file, BufferAllocator allocator) {
        return open(file, allocator, IpcLimits.defaults());
    }

    /**
     * Opens {@code file} and checks it: Arrow IPC (file or stream), framing complete, a
     * fixed_shape_tensor column whose values a stream can hold, and every record batch's header
     * within {@code limits} and consistent with what its body holds (nothing of a batch is
     * allocated before its header passed). The reader decodes into a child of {@code allocator}
     * whose limit (two decoded batches and some) bounds whatever a header could still hide.
     *
     * @throws TensorFileException with a one-line reason otherwise
     */
    public static TensorFileReader open(Path file, BufferAllocator allocator, IpcLimits limits) {
        FixedShapeTensorType.ensureRegistered();
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new TensorFileException(file + ": no such file");
        } catch (IOException e) {
            throw new TensorFileException(file + ": cannot read it (" + e.getMessage() + ")", e);
        }
        BufferAllocator child = null;
        ArrowReader reader = null;
        try {
            child = allocator.newChildAllocator("tensor-file " + file.getFileName(), 0, IpcLimits.saturatedAdd(
                    2 * Math.min(Long.MAX_VALUE / 4, limits.maxDecodedBatchBytes()), BACKSTOP_SLACK));
            IpcFileCheck check = new IpcFileCheck(file, channel);
            boolean fileFormat = check.startsWithMagic();
            if (fileFormat) {
                check.fileFraming();
            } else {
                check.streamMessages(limits);
            }
            channel.position(0);
            reader = CheckedIpcReaders.open(channel, fileFormat, child, limits);
            Schema schema = reader.getVectorSchemaRoot().getSchema();
            if (fileFormat) {
                check.fileBatches(((ArrowFileReader) reader).getRecordBlocks(), check.schema(schema, limits));
            }
            int index = RecordBatchCheck.tensorColumn(schema);
            if (index < 0) {
                throw new TensorFileException(file + ": no arrow.fixed_shape_tensor column (columns: "
                        + schema.getFields().stream().map(f -> f.getName() + " " + f.getType()).toList() + ")");
            }
            Field field = schema.getFields().get(index);
            FixedShapeTensorType type = (FixedShapeTensorType) field.getType();
            Map<String, String> metadata = schema.getCustomMetadata();
            ArrowTensorTypes.StreamLayout layout;
            try {
                layout = ArrowTensorTypes.streamLayout(field.getChildren().get(0).getType(), type.physicalShape(),
                        metadata == null ? null : metadata.get(RecordingSchema.META_DTYPE));
            } catch (IllegalArgumentException e) {
                throw new TensorFileException(file + ": column '" + field.getName() + "': " + e.getMessage());
            }
            return new TensorFileReader(file, channel, fileFormat, child, limits, reader, index, type, layout, schema);
        } catch (TensorFileException e) {
            closeQuietly(reader, channel, child);
            throw e;
        } catch (BatchRejectedException e) {
            closeQuietly(reader, channel, child);
            throw new TensorFileException(file + ": the schema: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader, channel, child);
            throw new TensorFileException(file + ": not a readable Arrow IPC file or stream (" + describe(e) + ")", e);
        }
    }

    /** The dtype and C-order shape of a stream that holds one row. */
    public ArrowTensorTypes.StreamLayout layout() {
        return layout;
    }

    /** The tensor column's type (logical shape, dim_names, permutation). */
    public FixedShapeTensorType tensorType() {
        return type;
    }

    /** The file's schema, with its metadata. */
    public Schema schema() {
        try {
            return reader.getVectorSchemaRoot().getSchema();
        } catch (IOException e) {
            throw new TensorFileException(path + ": " + oneLine(e), e);
        }
    }

    /** Whether rows carry a {@code write_time} (needed to replay at the original pace). */
    public boolean hasWriteTime() {
        return hasWriteTime;
    }

    /** Whether rows carry a {@code frame_id}. */
    public boolean hasFrameId() {
        return hasFrameId;
    }

    /**
     * Loads the next record batch; false at the end. The batch is checked before it is loaded
     * (its header, see {@link #open(Path, BufferAllocator, IpcLimits)}) and after (every non-null
     * row has all its values).
     *
     * @throws TensorFileException naming the batch and what is wrong with it
     */
    public boolean loadNextBatch() {
        int number = batchesLoaded + 1;
        try {
            if (!reader.loadNextBatch()) {
                return false;
            }
            batchesLoaded = number;
            TensorRows.checkBatch(tensors(), rowCount());
            return true;
        } catch (BatchRejectedException | IllegalArgumentException e) {
            throw new TensorFileException(path + ": record batch " + number + ": " + oneLine(e), e);
        } catch (IOException | RuntimeException e) {
            throw new TensorFileException(path + ": cannot read record batch " + number + " (" + describe(e) + ")", e);
        }
    }

    /**
     * Loads every record batch in turn (each checked and decoded in full, compressed ones
     * decompressed, as {@link #loadNextBatch()} does) and then starts again at the first, so that
     * nothing of a file is used before all of it is known to be good. Returns the rows.
     *
     * @throws TensorFileException naming the first bad batch
     */
    public long checkAllBatches() {
        long rows = 0;
        while (loadNextBatch()) {
            rows += rowCount();
        }
        restart();
        return rows;
    }

    /** Goes back to before the first record batch. */
    public void restart() {
        try {
            reader.close(false);
            channel.position(0);
            reader = CheckedIpcReaders.open(channel, fileFormat, allocator, limits);
            reader.getVectorSchemaRoot();
            batchesLoaded = 0;
        } catch (IOException | RuntimeException e) {
            throw new TensorFileException(path + ": cannot read it again (" + describe(e) + ")", e);
        }
    }

    /** The current batch (owned by this reader). */
    public VectorSchemaRoot root() {
        try {
            return reader.getVectorSchemaRoot();
        } catch (IOException e) {
            throw new TensorFileException(path + ": " + oneLine(e), e);
        }
    }

    /** Rows in the current batch. */
    public int rowCount() {
        return root().getRowCount();
    }

    /** The current batch's tensor column. */
    public FixedShapeTensorVector tensors() {
        return (FixedShapeTensorVector) root().getVector(tensorIndex);
    }

    /** Whether row {@code row} of the current batch is null (it has no tensor). */
    public boolean isNull(int row) {
        return tensors().isNull(row);
    }

    /**
     * Row {@code row}'s values as a view (no copy) of the current batch's value buffer, in the
     * physical C order; valid until the next batch. Not for bool (bit-packed): see {@link #copyRow}.
     */
    public ArrowBuf rowBytes(int row) {
        return TensorRows.rowBytes(tensors(), row);
    }

    /** Copies row {@code row} into {@code target} as the stream stores it (bool: one byte per value). */
    public void copyRow(int row, ArrowBuf target) {
        TensorRows.copyRow(tensors(), row, target);
    }

    /** Row {@code row}'s frame id, or {@code fallback} when the file has none. */
    public long frameId(int row, long fallback) {
        if (!hasFrameId) {
            return fallback;
        }
        FieldVector vector = root().getVector(RecordingSchema.FRAME_ID);
        if (vector.isNull(row)) {
            return fallback;
        }
        if (vector instanceof UInt8Vector) {
            return ((UInt8Vector) vector).get(row);
        }
        Object value = vector.getObject(row);
        return value instanceof Number ? ((Number) value).longValue() : fallback;
    }

    /** Row {@code row}'s write time in epoch nanoseconds (the file must have {@link #hasWriteTime()}). */
    public long writeTimeNanos(int row) {
        TimeStampVector vector = (TimeStampVector) root().getVector(RecordingSchema.WRITE_TIME);
        long value = vector.get(row);
        switch (((ArrowType.Timestamp) vector.getField().getType()).getUnit()) {
            case SECOND: return value * 1_000_000_000L;
            case MILLISECOND: return value * 1_000_000L;
            case MICROSECOND: return value * 1_000L;
            default: return value;
        }
    }

    /** Closes the file and frees what its batches took. */
    @Override
    public void close() {
        closeQuietly(reader, channel, null);
        try {
            allocator.close();
        } catch (IllegalStateException leaked) {
            // An interrupt that closed the channel under a read makes Arrow Java's reader leak that
            // batch's body. It is reported, as before, by the caller's allocator when that one closes
            // (this one stays attached to it); anything else is ours to report now.
            if (!Thread.currentThread().isInterrupted()) {
                throw leaked;
            }
        }
    }

    private static boolean hasField(Schema schema, String name, Class<? extends ArrowType> type) {
        return schema.getFields().stream().anyMatch(f -> f.getName().equals(name) && type.isInstance(f.getType()));
    }

    /**
     * What a failure says: its message, unless it is what Arrow Java's flatbuffer code throws
     * when bytes of a header were damaged (a missing table, an offset out of range), whose text
     * says nothing to the person who has the file.
     */
    static String describe(Throwable e) {
        if (e instanceof NullPointerException || e instanceof IndexOutOfBoundsException
                || e instanceof java.nio.BufferUnderflowException || e instanceof ClassCastException
                || e instanceof NegativeArraySizeException || e instanceof java.nio.BufferOverflowException) {
            return "damaged Arrow IPC metadata: a header or the footer cannot be decoded";
        }
        return oneLine(e);
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static void closeQuietly(ArrowReader reader, FileChannel channel, BufferAllocator child) {
        try {
            if (reader != null) {
                reader.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing after a failure: the first error is the one to report
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // as above
        }
        if (child != null) {
            try {
                child.close();
            } catch (RuntimeException ignored) {
                // as above (Arrow can leave a failed batch's buffer behind: its error was the one reported)
            }
        }
    }
}

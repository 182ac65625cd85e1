package io.arrowshm.tensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
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
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private final Path path;
    private final FileChannel channel;
    private final ArrowReader reader;
    private final int tensorIndex;
    private final FixedShapeTensorType type;
    private final ArrowTensorTypes.StreamLayout layout;
    private final boolean hasWriteTime;
    private final boolean hasFrameId;

    private TensorFileReader(Path path, FileChannel channel, ArrowReader reader, int tensorIndex,
                             FixedShapeTensorType type, ArrowTensorTypes.StreamLayout layout, Schema schema) {
        this.path = path;
        this.channel = channel;
        this.reader = reader;
        this.tensorIndex = tensorIndex;
        this.type = type;
        this.layout = layout;
        this.hasWriteTime = hasField(schema, RecordingSchema.WRITE_TIME, ArrowType.Timestamp.class);
        this.hasFrameId = hasField(schema, RecordingSchema.FRAME_ID, ArrowType.Int.class);
    }

    /**
     * Opens {@code file} and checks it: Arrow IPC (file or stream), framing complete, a
     * fixed_shape_tensor column whose values a stream can hold.
     *
     * @throws TensorFileException with a one-line reason otherwise
     */
    public static TensorFileReader open(Path file, BufferAllocator allocator) {
        FixedShapeTensorType.ensureRegistered();
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new TensorFileException(file + ": no such file");
        } catch (IOException e) {
            throw new TensorFileException(file + ": cannot read it (" + e.getMessage() + ")", e);
        }
        ArrowReader reader = null;
        try {
            boolean fileFormat = startsWithMagic(channel);
            checkFraming(file, channel, fileFormat);
            channel.position(0);
            if (fileFormat) {
                ArrowFileReader fileReader = new ArrowFileReader(channel, allocator, CommonsCompressionFactory.INSTANCE);
                reader = fileReader;
                checkBlocks(file, channel.size(), fileReader);
            } else {
                reader = new ArrowStreamReader(channel, allocator, CommonsCompressionFactory.INSTANCE);
            }
            Schema schema = reader.getVectorSchemaRoot().getSchema();
            int index = tensorColumn(schema);
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
            return new TensorFileReader(file, channel, reader, index, type, layout, schema);
        } catch (TensorFileException e) {
            closeQuietly(reader, channel);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader, channel);
            throw new TensorFileException(file + ": not a readable Arrow IPC file or stream ("
                    + oneLine(e) + ")", e);
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

    /** Loads the next record batch; false at the end. */
    public boolean loadNextBatch() {
        try {
            return reader.loadNextBatch();
        } catch (IOException | RuntimeException e) {
            throw new TensorFileException(path + ": cannot read a record batch (" + oneLine(e) + ")", e);
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

    @Override
    public void close() {
        closeQuietly(reader, channel);
    }

    private static boolean hasField(Schema schema, String name, Class<? extends ArrowType> type) {
        return schema.getFields().stream().anyMatch(f -> f.getName().equals(name) && type.isInstance(f.getType()));
    }

    private static int tensorColumn(Schema schema) {
        for (int i = 0; i < schema.getFields().size(); i++) {
            if (schema.getFields().get(i).getType() instanceof FixedShapeTensorType) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWithMagic(FileChannel channel) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length);
        channel.read(head, 0);
        return head.position() == MAGIC.length && Arrays.equals(head.array(), MAGIC);
    }

    /**
     * The IPC file keeps a footer at its end and the stream format ends with an end-of-stream
     * marker: a file cut short lacks them, and we say so before any row is used.
     */
    private static void checkFraming(Path file, FileChannel channel, boolean fileFormat) throws IOException {
        long size = channel.size();
        if (size == 0) {
            throw new TensorFileException(file + ": empty file, not Arrow IPC");
        }
        if (fileFormat) {
            ByteBuffer tail = ByteBuffer.allocate(MAGIC.length);
            if (size < 2L * MAGIC.length + 4 || channel.read(tail, size - MAGIC.length) != MAGIC.length
                    || !Arrays.equals(tail.array(), MAGIC)) {
                throw new TensorFileException(file + ": truncated Arrow IPC file (no footer: the writer did not"
                        + " finish it)");
            }
            return;
        }
        // Stream format: walk the messages (headers only, bodies skipped) up to the end-of-stream marker.
        ReadChannel in = new ReadChannel(channel);
        long at = 0;
        for (boolean first = true; ; first = false) {
            String where = first ? ": not Arrow IPC" : ": truncated or corrupt Arrow IPC stream at byte " + at;
            ByteBuffer prefix = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int got = Math.max(0, channel.read(prefix, at));
            if (got < 4) {
                throw new TensorFileException(file + (first ? ": not Arrow IPC (too short)"
                        : ": truncated Arrow IPC stream (no end-of-stream marker: the writer did not finish it)"));
            }
            int length = prefix.getInt(0);
            int prefixBytes = 4;
            if (length == MessageSerializer.IPC_CONTINUATION_TOKEN) {
                if (got < 8) {
                    throw new TensorFileException(file + where + " (cut inside a message prefix)");
                }
                length = prefix.getInt(4);
                prefixBytes = 8;
            }
            if (length == 0) {
                if (first) {
                    throw new TensorFileException(file + ": not Arrow IPC (no schema message)");
                }
                return; // the end-of-stream marker
            }
            // Checked before Arrow allocates `length` bytes: garbage would otherwise ask for gigabytes.
            if (length < 0 || at + prefixBytes + length > size) {
                throw new TensorFileException(file + where + " (a message of " + length + " bytes does not fit)");
            }
            channel.position(at);
            MessageMetadataResult message;
            try {
                message = MessageSerializer.readMessage(in);
            } catch (IOException | RuntimeException e) {
                throw new TensorFileException(file + where + " (" + oneLine(e) + ")", e);
            }
            long body = message.getMessageBodyLength();
            long next = channel.position() + body;
            if (body < 0 || next > size) {
                throw new TensorFileException(file + ": truncated Arrow IPC stream (a message at byte " + at
                        + " needs " + body + " body bytes, the file ends first)");
            }
            at = next;
        }
    }

    private static void checkBlocks(Path file, long size, ArrowFileReader reader) throws IOException {
        for (ArrowBlock block : reader.getRecordBlocks()) {
            if (block.getOffset() < 0 || block.getOffset() + block.getMetadataLength() + block.getBodyLength() > size) {
                throw new TensorFileException(file + ": corrupt Arrow IPC file (a record batch lies past the end)");
            }
        }
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static void closeQuietly(ArrowReader reader, FileChannel channel) {
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
    }
}

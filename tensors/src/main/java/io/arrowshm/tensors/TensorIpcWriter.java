package io.arrowshm.tensors;

import io.arrowshm.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowBuffer;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes recording batches to an Arrow IPC file or stream, framing the messages itself so that a
 * batch's tensor values go to the file straight from each row's payload buffer: the record
 * batch message describes one contiguous values buffer, and its bytes are written as the rows'
 * payloads one after the other (a gather write, no concatenated copy). With compression the
 * codec needs one contiguous input, so the rows are gathered into one buffer first (the codec
 * writes new bytes anyway); bool rows are packed into Arrow bits.
 *
 * <p>An interrupt that closes the channel mid-write (NIO's {@code ClosedByInterruptException})
 * does not cost the file: the writer reopens it, cuts it back to the last complete batch,
 * writes the batch again and, at {@link #finish()}, the footer (file) or end-of-stream marker.
 */
final class TensorIpcWriter implements AutoCloseable {
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    private static final IpcOption OPTION = IpcOption.DEFAULT;

    private final Path path;
    private final RecordingOptions.Format format;
    private final Schema schema;
    private final BufferAllocator allocator;
    private final CompressionCodec codec;
    private final DType dtype;
    private final long rowBytes;
    private final int elements;
    /** Whether the schema has a {@code position} column after {@code tensor} (a ring's recording). */
    private final boolean positioned;
    private final List<ArrowBlock> blocks = new ArrayList<>();
    private FileChannel channel;
    private WriteChannel out;
    /** File offset of {@code out}'s position 0 (a multiple of 8, so alignment is unchanged). */
    private long base;
    /** End of the last complete message: what survives a failed write. */
    private long committed;
    private boolean finished;
    private boolean recovered;

    TensorIpcWriter(Path path, RecordingOptions.Format format, RecordingOptions.Compression compression, Schema schema,
                    DType dtype, long rowBytes, int elements, BufferAllocator allocator) throws IOException {
        this.path = path;
        this.format = format;
        this.schema = schema;
        this.allocator = allocator;
        this.dtype = dtype;
        this.rowBytes = rowBytes;
        this.elements = elements;
        this.positioned = schema.getFields().size() > 1
                && schema.getFields().get(1).getName().equals(RingRecordingSchema.POSITION);
        this.codec = compression == RecordingOptions.Compression.NONE ? NoCompressionCodec.INSTANCE
                : CommonsCompressionFactory.INSTANCE.createCodec(compression == RecordingOptions.Compression.ZSTD
                        ? CompressionUtil.CodecType.ZSTD : CompressionUtil.CodecType.LZ4_FRAME);
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        this.out = new WriteChannel(channel);
        if (format == RecordingOptions.Format.FILE) {
            out.write(MAGIC);
            out.align();
        }
        MessageSerializer.serialize(out, schema, OPTION);
        committed = position();
    }

    /** Bytes in the file so far. */
    long bytesWritten() {
        return position();
    }

    /** Whether an interrupt closed the channel and the writer reopened it (the caller should stop). */
    boolean recoveredFromInterrupt() {
        return recovered;
    }

    /** Writes one record batch of {@code rows} (payload buffers of at least rowBytes each) with their columns. */
    void writeBatch(List<ArrowBuf> rows, long[] counts, long[] frameIds, long[] writeTimeNanos, long[] missed)
            throws IOException {
        writeBatch(rows, null, counts, frameIds, writeTimeNanos, missed);
    }

    /**
     * {@link #writeBatch(List, long[], long[], long[], long[])} for a schema with a {@code position}
     * column after {@code tensor} ({@link RingRecordingSchema}); {@code positions} is null otherwise.
     */
    void writeBatch(List<ArrowBuf> rows, long[] positions, long[] counts, long[] frameIds, long[] writeTimeNanos,
                    long[] missed) throws IOException {
        int n = rows.size();
        if ((positions != null) != positioned) {
            throw new IllegalArgumentException("the schema " + (positioned ? "has" : "has no") + " position column");
        }
        try (UInt8Vector position = positions == null ? null : column(RingRecordingSchema.POSITION, positions, n);
             UInt8Vector count = column(RecordingSchema.COUNT, counts, n);
             UInt8Vector frameId = column(RecordingSchema.FRAME_ID, frameIds, n);
             UInt8Vector missedColumn = column(RecordingSchema.MISSED, missed, n);
             TimeStampNanoTZVector writeTime = new TimeStampNanoTZVector(RecordingSchema.WRITE_TIME, allocator, "UTC")) {
            writeTime.allocateNew(n);
            for (int i = 0; i < n; i++) {
                writeTime.set(i, writeTimeNanos[i]);
            }
            writeTime.setValueCount(n);
            List<ArrowFieldNode> nodes = new ArrayList<>(List.of(new ArrowFieldNode(n, 0),
                    new ArrowFieldNode((long) n * elements, 0)));
            List<ArrowBuf> scalars = new ArrayList<>();
            List<FieldVector> columns = new ArrayList<>();
            if (position != null) {
                columns.add(position);
            }
            columns.addAll(List.of(count, frameId, writeTime, missedColumn));
            for (FieldVector vector : columns) {
                nodes.add(new ArrowFieldNode(n, 0));
                scalars.addAll(vector.getFieldBuffers());
            }
            ArrowBuf empty = allocator.getEmpty();
            boolean gather = dtype != DType.BOOL && codec == NoCompressionCodec.INSTANCE;
            try (ArrowBuf values = gather ? placeholder((long) n * rowBytes) : contiguous(rows)) {
                List<ArrowBuf> buffers = new ArrayList<>(List.of(empty, empty, values));
                buffers.addAll(scalars);
                retryAfterInterrupt(() -> {
                    if (gather) {
                        writeGathered(n, nodes, buffers, rows);
                    } else {
                        writeCompressed(n, nodes, buffers);
                    }
                });
            }
        }
    }

    /** Writes the footer (file) or the end-of-stream marker, and closes the file; later calls do nothing. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        retryAfterInterrupt(() -> {
            if (format == RecordingOptions.Format.FILE) {
                out.writeIntLittleEndian(MessageSerializer.IPC_CONTINUATION_TOKEN);
                out.writeIntLittleEndian(0);
                long footerStart = out.getCurrentPosition();
                out.write(new ArrowFooter(schema, List.of(), blocks), false);
                out.writeIntLittleEndian((int) (out.getCurrentPosition() - footerStart));
                out.write(MAGIC);
            } else {
                ArrowStreamWriter.writeEndOfStream(out, OPTION);
            }
            channel.force(false);
        });
        finished = true;
        channel.close();
    }

    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
            channel.close();
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /**
     * Runs {@code action}; when an interrupt closed the channel under it, reopens the file, cuts
     * it back to the last complete message and runs it once more with the interrupt status
     * cleared (NIO would close the new channel too), restoring the status afterwards.
     */
    private void retryAfterInterrupt(IoAction action) throws IOException {
        try {
            action.run();
        } catch (ClosedChannelException e) {
            if (finished) {
                throw e;
            }
            boolean interrupted = Thread.interrupted();
            try {
                reopen();
                action.run();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            recovered = true;
        }
        committed = position();
    }

    private void reopen() throws IOException {
        channel.close();
        channel = FileChannel.open(path, StandardOpenOption.WRITE);
        channel.truncate(committed);
        channel.position(committed);
        out = new WriteChannel(channel);
        base = committed;
    }

    private long position() {
        return base + out.getCurrentPosition();
    }

    /** MessageSerializer.serialize, except that the values buffer's bytes come from the rows themselves. */
    private void writeGathered(int n, List<ArrowFieldNode> nodes, List<ArrowBuf> buffers, List<ArrowBuf> rows)
            throws IOException {
        // The batch retains the column buffers and releases them on close; the vectors keep their own references.
        try (ArrowRecordBatch batch = new ArrowRecordBatch(n, nodes, buffers, NoCompressionCodec.DEFAULT_BODY_COMPRESSION,
                true, true)) {
            long start = position();
            ByteBuffer message = MessageSerializer.serializeMetadata(batch, OPTION);
            int metadataLength = message.remaining();
            out.writeIntLittleEndian(MessageSerializer.IPC_CONTINUATION_TOKEN);
            int padding = (int) ((start + metadataLength + 8) % 8);
            if (padding != 0) {
                metadataLength += 8 - padding;
            }
            out.writeIntLittleEndian(metadataLength);
            out.write(message);
            out.align();
            long bodyStart = out.getCurrentPosition();
            List<ArrowBuffer> layout = batch.getBuffersLayout();
            for (int i = 0; i < buffers.size(); i++) {
                long at = bodyStart + layout.get(i).getOffset();
                if (at != out.getCurrentPosition()) {
                    out.writeZeros(at - out.getCurrentPosition());
                }
                if (i == 2) {
                    for (ArrowBuf row : rows) {
                        out.write(row.slice(0, rowBytes));
                    }
                } else {
                    out.write(buffers.get(i));
                }
            }
            out.align();
            blocks.add(new ArrowBlock(start, metadataLength + 8, out.getCurrentPosition() - bodyStart));
        }
    }

    private void writeCompressed(int n, List<ArrowFieldNode> nodes, List<ArrowBuf> buffers) throws IOException {
        List<ArrowBuf> encoded = new ArrayList<>(buffers.size());
        try {
            for (ArrowBuf buffer : buffers) {
                buffer.getReferenceManager().retain(); // the codec releases its input
                encoded.add(codec.compress(allocator, buffer));
            }
        } catch (RuntimeException | Error e) {
            encoded.forEach(ArrowBuf::close);
            throw e;
        }
        try (ArrowRecordBatch batch = new ArrowRecordBatch(n, nodes, encoded,
                CompressionUtil.createBodyCompression(codec), true, false)) {
            long start = position();
            ArrowBlock block = MessageSerializer.serialize(out, batch, OPTION);
            blocks.add(new ArrowBlock(start, block.getMetadataLength(), block.getBodyLength()));
        }
    }

    /** The rows' values in one buffer: copied, or packed into bits for bool. */
    private ArrowBuf contiguous(List<ArrowBuf> rows) {
        if (dtype == DType.BOOL) {
            long bits = (long) rows.size() * elements;
            ArrowBuf packed = allocator.buffer(Math.max(1, (bits + 7) / 8));
            packed.setZero(0, packed.capacity());
            for (int i = 0; i < rows.size(); i++) {
                TensorBuffers.packBitsInto(rows.get(i), 0, elements, packed, (long) i * elements);
            }
            packed.writerIndex((bits + 7) / 8);
            return packed;
        }
        ArrowBuf values = allocator.buffer(Math.max(1, rows.size() * rowBytes));
        for (int i = 0; i < rows.size(); i++) {
            values.setBytes(i * rowBytes, rows.get(i), 0, rowBytes);
        }
        values.writerIndex(rows.size() * rowBytes);
        return values;
    }

    /** A buffer that only has a length: the batch message's layout is computed from it, its bytes are never read. */
    private static ArrowBuf placeholder(long length) {
        ArrowBuf buf = new ArrowBuf(ReferenceManager.NO_OP, null, length, 0);
        buf.writerIndex(length);
        return buf;
    }

    private UInt8Vector column(String name, long[] values, int n) {
        UInt8Vector vector = new UInt8Vector(name, allocator);
        vector.allocateNew(n);
        for (int i = 0; i < n; i++) {
            vector.set(i, values[i]);
        }
        vector.setValueCount(n);
        return vector;
    }
}

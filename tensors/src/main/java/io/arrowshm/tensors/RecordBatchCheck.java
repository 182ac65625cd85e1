package io.arrowshm.tensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Checks a record batch from its header alone, before Arrow Java's loader runs: Arrow's loader
 * believes the header, so a batch that declares four million rows and carries four makes it grow
 * every vector to four million (and publish the zeros), and a compressed buffer that claims 64 GiB
 * is allocated at 64 GiB before one byte is decompressed. Here the declared row count is held to
 * what the schema's tensor frames allow ({@link IpcLimits#rowsPerBatch}), every field node and
 * buffer to what its type needs for its length, every compressed buffer's declared length to that
 * same need, and the whole batch to {@link IpcLimits#maxDecodedBatchBytes}.
 *
 * <p>Schemas with columns Arrow Java would decode through dictionaries, unions, run-end or view
 * layouts are refused: a tensor input has no use for them, and their sizes cannot be bounded from
 * the header alone.
 *
 * <pre>{@code
 * RecordBatchCheck check = RecordBatchCheck.of(schema, IpcLimits.defaults());   // refuses 1 GiB frames
 * check.check(batch);                       // BatchRejectedException, before VectorLoader.load(batch)
 * }</pre>
 */
public final class RecordBatchCheck {
    /** What the other columns (ids, times, labels) of one row may add to a batch on top of its tensor. */
    public static final long OTHER_COLUMN_BYTES_PER_ROW = 256;
    /** Writers pad buffers (to 8 or 64 bytes); a buffer may exceed its need by this much. */
    private static final long PADDING = 128;

    private final Schema schema;
    private final IpcLimits limits;
    private final String rowsName;
    private final int maxRows;

    private RecordBatchCheck(Schema schema, IpcLimits limits, String rowsName, int maxRows) {
        this.schema = schema;
        this.limits = limits;
        this.rowsName = rowsName;
        this.maxRows = maxRows;
    }

    /**
     * The check for batches of {@code schema}.
     *
     * @throws BatchRejectedException when the schema's frames are over the limits, or it has a
     *     column whose size its header cannot bound
     */
    public static RecordBatchCheck of(Schema schema, IpcLimits limits) {
        for (Field field : schema.getFields()) {
            refuseUnbounded(field);
        }
        int index = tensorColumn(schema);
        long frame = index < 0 ? -1 : frameBytes(schema.getFields().get(index));
        if (frame < 0) {
            return new RecordBatchCheck(schema, limits, "rows", limits.maxBatchRows());
        }
        Field tensor = schema.getFields().get(index);
        FixedShapeTensorType type = (FixedShapeTensorType) tensor.getType();
        String rows = ArrowTensorTypes.dtypeOf(tensor.getChildren().get(0).getType()).numpyName() + " "
                + Arrays.toString(type.physicalShape()) + " frames";
        if (frame > limits.maxFrameBytes()) {
            throw new BatchRejectedException("frames of " + Arrays.toString(type.physicalShape()) + " are " + frame
                    + " bytes, over the limit of " + limits.maxFrameBytes() + " (--max-frame-bytes)", true);
        }
        if (frame > limits.maxBatchBytes()) {
            throw new BatchRejectedException("frames of " + frame + " bytes do not fit in a batch of at most "
                    + limits.maxBatchBytes() + " bytes (--max-batch-bytes)", true);
        }
        return new RecordBatchCheck(schema, limits, rows, limits.rowsPerBatch(frame));
    }

    /** The most rows a batch of this schema may declare. */
    public int maxRows() {
        return maxRows;
    }

    /**
     * Checks a batch as Arrow Java holds it before loading ({@link org.apache.arrow.vector.VectorLoader#load}):
     * its buffers are the body's, so a compressed buffer's declared length is its first 8 bytes.
     *
     * @throws BatchRejectedException when it declares more than the limits or than it carries
     */
    public void check(ArrowRecordBatch batch) {
        List<ArrowFieldNode> nodes = batch.getNodes();
        List<ArrowBuf> buffers = batch.getBuffers();
        long[] nodeLengths = new long[nodes.size()];
        long[] nodeNulls = new long[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            nodeLengths[i] = nodes.get(i).getLength();
            nodeNulls[i] = nodes.get(i).getNullCount();
        }
        long[] sent = new long[buffers.size()];
        for (int i = 0; i < buffers.size(); i++) {
            sent[i] = buffers.get(i).writerIndex();
        }
        boolean compressed = batch.getBodyCompression().getCodec() != CompressionUtil.CodecType.NO_COMPRESSION.getType();
        boolean variadic = batch.getVariadicBufferCounts() != null && !batch.getVariadicBufferCounts().isEmpty();
        check(batch.getLength(), nodeLengths, nodeNulls, sent, compressed, variadic,
                i -> buffers.get((int) i).getLong(0));
    }

    /**
     * Checks a batch from its flatbuffer header and body length, before the body is read: a
     * compressed buffer's declared length comes from {@code prefixOf} (the 8 bytes at the buffer's
     * offset in the body, read by the caller).
     *
     * @throws BatchRejectedException when it declares more than the limits or than it carries
     */
    public void check(org.apache.arrow.flatbuf.RecordBatch header, long bodyLength, LongUnaryOperator prefixOf) {
        if (header.length() > Integer.MAX_VALUE || header.length() < 0) {
            throw new BatchRejectedException("the batch declares " + header.length() + " rows", header.length() > 0);
        }
        long[] nodeLengths = new long[header.nodesLength()];
        long[] nodeNulls = new long[header.nodesLength()];
        for (int i = 0; i < nodeLengths.length; i++) {
            nodeLengths[i] = header.nodes(i).length();
            nodeNulls[i] = header.nodes(i).nullCount();
        }
        long[] sent = new long[header.buffersLength()];
        long used = 0;
        for (int i = 0; i < sent.length; i++) {
            long offset = header.buffers(i).offset();
            sent[i] = header.buffers(i).length();
            if (offset < 0 || sent[i] < 0 || offset > bodyLength || sent[i] > bodyLength - offset) {
                throw new BatchRejectedException("buffer " + i + " (" + sent[i] + " bytes at " + offset
                        + ") lies outside the batch's " + bodyLength + "-byte body", false);
            }
            used += sent[i];
        }
        if (bodyLength > used + PADDING * (sent.length + 1)) {
            throw new BatchRejectedException("the batch's body is " + bodyLength + " bytes but its buffers hold "
                    + used, false);
        }
        boolean compressed = header.compression() != null;
        boolean variadic = header.variadicBufferCountsLength() > 0;
        check((int) header.length(), nodeLengths, nodeNulls, sent, compressed, variadic,
                i -> prefixOf.applyAsLong(header.buffers((int) i).offset()));
    }

    private void check(int rows, long[] nodeLengths, long[] nodeNulls, long[] sent, boolean compressed,
                       boolean variadic, LongUnaryOperator prefix) {
        if (rows < 0) {
            throw new BatchRejectedException("the batch declares " + rows + " rows", false);
        }
        if (rows > maxRows) {
            throw new BatchRejectedException("the batch declares " + rows + " rows; batches of " + rowsName
                    + " hold at most " + maxRows + " (--max-batch-rows " + limits.maxBatchRows() + ", --max-batch-bytes "
                    + limits.maxBatchBytes() + ")", true);
        }
        if (variadic) {
            throw new BatchRejectedException("the batch has variadic buffers, which no column of its schema uses", false);
        }
        Walk walk = new Walk(nodeLengths, nodeNulls, sent, compressed, prefix);
        for (Field field : schema.getFields()) {
            walk.field(field, rows, field.getName());
        }
        if (walk.node != nodeLengths.length || walk.buffer != sent.length) {
            throw new BatchRejectedException("the batch has " + nodeLengths.length + " field nodes and " + sent.length
                    + " buffers; its schema has " + walk.node + " and " + walk.buffer, false);
        }
        long allowed = IpcLimits.saturatedAdd(limits.maxBatchBytes(), rows * OTHER_COLUMN_BYTES_PER_ROW
                + PADDING * (sent.length + 1));
        if (walk.decoded > allowed) {
            throw new BatchRejectedException("the batch decodes to " + walk.decoded + " bytes, over the limit of "
                    + allowed + " for " + rows + " rows (--max-batch-bytes " + limits.maxBatchBytes() + ")", true);
        }
    }

    /** One pass over the schema's fields in the order of the batch's nodes and buffers (depth first). */
    private static final class Walk {
        final long[] nodeLengths;
        final long[] nodeNulls;
        final long[] sent;
        final boolean compressed;
        final LongUnaryOperator prefix;
        int node;
        int buffer;
        long decoded;

        Walk(long[] nodeLengths, long[] nodeNulls, long[] sent, boolean compressed, LongUnaryOperator prefix) {
            this.nodeLengths = nodeLengths;
            this.nodeNulls = nodeNulls;
            this.sent = sent;
            this.compressed = compressed;
            this.prefix = prefix;
        }

        /** Checks {@code field}'s node (which must have {@code expectedLength} values, when not -1) and buffers. */
        void field(Field field, long expectedLength, String path) {
            if (node >= nodeLengths.length) {
                throw new BatchRejectedException("the batch has no field node for column '" + path + "'", false);
            }
            long length = nodeLengths[node];
            long nulls = nodeNulls[node];
            node++;
            if (length < 0 || nulls < 0 || nulls > length) {
                throw new BatchRejectedException("column '" + path + "' declares " + length + " values with " + nulls
                        + " nulls", false);
            }
            if (expectedLength >= 0 && length != expectedLength) {
                throw new BatchRejectedException("column '" + path + "' declares " + length + " values where the batch"
                        + " needs " + expectedLength, false);
            }
            ArrowType type = storage(field.getType());
            for (BufferLayout layout : TypeLayout.getTypeLayout(type).getBufferLayouts()) {
                buffer(layout, type, length, nulls, path);
            }
            List<Field> children = field.getChildren();
            for (Field child : children) {
                long childLength;
                if (type instanceof ArrowType.FixedSizeList) {
                    childLength = length * ((ArrowType.FixedSizeList) type).getListSize();
                } else if (type instanceof ArrowType.Struct) {
                    childLength = length;
                } else {
                    childLength = -1; // list, map: what the offsets say, bounded by the batch's total below
                }
                field(child, childLength, path + "." + child.getName());
            }
        }

        private void buffer(BufferLayout layout, ArrowType type, long length, long nulls, String path) {
            if (buffer >= sent.length) {
                throw new BatchRejectedException("the batch has no buffer for column '" + path + "'", false);
            }
            int index = buffer++;
            long need = need(layout, type, length);
            long carried = carried(index, path);
            if (need >= 0) {
                if (carried > need + PADDING) {
                    throw new BatchRejectedException("column '" + path + "': a buffer of " + carried + " bytes"
                            + (compressed ? " (declared uncompressed)" : "") + " where " + length + " values need "
                            + need, false);
                }
                boolean required = layout.getType() != BufferLayout.BufferType.VALIDITY || nulls > 0;
                if (required && length > 0 && carried < need) {
                    throw new BatchRejectedException("column '" + path + "' declares " + length + " values, which need "
                            + need + " bytes; the batch carries " + carried, false);
                }
                decoded = IpcLimits.saturatedAdd(decoded, Math.max(need, carried));
            } else {
                decoded = IpcLimits.saturatedAdd(decoded, carried);
            }
        }

        /** Bytes the buffer holds once decoded: as sent, or for compression its declared length. */
        private long carried(int index, String path) {
            if (!compressed || sent[index] == 0) {
                return sent[index];
            }
            if (sent[index] < CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH) {
                throw new BatchRejectedException("column '" + path + "': a compressed buffer of " + sent[index]
                        + " bytes, shorter than its length prefix", false);
            }
            long declared = prefix.applyAsLong(index);
            if (declared == CompressionUtil.NO_COMPRESSION_LENGTH) {
                return sent[index] - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH;
            }
            if (declared < 0) {
                throw new BatchRejectedException("column '" + path + "': a compressed buffer declares " + declared
                        + " bytes", false);
            }
            return declared;
        }

        /** What a buffer of this layout needs for {@code length} values; -1 when only its offsets know. */
        private static long need(BufferLayout layout, ArrowType type, long length) {
            int bits = layout.getTypeBitWidth();
            switch (layout.getType()) {
                case VALIDITY:
                    return (length + 7) / 8;
                case OFFSET:
                    return length == 0 ? 0 : (length + 1) * (bits / 8);
                case DATA:
                    if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8
                            || type instanceof ArrowType.Binary || type instanceof ArrowType.LargeBinary) {
                        return -1;
                    }
                    return bits == 1 ? (length + 7) / 8 : length * (bits / 8);
                default:
                    return length * Math.max(1, bits / 8);
            }
        }
    }

    private static ArrowType storage(ArrowType type) {
        return type instanceof ArrowType.ExtensionType ? ((ArrowType.ExtensionType) type).storageType() : type;
    }

    private static void refuseUnbounded(Field field) {
        ArrowType type = storage(field.getType());
        if (field.getDictionary() != null || type instanceof ArrowType.Union || type instanceof ArrowType.RunEndEncoded
                || type instanceof ArrowType.ListView || type instanceof ArrowType.LargeListView
                || type instanceof ArrowType.Utf8View || type instanceof ArrowType.BinaryView) {
            throw new BatchRejectedException("column '" + field.getName() + "' is "
                    + (field.getDictionary() != null ? "dictionary-encoded" : "of type " + type)
                    + ", which a tensor input does not take", false);
        }
        List<Field> children = new ArrayList<>(field.getChildren());
        for (Field child : children) {
            refuseUnbounded(child);
        }
    }

    static int tensorColumn(Schema schema) {
        for (int i = 0; i < schema.getFields().size(); i++) {
            if (schema.getFields().get(i).getType() instanceof FixedShapeTensorType) {
                return i;
            }
        }
        return -1;
    }

    /** Bytes of one frame as a stream stores it (bool: a byte a value); -1 for values no stream holds. */
    private static long frameBytes(Field tensor) {
        FixedShapeTensorType type = (FixedShapeTensorType) tensor.getType();
        if (tensor.getChildren().isEmpty()) {
            return -1;
        }
        ArrowType values = tensor.getChildren().get(0).getType();
        try {
            long width = values instanceof ArrowType.Bool ? 1 : ArrowTensorTypes.byteWidth(values);
            return type.listSize() * width;
        } catch (IllegalArgumentException unsupported) {
            return -1;
        }
    }
}

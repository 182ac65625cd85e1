package io.arrowshm.tensors;

import io.arrowshm.DType;
import io.arrowshm.Publication;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Moving single rows between publications and tensor columns, for code that streams rows rather
 * than files (Arrow Flight): a publication loaded into a one-row root of the
 * {@link RecordingSchema}, and one row of a tensor column copied out as a stream stores it.
 *
 * <pre>{@code
 * try (VectorSchemaRoot root = VectorSchemaRoot.create(RecordingSchema.of("frames", dtype, shape), allocator);
 *      Publication p = shm.readPublication()) {
 *     TensorRows.load(root, dtype, p, 0, allocator);   // the root keeps its own reference to p's payload
 * }
 * }</pre>
 */
public final class TensorRows {
    private TensorRows() {
    }

    /**
     * Loads {@code publication} as row 0 of {@code root} (a root in the recording schema of the same
     * dtype and shape), with {@code missed} in the {@code missed} column. The tensor's value buffer
     * is the publication's payload (no copy; bool is packed into new bits) and the root holds its
     * own reference to it, so the publication may be closed at once; the next load or closing the
     * root lets it go.
     */
    public static void load(VectorSchemaRoot root, DType dtype, Publication publication, long missed,
                            BufferAllocator allocator) {
        FixedShapeTensorVector tensor = (FixedShapeTensorVector) root.getVector(RecordingSchema.TENSOR);
        int elements = tensor.type().listSize();
        ArrowBuf empty = allocator.getEmpty();
        tensor.getUnderlyingVector().loadFieldBuffers(new ArrowFieldNode(1, 0), List.of(empty));
        if (dtype == DType.BOOL) {
            try (ArrowBuf bits = TensorBuffers.packBits(publication.payload(), 0, elements, allocator)) {
                tensor.values().loadFieldBuffers(new ArrowFieldNode(elements, 0), List.of(empty, bits));
            }
        } else {
            // loadFieldBuffers retains the payload: the root's reference outlives the publication's.
            tensor.values().loadFieldBuffers(new ArrowFieldNode(elements, 0), List.of(empty, publication.payload()));
        }
        ((UInt8Vector) root.getVector(RecordingSchema.COUNT)).setSafe(0, publication.count());
        ((UInt8Vector) root.getVector(RecordingSchema.FRAME_ID)).setSafe(0, publication.frameId());
        ((TimeStampNanoTZVector) root.getVector(RecordingSchema.WRITE_TIME)).setSafe(0,
                WriteTimes.toNanos(publication.writeTime()));
        ((UInt8Vector) root.getVector(RecordingSchema.MISSED)).setSafe(0, missed);
        root.setRowCount(1);
    }

    /**
     * The tensor column's value buffer for one frame of {@code elements} values as a stream stores
     * it: {@code payload} itself with one more reference (bool: its bytes packed into a new bit
     * buffer from {@code allocator}). The caller closes what it gets, for code that builds a row's
     * buffers once and loads them into many roots.
     */
    public static ArrowBuf valueBuffer(DType dtype, ArrowBuf payload, int elements, BufferAllocator allocator) {
        if (dtype == DType.BOOL) {
            return TensorBuffers.packBits(payload, 0, elements, allocator);
        }
        payload.getReferenceManager().retain();
        return payload;
    }

    /**
     * Row {@code row}'s values as a view (no copy) of the column's value buffer, in physical C
     * order; valid while the column's batch is. Not for bool (bit-packed): see {@link #copyRow}.
     */
    public static ArrowBuf rowBytes(FixedShapeTensorVector tensors, int row) {
        long bytes = tensors.rowBytes();
        return tensors.values().getDataBuffer().slice((long) row * bytes, bytes);
    }

    /** Copies row {@code row} into {@code target} as a stream stores it (bool: one byte per value). */
    public static void copyRow(FixedShapeTensorVector tensors, int row, ArrowBuf target) {
        int elements = tensors.type().listSize();
        if (tensors.values().getField().getType() instanceof ArrowType.Bool) {
            TensorBuffers.unpackBits(tensors.values().getDataBuffer(), (long) row * elements, elements, target);
        } else {
            long bytes = tensors.rowBytes();
            target.setBytes(0, tensors.values().getDataBuffer(), (long) row * bytes, bytes);
        }
    }

    /**
     * Checks a loaded batch's tensor column before its rows are used: it holds {@code rows} rows
     * of complete values, and no non-null row has a null value (a stream element cannot be null).
     * Arrow Java's loader turns a batch whose buffers are shorter than its header says into one
     * padded with nulls or zeros; {@link RecordBatchCheck} refuses those before loading, and this
     * is the check after.
     *
     * @throws IllegalArgumentException saying which row or count is wrong
     */
    public static void checkBatch(FixedShapeTensorVector tensors, int rows) {
        long elements = (long) rows * tensors.type().listSize();
        if (tensors.getValueCount() < rows || tensors.values().getValueCount() < elements) {
            throw new IllegalArgumentException("the batch says " + rows + " rows but its tensor column holds "
                    + tensors.getValueCount() + " rows of " + tensors.values().getValueCount() + " values");
        }
        long required = requiredValueBytes(tensors, rows);
        long held = tensors.values().getDataBuffer().capacity();
        if (held < required) {
            throw new IllegalArgumentException("the tensor column's value buffer holds " + held + " bytes; " + rows
                    + " rows need " + required);
        }
        if (tensors.values().getNullCount() > 0) {
            checkNoNullValues(tensors, rows);
        }
    }

    private static void checkNoNullValues(FixedShapeTensorVector tensors, int rows) {
        int perRow = tensors.type().listSize();
        FieldVector values = tensors.values();
        for (int row = 0; row < rows; row++) {
            if (tensors.isNull(row)) {
                continue;
            }
            for (int i = row * perRow; i < (row + 1) * perRow; i++) {
                if (values.isNull(i)) {
                    throw new IllegalArgumentException("row " + row + " has null tensor values (value " + (i - row * perRow)
                            + "); a batch of " + rows + " rows must carry " + rows + " x " + perRow
                            + " values, none null");
                }
            }
        }
    }

    /**
     * Bytes a column of {@code rows} rows must hold in its value buffer (bool: bits, rounded up),
     * to check a batch that came from elsewhere before reading it.
     */
    public static long requiredValueBytes(FixedShapeTensorVector tensors, int rows) {
        long values = (long) rows * tensors.type().listSize();
        if (tensors.values().getField().getType() instanceof ArrowType.Bool) {
            return (values + 7) / 8;
        }
        return (long) rows * tensors.rowBytes();
    }
}

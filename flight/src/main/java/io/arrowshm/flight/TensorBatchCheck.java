package io.arrowshm.flight;

import io.arrowshm.DType;
import io.arrowshm.tensors.FixedShapeTensorVector;
import io.arrowshm.tensors.RecordingSchema;
import io.arrowshm.tensors.TensorRows;
import java.util.Arrays;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Checks a record batch from a peer whole before any of its rows is written: the tensor column is
 * an {@code arrow.fixed_shape_tensor} vector that holds as many rows, values and bytes as the
 * batch says, none of its values null, and (where required) none of its rows null.
 */
final class TensorBatchCheck {
    private TensorBatchCheck() {
    }

    /**
     * The batch's tensor column, checked.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static FixedShapeTensorVector tensors(VectorSchemaRoot batch, int tensorIndex, DType dtype, long[] shape,
                                          boolean nullRowsAllowed) {
        int rows = batch.getRowCount();
        FieldVector column = batch.getVector(tensorIndex);
        if (!(column instanceof FixedShapeTensorVector)) {
            throw new IllegalArgumentException("column " + tensorIndex + " is not an arrow.fixed_shape_tensor vector");
        }
        FixedShapeTensorVector tensors = (FixedShapeTensorVector) column;
        long elements = (long) rows * tensors.type().listSize();
        if (tensors.getValueCount() < rows || tensors.values().getValueCount() < elements) {
            throw new IllegalArgumentException("the batch says " + rows + " rows but its tensor column holds "
                    + tensors.getValueCount() + " rows of " + tensors.values().getValueCount() + " values");
        }
        long required = TensorRows.requiredValueBytes(tensors, rows);
        long held = tensors.values().getDataBuffer().capacity();
        if (held < required) {
            throw new IllegalArgumentException("the tensor column's value buffer holds " + held + " bytes; " + rows
                    + " rows of " + dtype.numpyName() + " " + Arrays.toString(shape) + " need " + required);
        }
        if (!nullRowsAllowed && tensors.getNullCount() > 0) {
            throw new IllegalArgumentException("the batch has " + tensors.getNullCount() + " null rows; a ring holds"
                    + " a tensor at every position");
        }
        if (tensors.values().getNullCount() > 0) {
            checkNoNullValues(tensors, rows);
        }
        return tensors;
    }

    /** The batch's {@code frame_id} column, when it has one of type uint64. */
    static UInt8Vector frameIds(VectorSchemaRoot batch) {
        // getVector(name) returns null for a missing column (Schema.findField would throw).
        FieldVector vector = batch.getVector(RecordingSchema.FRAME_ID);
        return vector instanceof UInt8Vector ? (UInt8Vector) vector : null;
    }

    /**
     * A tensor element cannot be null. Arrow Java's loader also turns a batch whose value buffers
     * are shorter than its row count into one padded with null values (it grows the vectors to the
     * row count), so this check is what refuses such a batch.
     */
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
}

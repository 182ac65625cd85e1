package io.arrowshm.flight;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamExistsException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.tensors.ArrowTensorTypes;
import io.arrowshm.tensors.FixedShapeTensorType;
import io.arrowshm.tensors.FixedShapeTensorVector;
import io.arrowshm.tensors.RecordingSchema;
import io.arrowshm.tensors.TensorRows;
import java.util.Arrays;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Publishes the rows of record batches with an {@code arrow.fixed_shape_tensor} column into a
 * local stream, one publication per row, keeping each row's {@code frame_id} when the batch has
 * one. Used by {@code DoPut} and by the mirror. The stream is created from the tensor type when
 * absent (by a {@link StreamCreator}, which may refuse); an existing stream of another dtype or
 * shape is refused before anything is written, and each batch is checked whole
 * ({@link TensorRows#checkBatch}) before its first row is published.
 */
final class TensorBatchPublisher implements AutoCloseable {
    private final SharedMemory shm;
    private final int tensorIndex;
    private final ArrowBuf boolRow;

    private TensorBatchPublisher(SharedMemory shm, int tensorIndex, ArrowBuf boolRow) {
        this.shm = shm;
        this.tensorIndex = tensorIndex;
        this.boolRow = boolRow;
    }

    /** Makes the stream a publisher needs when the name has none. */
    interface StreamCreator {
        /** Creates {@code name} with {@code layout}, or throws (a Flight status) saying why not. */
        SharedMemory create(String name, ArrowTensorTypes.StreamLayout layout);
    }

    /** Creates what it is asked to, with notify on (the mirror's creator: its limits were checked before). */
    static final StreamCreator PLAIN = (name, layout) ->
            SharedMemory.create(name, CreateOptions.of(layout.dtype(), layout.shape()).notify(true));

    /**
     * Opens {@code name} (or has {@code creator} create it) for batches of {@code schema}.
     *
     * @throws IllegalArgumentException when the schema has no usable tensor column, or the existing
     *     stream has another dtype or shape (nothing is written then)
     */
    static TensorBatchPublisher open(String name, Schema schema, BufferAllocator allocator, StreamCreator creator) {
        int index = tensorColumn(schema);
        ArrowTensorTypes.StreamLayout layout = layout(schema, index);
        SharedMemory shm = openOrCreate(name, layout, creator);
        try {
            ArrowBuf boolRow = layout.dtype() == DType.BOOL ? allocator.buffer(Math.max(1, shm.size())) : null;
            return new TensorBatchPublisher(shm, index, boolRow);
        } catch (RuntimeException | Error e) {
            shm.close();
            throw e;
        }
    }

    /** The dtype and shape of the stream that holds one row of {@code schema}'s tensor column. */
    static ArrowTensorTypes.StreamLayout layout(Schema schema) {
        return layout(schema, tensorColumn(schema));
    }

    SharedMemory stream() {
        return shm;
    }

    /** Checks the batch, then publishes its non-null rows in order; returns how many were published. */
    int publish(VectorSchemaRoot batch) {
        int rows = batch.getRowCount();
        FixedShapeTensorVector tensors = checkedTensors(batch, tensorIndex);
        UInt8Vector frameIds = frameIds(batch);
        int published = 0;
        for (int i = 0; i < rows; i++) {
            if (tensors.isNull(i)) {
                continue;
            }
            ArrowBuf row = row(tensors, i, boolRow, shm.size());
            if (frameIds != null && !frameIds.isNull(i)) {
                shm.write(row, frameIds.get(i));
            } else {
                shm.write(row);
            }
            published++;
        }
        return published;
    }

    @Override
    public void close() {
        try {
            shm.close();
        } finally {
            if (boolRow != null) {
                boolRow.close();
            }
        }
    }

    /**
     * The batch's tensor column, checked whole (rows, values, bytes, no null value) before any row of
     * it is used.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static FixedShapeTensorVector checkedTensors(VectorSchemaRoot batch, int tensorIndex) {
        FieldVector column = batch.getVector(tensorIndex);
        if (!(column instanceof FixedShapeTensorVector)) {
            throw new IllegalArgumentException("column " + tensorIndex + " is not an arrow.fixed_shape_tensor vector");
        }
        FixedShapeTensorVector tensors = (FixedShapeTensorVector) column;
        TensorRows.checkBatch(tensors, batch.getRowCount());
        return tensors;
    }

    /** Row {@code i} as a stream or ring stores it: a view of the values, or (bool) unpacked into {@code boolRow}. */
    static ArrowBuf row(FixedShapeTensorVector tensors, int i, ArrowBuf boolRow, long frameBytes) {
        if (boolRow == null) {
            return TensorRows.rowBytes(tensors, i);
        }
        TensorRows.copyRow(tensors, i, boolRow);
        return boolRow.slice(0, frameBytes);
    }

    /** The batch's {@code frame_id} column, when it has one of type uint64. */
    static UInt8Vector frameIds(VectorSchemaRoot batch) {
        // getVector(name) returns null for a missing column (Schema.findField would throw).
        FieldVector vector = batch.getVector(RecordingSchema.FRAME_ID);
        return vector instanceof UInt8Vector ? (UInt8Vector) vector : null;
    }

    /** The index of the schema's first {@code arrow.fixed_shape_tensor} column. */
    static int tensorColumn(Schema schema) {
        for (int i = 0; i < schema.getFields().size(); i++) {
            if (schema.getFields().get(i).getType() instanceof FixedShapeTensorType) {
                return i;
            }
        }
        throw new IllegalArgumentException("no arrow.fixed_shape_tensor column (columns: "
                + schema.getFields().stream().map(f -> f.getName() + " " + f.getType()).toList() + ")");
    }

    private static ArrowTensorTypes.StreamLayout layout(Schema schema, int index) {
        Field field = schema.getFields().get(index);
        FixedShapeTensorType type = (FixedShapeTensorType) field.getType();
        Map<String, String> metadata = schema.getCustomMetadata();
        return ArrowTensorTypes.streamLayout(field.getChildren().get(0).getType(), type.physicalShape(),
                metadata == null ? null : metadata.get(RecordingSchema.META_DTYPE));
    }

    private static SharedMemory openOrCreate(String name, ArrowTensorTypes.StreamLayout layout,
                                             StreamCreator creator) {
        // Two puts (or a put and a pyshmem writer) may create the same new name at once: the one whose
        // create loses opens what the other made, and checks it like any existing stream.
        for (int attempt = 0; ; attempt++) {
            try {
                return checked(name, SharedMemory.open(name), layout);
            } catch (StreamNotFoundException missing) {
                try {
                    return creator.create(name, layout);
                } catch (StreamExistsException raced) {
                    if (attempt >= 3) {
                        throw raced;
                    }
                }
            }
        }
    }

    private static SharedMemory checked(String name, SharedMemory shm, ArrowTensorTypes.StreamLayout layout) {
        if (shm.dtype() != layout.dtype() || !Arrays.equals(shm.shape(), layout.shape())) {
            String has = shm.dtype().numpyName() + " " + Arrays.toString(shm.shape());
            shm.close();
            throw new IllegalArgumentException("stream '" + name + "' is " + has + " but the rows are " + layout
                    + "; nothing was written");
        }
        return shm;
    }
}

package io.arrowshm.tensors;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A ring's frames as Arrow data: a {@link RingBatch} of k consecutive slots becomes a k-row
 * {@link VectorSchemaRoot} whose {@code tensor} column ({@code arrow.fixed_shape_tensor}) has the
 * ring's slots themselves as its value buffer: k frames, no copy (bool is packed into Arrow bits,
 * a conversion). Beside it {@code position}, {@code frame_id} (uint64) and {@code write_time}
 * (timestamp[ns, UTC]) say which frames they are.
 *
 * <pre>{@code
 * try (Ring ring = Ring.open("frames");
 *      RingReader reader = ring.reader("trainer");
 *      BufferAllocator allocator = new RootAllocator();
 *      RingBatch batch = reader.leaseBatch(32, Duration.ofSeconds(1));
 *      VectorSchemaRoot root = RingRoots.batch(ring, batch, allocator)) {
 *     FixedShapeTensorVector tensor = (FixedShapeTensorVector) root.getVector("tensor");
 *     System.out.println(root.getRowCount() + " frames from position " + batch.firstPosition());
 * }
 * }</pre>
 *
 * <p>The root holds its own reference to the ring's memory, so closing the batch or the ring first
 * never unmaps it; but the data is the batch's frames only while the batch is open (closing it
 * lets the writer reuse the slots), so use the root inside the batch's block and check
 * {@link RingBatch#valid()} where the cursor does not hold the writer back.
 */
public final class RingRoots {
    public static final String POSITION = "position";

    private RingRoots() {
    }

    /**
     * Loads {@code rows} frames stored one after the other in {@code values} (C order, as a ring
     * slot holds them) into {@code tensor}: the buffer itself becomes its value buffer (retained, no
     * copy), except for bool, which is packed into new Arrow bits.
     */
    public static void loadTensor(FixedShapeTensorVector tensor, DType dtype, ArrowBuf values, int rows,
                                  BufferAllocator allocator) {
        int elements = tensor.type().listSize();
        ArrowBuf empty = allocator.getEmpty();
        tensor.getUnderlyingVector().loadFieldBuffers(new ArrowFieldNode(rows, 0), List.of(empty));
        if (dtype == DType.BOOL) {
            try (ArrowBuf bits = TensorBuffers.packBits(values, 0, (long) elements * rows, allocator)) {
                tensor.values().loadFieldBuffers(new ArrowFieldNode((long) elements * rows, 0), List.of(empty, bits));
            }
        } else {
            tensor.values().loadFieldBuffers(new ArrowFieldNode((long) elements * rows, 0), List.of(empty, values));
        }
    }

    /** The schema of {@link #batch}: tensor, position, frame_id, write_time, with the recording's metadata. */
    public static Schema schema(Ring ring) {
        Schema recording = RecordingSchema.of(ring.name(), ring.dtype(), ring.shape());
        return new Schema(List.of(recording.findField(RecordingSchema.TENSOR),
                Field.notNullable(POSITION, new ArrowType.Int(64, false)),
                recording.findField(RecordingSchema.FRAME_ID),
                Field.notNullable(RecordingSchema.WRITE_TIME, new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC"))),
                recording.getCustomMetadata());
    }

    /** The batch as a {@code batch.count()}-row root over the ring's slots; the caller closes it. */
    public static VectorSchemaRoot batch(Ring ring, RingBatch batch, BufferAllocator allocator) {
        int rows = batch.count();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(ring), allocator);
        try {
            // loadTensor retains the slots' view: the root keeps its own reference to the mapping.
            loadTensor((FixedShapeTensorVector) root.getVector(RecordingSchema.TENSOR), ring.dtype(), batch.buffer(),
                    rows, allocator);
            UInt8Vector positions = (UInt8Vector) root.getVector(POSITION);
            UInt8Vector frameIds = (UInt8Vector) root.getVector(RecordingSchema.FRAME_ID);
            TimeStampNanoTZVector times = (TimeStampNanoTZVector) root.getVector(RecordingSchema.WRITE_TIME);
            positions.allocateNew(rows);
            frameIds.allocateNew(rows);
            times.allocateNew(rows);
            for (int i = 0; i < rows; i++) {
                positions.set(i, batch.position(i));
                frameIds.set(i, batch.frameId(i));
                times.set(i, batch.writeTimeNanos(i));
            }
            root.setRowCount(rows);
            return root;
        } catch (RuntimeException | Error e) {
            root.close();
            throw e;
        }
    }
}

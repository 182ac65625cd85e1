package io.arrowshm.flight;

import io.arrowshm.tensors.FixedShapeTensorVector;
import io.arrowshm.tensors.RecordingSchema;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;

/**
 * One call's one-row batch in the recording schema, loaded from a {@link FrameSnapshot}: every
 * column takes the snapshot's (or the stream's shared) buffers with a reference of its own, so
 * nothing is copied, and nothing is allocated unless the row's {@code missed} is not zero. The
 * buffers are never written again, which is what lets gRPC send them without a copy (Flight's
 * zero-copy write) after {@link #clear()} has dropped the batch's references.
 */
final class SnapshotBatch {
    private static final ArrowFieldNode ONE_ROW = new ArrowFieldNode(1, 0);

    private final VectorSchemaRoot root;
    private final StreamSnapshots stream;
    private final BufferAllocator memory;
    private final FixedShapeTensorVector tensor;
    private final BaseFixedWidthVector count;
    private final BaseFixedWidthVector frameId;
    private final BaseFixedWidthVector writeTime;
    private final BaseFixedWidthVector missed;
    private final ArrowFieldNode valuesNode;

    /** {@code root}: in {@code stream}'s schema, from the frame memory (the snapshots' allocator). */
    SnapshotBatch(VectorSchemaRoot root, StreamSnapshots stream, BufferAllocator memory) {
        this.root = root;
        this.stream = stream;
        this.memory = memory;
        this.tensor = (FixedShapeTensorVector) root.getVector(RecordingSchema.TENSOR);
        this.count = (BaseFixedWidthVector) root.getVector(RecordingSchema.COUNT);
        this.frameId = (BaseFixedWidthVector) root.getVector(RecordingSchema.FRAME_ID);
        this.writeTime = (BaseFixedWidthVector) root.getVector(RecordingSchema.WRITE_TIME);
        this.missed = (BaseFixedWidthVector) root.getVector(RecordingSchema.MISSED);
        this.valuesNode = new ArrowFieldNode(stream.elements(), 0);
    }

    /** Makes the root hold {@code snapshot} as its one row, with {@code skipped} in {@code missed}. */
    void load(FrameSnapshot snapshot, long skipped) {
        ArrowBuf valid = stream.allValid();
        tensor.getUnderlyingVector().loadFieldBuffers(ONE_ROW, List.of(valid));
        tensor.values().loadFieldBuffers(valuesNode, List.of(valid, snapshot.values()));
        count.loadFieldBuffers(ONE_ROW, List.of(valid, snapshot.countValue()));
        frameId.loadFieldBuffers(ONE_ROW, List.of(valid, snapshot.frameIdValue()));
        writeTime.loadFieldBuffers(ONE_ROW, List.of(valid, snapshot.writeTimeValue()));
        if (skipped == 0) {
            missed.loadFieldBuffers(ONE_ROW, List.of(valid, stream.zero()));
        } else {
            // A fresh buffer: the previous row's may still be in a message gRPC has not written.
            try (ArrowBuf value = memory.buffer(8)) {
                value.setLong(0, skipped);
                missed.loadFieldBuffers(ONE_ROW, List.of(valid, value));
            }
        }
        root.setRowCount(1);
    }

    /** Drops the root's references (gRPC keeps its own until the message is written). */
    void clear() {
        root.clear();
    }
}

package io.arrowshm.flight;

import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.tensors.FixedShapeTensorVector;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Rows from a peer into a ring (a put, a mirror): every row is a frame, and a full BLOCK ring is waited for. */
final class RingRows {
    /** How long one wait for space lasts, so that a stop is seen within it. */
    private static final Duration SLICE = Duration.ofMillis(100);

    private RingRows() {
    }

    /**
     * The batch's tensor column, checked whole before any row is written: what a stream's put
     * checks, and no null row (a ring holds a tensor at every position).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static FixedShapeTensorVector checked(VectorSchemaRoot batch, int tensorIndex) {
        FixedShapeTensorVector tensors = TensorBatchPublisher.checkedTensors(batch, tensorIndex);
        if (tensors.getNullCount() > 0) {
            throw new IllegalArgumentException("the batch has " + tensors.getNullCount() + " null rows; a ring holds"
                    + " a tensor at every position");
        }
        return tensors;
    }

    /** Writes one frame, waiting while a BLOCK ring is full; false when {@code stop} said so first (nothing written). */
    static boolean write(RingWriter writer, ArrowBuf row, long frameId, BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            try {
                writer.write(row, frameId, SLICE);
                return true;
            } catch (StreamTimeoutException full) {
                // the slowest reader is a whole ring behind: wait on (gRPC holds the peer back meanwhile)
            }
        }
        return false;
    }
}

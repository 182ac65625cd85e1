package io.arrowshm.flight;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.tensors.ArrowTensorTypes;
import io.arrowshm.tensors.BatchRejectedException;
import io.arrowshm.tensors.FixedShapeTensorVector;
import io.arrowshm.tensors.IpcLimits;
import io.arrowshm.tensors.RecordBatchCheck;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.StreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One {@code DoPut} with descriptor path {@code [RING]}: every row is appended to the ring, in
 * order, with its {@code frame_id} when the batch has one. The put holds the ring's writer lease
 * for the whole call (another writer makes it {@code UNAVAILABLE} after 5 s). Under {@code BLOCK}
 * a full ring makes it wait for the slowest reader, and the client with it (gRPC flow control):
 * nothing is dropped. A schema whose tensor is not the ring's dtype and shape is
 * {@code INVALID_ARGUMENT} before anything is written, and each batch is checked whole (row count,
 * values, buffer length, no null row or value) before its first row is appended; the rows of
 * earlier batches stay. As for a stream's put, every batch came through the {@link PutGate} (its
 * header checked against the server's limits before Arrow allocated anything) and the schema is
 * checked against the same limits first; the gate's refusal ends the put with its reason.
 */
final class RingPutReceiver implements Runnable {

    private final Ring ring;
    private final FlightStream incoming;
    private final StreamListener<PutResult> ack;
    private final BufferAllocator allocator;
    private final ServerCounters counters;
    private final IpcLimits limits;
    private final PutVerdict verdict;
    private final BooleanSupplier stop;
    private final Runnable onEnd;

    /**
     * Takes ownership of {@code ring} and {@code allocator}; {@code stop} says the call was cancelled
     * or the server closes; {@code onEnd} runs when the put ends.
     */
    RingPutReceiver(Ring ring, FlightStream incoming, StreamListener<PutResult> ack, BufferAllocator allocator,
                    ServerCounters counters, IpcLimits limits, PutVerdict verdict, BooleanSupplier stop, Runnable onEnd) {
        this.ring = ring;
        this.incoming = incoming;
        this.ack = ack;
        this.allocator = allocator;
        this.counters = counters;
        this.limits = limits;
        this.verdict = verdict;
        this.stop = stop;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        try (BufferAllocator owned = allocator; Ring target = ring) {
            receive(owned);
        } finally {
            onEnd.run();
        }
    }

    private void receive(BufferAllocator owned) {
        Schema schema = incoming.getSchema();
        refuseIfGateDid();
        try {
            RecordBatchCheck.of(schema, limits);
        } catch (BatchRejectedException e) {
            throw status(e.getMessage(), e.overLimit());
        }
        int tensorIndex = checkSchema(schema);
        try (RingWriter writer = lease();
             ArrowBuf boolRow = ring.dtype() == DType.BOOL ? owned.buffer(Math.max(1, ring.size())) : null) {
            while (nextBatch()) {
                if (!append(writer, incoming.getRoot(), tensorIndex, boolRow)) {
                    throw CallStatus.CANCELLED.withDescription("DoPut into ring '" + ring.name() + "' ended while"
                            + " the ring was full").toRuntimeException();
                }
            }
        }
        refuseIfGateDid();
        ack.onCompleted();
    }

    private void refuseIfGateDid() {
        BatchGate.Refusal refusal = verdict.refusal();
        if (refusal != null) {
            throw status(refusal.reason(), refusal.overLimit());
        }
    }

    private int checkSchema(Schema schema) {
        try {
            ArrowTensorTypes.StreamLayout layout = TensorBatchPublisher.layout(schema);
            if (layout.dtype() != ring.dtype() || !Arrays.equals(layout.shape(), ring.shape())) {
                throw invalid("ring '" + ring.name() + "' is " + ring.dtype().numpyName() + " " + Arrays.toString(ring.shape())
                        + " but the rows are " + layout + "; nothing was written");
            }
            return TensorBatchPublisher.tensorColumn(schema);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private RingWriter lease() {
        try {
            return ring.writer();
        } catch (StreamTimeoutException e) {
            throw CallStatus.UNAVAILABLE.withDescription("DoPut into ring '" + ring.name() + "': " + e.getMessage())
                    .toRuntimeException();
        }
    }

    /** Checks the batch whole, then appends its rows; false when the call ended while the ring was full. */
    private boolean append(RingWriter writer, VectorSchemaRoot batch, int tensorIndex, ArrowBuf boolRow) {
        FixedShapeTensorVector tensors;
        try {
            tensors = RingRows.checked(batch, tensorIndex);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage() + "; nothing of this batch was written");
        }
        UInt8Vector frameIds = TensorBatchPublisher.frameIds(batch);
        for (int i = 0; i < batch.getRowCount(); i++) {
            ArrowBuf row = TensorBatchPublisher.row(tensors, i, boolRow, ring.size());
            if (!RingRows.write(writer, row, frameIds == null || frameIds.isNull(i) ? 0 : frameIds.get(i), stop)) {
                return false;
            }
            counters.received(ring.size());
        }
        return true;
    }

    private boolean nextBatch() {
        try {
            return incoming.next();
        } catch (FlightRuntimeException e) {
            throw e;
        } catch (RuntimeException e) {
            // Arrow could not load the message (a body shorter than its buffers, a bad header): hostile input.
            throw invalid("a record batch could not be read: " + e.getMessage());
        }
    }

    private RuntimeException invalid(String reason) {
        return status(reason, false);
    }

    private RuntimeException status(String reason, boolean overLimit) {
        return (overLimit ? CallStatus.RESOURCE_EXHAUSTED : CallStatus.INVALID_ARGUMENT)
                .withDescription("DoPut into ring '" + ring.name() + "': " + reason).toRuntimeException();
    }
}

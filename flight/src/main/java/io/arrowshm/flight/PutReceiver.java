package io.arrowshm.flight;

import io.arrowshm.SharedMemory;
import io.arrowshm.tensors.ArrowTensorTypes;
import io.arrowshm.tensors.BatchRejectedException;
import io.arrowshm.tensors.IpcLimits;
import io.arrowshm.tensors.RecordBatchCheck;
import java.util.Optional;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.FlightProducer.StreamListener;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One {@code DoPut} with descriptor path {@code [NAME]}: every incoming row is published into the
 * local stream NAME (see {@link TensorBatchPublisher}). Every batch reached here through the
 * {@link PutGate}, which checked its header against the limits; a refusal there ends the put with
 * the gate's reason ({@code INVALID_ARGUMENT} for a lie, {@code RESOURCE_EXHAUSTED} over a limit).
 *
 * <p>Validate, then publish: the schema is checked (a tensor column, frames within the limits, the
 * existing stream's dtype and shape) before anything is written, and a missing stream is created
 * only by the first batch with a row, through the server's {@link CreationBudget}: a put that sends
 * a schema alone creates nothing. A put that fails after it created its stream unlinks it again;
 * the rows of earlier batches of a put into an existing stream stay published.
 */
final class PutReceiver implements Runnable {
    private final String name;
    private final FlightStream incoming;
    private final StreamListener<PutResult> ack;
    private final BufferAllocator allocator;
    private final ServerCounters counters;
    private final IpcLimits limits;
    private final CreationBudget budget;
    private final PutVerdict verdict;
    private final Runnable onEnd;

    PutReceiver(String name, FlightStream incoming, StreamListener<PutResult> ack, BufferAllocator allocator,
                ServerCounters counters, IpcLimits limits, CreationBudget budget, PutVerdict verdict, Runnable onEnd) {
        this.name = name;
        this.incoming = incoming;
        this.ack = ack;
        this.allocator = allocator;
        this.counters = counters;
        this.limits = limits;
        this.budget = budget;
        this.verdict = verdict;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        try (BufferAllocator owned = allocator) {
            receive();
        } finally {
            onEnd.run();
        }
    }

    private void receive() {
        Schema schema = incoming.getSchema();
        refuseIfGateDid();
        try {
            RecordBatchCheck.of(schema, limits);
            TensorBatchPublisher.layout(schema);
        } catch (BatchRejectedException e) {
            throw status(e.getMessage(), e.overLimit());
        } catch (IllegalArgumentException e) {
            throw status(e.getMessage(), false);
        }
        TensorBatchPublisher publisher = null;
        boolean done = false;
        CreationWatch watch = new CreationWatch(budget);
        try {
            while (nextBatch()) {
                VectorSchemaRoot batch = incoming.getRoot();
                if (publisher == null) {
                    if (batch.getRowCount() == 0) {
                        continue; // nothing to publish: no reason to create anything yet
                    }
                    publisher = open(schema, watch);
                }
                int published;
                try {
                    published = publisher.publish(batch);
                } catch (IllegalArgumentException e) {
                    throw status(e.getMessage(), false);
                }
                for (int i = 0; i < published; i++) {
                    counters.received(publisher.stream().size());
                }
            }
            refuseIfGateDid();
            ack.onCompleted();
            done = true;
        } finally {
            if (publisher != null) {
                publisher.close();
            }
            if (!done && watch.created.isPresent()) {
                budget.undo(name, watch.created); // a failed put leaves no stream it created
            }
        }
    }

    /** The publisher, the stream made through the budget if it is missing (its refusal is a Flight status already). */
    private TensorBatchPublisher open(Schema schema, CreationWatch creator) {
        try {
            return TensorBatchPublisher.open(name, schema, allocator, creator);
        } catch (IllegalArgumentException e) {
            throw status(e.getMessage(), false);
        }
    }

    /** The budget's creator, remembering the instance it made (for undoing it). */
    private static final class CreationWatch implements TensorBatchPublisher.StreamCreator {
        private final CreationBudget budget;
        Optional<String> created = Optional.empty();

        CreationWatch(CreationBudget budget) {
            this.budget = budget;
        }

        @Override
        public SharedMemory create(String name, ArrowTensorTypes.StreamLayout layout) {
            SharedMemory shm = budget.create(name, layout);
            created = shm.instanceId();
            return shm;
        }
    }

    private boolean nextBatch() {
        try {
            return incoming.next();
        } catch (FlightRuntimeException e) {
            throw e;
        } catch (RuntimeException e) {
            // Arrow could not load the message (a body shorter than its buffers, a bad header): hostile input.
            throw status("a record batch could not be read: " + e.getMessage(), false);
        }
    }

    private void refuseIfGateDid() {
        BatchGate.Refusal refusal = verdict.refusal();
        if (refusal != null) {
            throw status(refusal.reason(), refusal.overLimit());
        }
    }

    private RuntimeException status(String reason, boolean overLimit) {
        return (overLimit ? CallStatus.RESOURCE_EXHAUSTED : CallStatus.INVALID_ARGUMENT)
                .withDescription("DoPut into '" + name + "': " + reason).toRuntimeException();
    }
}

package io.arrowshm.flight;

import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.FlightProducer.StreamListener;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One {@code DoPut} with descriptor path {@code [NAME]}: every incoming row is published into the
 * local stream NAME (see {@link TensorBatchPublisher}). A schema without a usable tensor column,
 * or one that does not match the existing stream, is {@code INVALID_ARGUMENT} before anything is
 * written; so is a batch whose buffers do not hold what its header claims (the rows of earlier
 * batches stay published).
 */
final class PutReceiver implements Runnable {
    private final String name;
    private final FlightStream incoming;
    private final StreamListener<PutResult> ack;
    private final BufferAllocator allocator;
    private final ServerCounters counters;

    PutReceiver(String name, FlightStream incoming, StreamListener<PutResult> ack, BufferAllocator allocator,
                ServerCounters counters) {
        this.name = name;
        this.incoming = incoming;
        this.ack = ack;
        this.allocator = allocator;
        this.counters = counters;
    }

    @Override
    public void run() {
        try (BufferAllocator owned = allocator;
             TensorBatchPublisher publisher = open()) {
            long rowBytes = publisher.stream().size();
            while (nextBatch()) {
                int published;
                try {
                    published = publisher.publish(incoming.getRoot());
                } catch (IllegalArgumentException e) {
                    throw invalid(e.getMessage());
                }
                for (int i = 0; i < published; i++) {
                    counters.received(rowBytes);
                }
            }
            ack.onCompleted();
        }
    }

    private TensorBatchPublisher open() {
        try {
            return TensorBatchPublisher.open(name, incoming.getSchema(), allocator);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
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
        return CallStatus.INVALID_ARGUMENT.withDescription("DoPut into '" + name + "': " + reason).toRuntimeException();
    }
}

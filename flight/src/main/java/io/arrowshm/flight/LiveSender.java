package io.arrowshm.flight;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInfo;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.tensors.RecordingSchema;
import io.arrowshm.tensors.TensorRows;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One {@code DoGet}: sends the stream's current publication, then each newer one, as one-row
 * record batches in the recording schema, on the server's own executor (never a gRPC thread:
 * it waits, and gRPC's ready and cancel callbacks must stay free to run).
 *
 * <p>A slow client never holds the writer back and never makes the server buffer frames: a row
 * is sent only when gRPC says the call is ready for more, and the row sent then is the latest
 * publication, with {@code missed} counting those that came and went since the previous row.
 * Every wait is bounded (100 ms), so a cancelled call, a closing server or a stream that was
 * unlinked or recreated (checked by name at least every 500 ms) ends the call promptly.
 */
final class LiveSender implements Runnable {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long READY_WAIT_MILLIS = 50;
    private static final long LIVENESS_NANOS = Duration.ofMillis(500).toNanos();

    private final TicketRequest request;
    private final SharedMemory shm;
    private final ServerStreamListener listener;
    private final BufferAllocator allocator;
    private final ServerCounters counters;
    private final BooleanSupplier closing;
    private final Runnable onEnd;
    private final Object readiness = new Object();
    private volatile boolean cancelled;
    private long lastLivenessCheck = System.nanoTime();

    /**
     * Takes ownership of {@code shm} and {@code allocator}; registers the call's ready and cancel
     * handlers; runs {@code onEnd} when the call ends.
     */
    LiveSender(TicketRequest request, SharedMemory shm, ServerStreamListener listener, BufferAllocator allocator,
               ServerCounters counters, BooleanSupplier closing, Runnable onEnd) {
        this.request = request;
        this.shm = shm;
        this.listener = listener;
        this.allocator = allocator;
        this.counters = counters;
        this.closing = closing;
        this.onEnd = onEnd;
        listener.setOnReadyHandler(this::wake);
        listener.setOnCancelHandler(() -> {
            cancelled = true;
            wake();
        });
    }

    @Override
    public void run() {
        counters.clientStarted();
        try (BufferAllocator owned = allocator;
             SharedMemory handle = shm;
             VectorSchemaRoot root = VectorSchemaRoot.create(
                     RecordingSchema.of(handle.name(), handle.dtype(), handle.shape()), owned)) {
            listener.start(root);
            if (request.latestOnly()) {
                if (handle.count() > 0) {
                    try (Publication p = handle.readPublication(Duration.ofSeconds(5))) {
                        send(root, p, 0);
                    }
                }
                listener.completed();
            } else {
                follow(root);
            }
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            counters.clientEnded();
            onEnd.run();
        }
    }

    private void follow(VectorSchemaRoot root) {
        long last = 0;
        while (true) {
            if (cancelled || listener.isCancelled()) {
                return; // the client went away: nothing to tell it
            }
            if (closing.getAsBoolean()) {
                listener.error(CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException());
                return;
            }
            if (System.nanoTime() - lastLivenessCheck > LIVENESS_NANOS) {
                lastLivenessCheck = System.nanoTime();
                if (!stillServed()) {
                    listener.completed();
                    return;
                }
            }
            if (!listener.isReady()) {
                awaitReady();
                continue;
            }
            Publication p;
            try {
                p = shm.readAfterPublication(last, POLL);
            } catch (StreamTimeoutException | InconsistentStreamException idle) {
                // Nothing new yet, or a writer died mid-write (the next complete write repairs it): wait on.
                continue;
            } catch (StreamInterruptedException e) {
                if (closing.getAsBoolean()) {
                    continue; // the loop's head ends the call with the reason
                }
                throw e;
            }
            try (p) {
                send(root, p, last == 0 ? 0 : Math.max(0, p.count() - last - 1));
                last = p.count();
            }
        }
    }

    private void send(VectorSchemaRoot root, Publication p, long missed) {
        TensorRows.load(root, shm.dtype(), p, missed, allocator);
        listener.putNext();
        // gRPC copied the row into its own buffers in putNext: let our copy go now rather than at the
        // next row, so a stalled client pins one frame (gRPC's), not two.
        root.clear();
        counters.sent(shm.size());
    }

    /** Whether the name still holds the generation this call serves (not unlinked, not recreated). */
    private boolean stillServed() {
        try {
            StreamInfo now = SharedMemory.stat(shm.name());
            return now.instanceId().equals(shm.instanceId()) && now.creatorPid() == shm.creatorPid();
        } catch (StreamNotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            return false; // unreadable metadata under the name: not the stream this call serves
        }
    }

    private void awaitReady() {
        synchronized (readiness) {
            if (!listener.isReady() && !cancelled) {
                try {
                    readiness.wait(READY_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    // Only the server's shutdown interrupts its executor, and the loop's head then ends
                    // the call saying so; the status is not kept, or every later bounded wait would fail at once.
                }
            }
        }
    }

    private void wake() {
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }

    private void fail(Throwable e) {
        if (cancelled || listener.isCancelled()) {
            return;
        }
        try {
            listener.error(e instanceof org.apache.arrow.flight.FlightRuntimeException ? e
                    : CallStatus.INTERNAL.withDescription("serving '" + shm.name() + "' failed: "
                    + Objects.toString(e.getMessage(), e.getClass().getSimpleName())).withCause(e).toRuntimeException());
        } catch (RuntimeException alreadyEnded) {
            // The call ended under us (completed or cancelled): nothing more to report on it.
        }
    }
}

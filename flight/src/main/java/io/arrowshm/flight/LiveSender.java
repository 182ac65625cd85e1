package io.arrowshm.flight;

import io.arrowshm.StreamInterruptedException;
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
 * <p>Rows come from the stream's {@link StreamSnapshots}, shared with every other call on the
 * stream, and go to gRPC without a copy (Flight's zero-copy write: a snapshot's buffers are never
 * written again). A slow client never holds the writer back and never makes the server buffer
 * frames: a row is sent only when gRPC says the call is ready for more (its queue under the
 * server's per-client threshold), and the row sent then is the latest publication, with
 * {@code missed} counting those that came and went since the previous row. Every wait is bounded
 * (100 ms), so a cancelled call, a closing server or a stream that was unlinked or recreated
 * (checked by name at least every 500 ms) ends the call promptly.
 */
final class LiveSender implements Runnable {
    private static final long POLL_NANOS = Duration.ofMillis(100).toNanos();
    private static final long LATEST_NANOS = Duration.ofSeconds(5).toNanos();
    private static final long READY_WAIT_MILLIS = 50;

    private final TicketRequest request;
    private final StreamSnapshots stream;
    private final ServerStreamListener listener;
    private final BufferAllocator memory;
    private final ServerCounters counters;
    private final BooleanSupplier closing;
    private final Runnable onEnd;
    private final Object readiness = new Object();
    private volatile boolean cancelled;

    /**
     * Sends {@code stream}'s rows, built in {@code memory} (the frame memory the snapshots come
     * from); registers the call's ready and cancel handlers; runs {@code onEnd} when the call ends.
     */
    LiveSender(TicketRequest request, StreamSnapshots stream, ServerStreamListener listener, BufferAllocator memory,
               ServerCounters counters, BooleanSupplier closing, Runnable onEnd) {
        this.request = request;
        this.stream = stream;
        this.listener = listener;
        this.memory = memory;
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
        try (VectorSchemaRoot root = VectorSchemaRoot.create(stream.schema(), memory)) {
            SnapshotBatch batch = new SnapshotBatch(root, stream, memory);
            listener.setUseZeroCopy(true);
            listener.start(root);
            if (request.latestOnly()) {
                if (stream.stream().count() > 0) {
                    FrameSnapshot latest = stream.next(0, System.nanoTime() + LATEST_NANOS);
                    if (latest != null) {
                        send(batch, latest, 0);
                    }
                }
                listener.completed();
            } else {
                follow(batch);
            }
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            counters.clientEnded();
            onEnd.run();
        }
    }

    private void follow(SnapshotBatch batch) {
        long last = 0;
        while (true) {
            if (cancelled || listener.isCancelled()) {
                return; // the client went away: nothing to tell it
            }
            if (closing.getAsBoolean()) {
                listener.error(CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException());
                return;
            }
            if (!stream.stillServed()) {
                listener.completed();
                return;
            }
            if (!listener.isReady()) {
                awaitReady();
                continue;
            }
            FrameSnapshot next;
            try {
                next = stream.next(last, System.nanoTime() + POLL_NANOS);
            } catch (StreamInterruptedException e) {
                if (closing.getAsBoolean()) {
                    continue; // the loop's head ends the call with the reason
                }
                throw e;
            }
            if (next == null) {
                continue; // nothing new yet: look at the call again, then wait on
            }
            long count = next.count();
            send(batch, next, last == 0 ? 0 : Math.max(0, count - last - 1));
            last = count;
        }
    }

    /** Sends {@code snapshot} (the caller's reference, released here) as the call's next row. */
    private void send(SnapshotBatch batch, FrameSnapshot snapshot, long missed) {
        try {
            batch.load(snapshot, missed);
            listener.putNext();
        } finally {
            // gRPC holds its own references to the row's buffers until it has written them: drop ours now,
            // so a stalled client pins only what its queue holds.
            batch.clear();
            snapshot.release();
        }
        counters.sent(stream.stream().size());
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
                    : CallStatus.INTERNAL.withDescription("serving '" + stream.name() + "' failed: "
                    + Objects.toString(e.getMessage(), e.getClass().getSimpleName())).withCause(e).toRuntimeException());
        } catch (RuntimeException alreadyEnded) {
            // The call ended under us (completed or cancelled): nothing more to report on it.
        }
    }
}

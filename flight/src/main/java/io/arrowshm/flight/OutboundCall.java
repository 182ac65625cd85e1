package io.arrowshm.flight;

import java.util.Objects;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;

/**
 * The gRPC side of one server-streaming call as a sender thread sees it: whether the client is
 * still there, waiting (bounded) until gRPC is ready for more, and ending it with an error the
 * client can read. Registers the call's ready and cancel handlers.
 */
final class OutboundCall {
    private static final long READY_WAIT_MILLIS = 50;

    private final ServerStreamListener listener;
    private final Object readiness = new Object();
    private volatile boolean cancelled;

    OutboundCall(ServerStreamListener listener) {
        this.listener = listener;
        listener.setOnReadyHandler(this::wake);
        listener.setOnCancelHandler(() -> {
            cancelled = true;
            wake();
        });
    }

    ServerStreamListener listener() {
        return listener;
    }

    /** The client went away (cancelled, or the connection broke). */
    boolean cancelled() {
        return cancelled || listener.isCancelled();
    }

    /** Waits at most 50 ms for gRPC to be ready for more (so the caller re-checks cancel and shutdown often). */
    void awaitReady() {
        synchronized (readiness) {
            if (!listener.isReady() && !cancelled) {
                try {
                    readiness.wait(READY_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    // Only the server's shutdown interrupts its executor, and the sender's loop then ends
                    // the call saying so; the status is not kept, or every later bounded wait would fail at once.
                }
            }
        }
    }

    /** Ends the call with {@code e} as the client's error (a Flight status as is, anything else INTERNAL). */
    void fail(Throwable e, String what) {
        if (cancelled()) {
            return;
        }
        try {
            listener.error(e instanceof FlightRuntimeException ? e
                    : CallStatus.INTERNAL.withDescription(what + " failed: "
                    + Objects.toString(e.getMessage(), e.getClass().getSimpleName())).withCause(e).toRuntimeException());
        } catch (RuntimeException alreadyEnded) {
            // The call ended under us (completed or cancelled): nothing more to report on it.
        }
    }

    private void wake() {
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }
}

package io.arrowshm.flight;

import io.grpc.Context;

/**
 * Why {@link PutGate} stopped passing a {@code DoPut}'s messages on, for the {@link PutReceiver}
 * of the same call: the gate ends the put's message stream at the refused message (Flight's
 * {@code FlightStream} then reports a clean end), and the receiver, finding the verdict, fails
 * the call with it instead of acknowledging. Travels in the call's gRPC {@link Context}, which
 * Flight carries over to the thread that runs the put.
 */
final class PutVerdict {
    static final Context.Key<PutVerdict> KEY = Context.key("arrow-shm-put-verdict");

    private volatile BatchGate.Refusal refusal;

    void refuse(BatchGate.Refusal why) {
        if (refusal == null) {
            refusal = why;
        }
    }

    /** The refusal, or null while every message passed. */
    BatchGate.Refusal refusal() {
        return refusal;
    }

    /** This call's verdict (a fresh, empty one when the call did not come through the gate). */
    static PutVerdict current() {
        PutVerdict verdict = KEY.get();
        return verdict != null ? verdict : new PutVerdict();
    }
}

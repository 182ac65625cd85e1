package io.arrowshm.flight;

import io.arrowshm.tensors.IpcLimits;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The server's {@link BatchGate} for {@code DoPut}: every message of a put is inspected before
 * Flight's {@code FlightStream} (and its loader) gets it. At the first refused one the gate frees
 * it and every later message, ends the put's stream as if the client had finished, and leaves
 * the {@link PutVerdict} for the {@link PutReceiver}, which fails the call with it. A refused
 * schema is still passed on, so that the receiver sees the put begin before it sees the end.
 */
final class PutGate implements ServerInterceptor {
    static final String DO_PUT = "arrow.flight.protocol.FlightService/DoPut";

    private final IpcLimits limits;
    private final BufferAllocator scratch;

    PutGate(IpcLimits limits, BufferAllocator scratch) {
        this.limits = limits;
        this.scratch = scratch;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (!DO_PUT.equals(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        PutVerdict verdict = new PutVerdict();
        ServerCall.Listener<Q> flight = Contexts.interceptCall(Context.current().withValue(PutVerdict.KEY, verdict),
                call, headers, next);
        BatchGate gate = new BatchGate(limits, scratch);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>(flight) {
            private boolean ended;

            @Override
            public void onMessage(Q message) {
                if (ended) {
                    ArrowMessages.close(message);
                    return;
                }
                BatchGate.Refusal refusal = gate.inspect(message);
                if (refusal == null) {
                    super.onMessage(message);
                    return;
                }
                verdict.refuse(refusal);
                if (ArrowMessages.kind(message) == ArrowMessages.Kind.SCHEMA) {
                    super.onMessage(message);
                } else {
                    ArrowMessages.close(message);
                }
                end();
            }

            @Override
            public void onHalfClose() {
                end();
            }

            private void end() {
                if (!ended) {
                    ended = true;
                    super.onHalfClose();
                }
            }
        };
    }
}

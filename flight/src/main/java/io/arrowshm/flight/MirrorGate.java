package io.arrowshm.flight;

import io.arrowshm.tensors.IpcLimits;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The mirror's {@link BatchGate} for {@code DoGet}: the server's messages are inspected before
 * Flight's {@code FlightStream} loads them. At the first refused one the gate frees it, cancels
 * the call and ends it for Flight with {@code INVALID_ARGUMENT} (a lie) or
 * {@code RESOURCE_EXHAUSTED} (over a limit) and the reason; {@link #lastRefusal()} tells the
 * mirror it was refused here rather than by the server.
 */
final class MirrorGate implements ClientInterceptor {
    static final String DO_GET = "arrow.flight.protocol.FlightService/DoGet";

    private final IpcLimits limits;
    private final BufferAllocator scratch;
    private final AtomicReference<BatchGate.Refusal> lastRefusal = new AtomicReference<>();

    MirrorGate(IpcLimits limits, BufferAllocator scratch) {
        this.limits = limits;
        this.scratch = scratch;
    }

    /** The most recent call's refusal, or null. */
    BatchGate.Refusal lastRefusal() {
        return lastRefusal.get();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        if (!DO_GET.equals(method.getFullMethodName())) {
            return call;
        }
        lastRefusal.set(null);
        BatchGate gate = new BatchGate(limits, scratch);
        return new ForwardingClientCall.SimpleForwardingClientCall<Q, R>(call) {
            @Override
            public void start(Listener<R> flight, Metadata headers) {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<R>(flight) {
                    private volatile BatchGate.Refusal refusal;

                    @Override
                    public void onMessage(R message) {
                        if (refusal != null) {
                            ArrowMessages.close(message);
                            return;
                        }
                        BatchGate.Refusal why = gate.inspect(message);
                        if (why == null) {
                            super.onMessage(message);
                            return;
                        }
                        refusal = why;
                        lastRefusal.set(why);
                        ArrowMessages.close(message);
                        call.cancel("refused by the mirror: " + why.reason(), null);
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        BatchGate.Refusal why = refusal;
                        if (why == null) {
                            super.onClose(status, trailers);
                        } else {
                            super.onClose((why.overLimit() ? Status.RESOURCE_EXHAUSTED : Status.INVALID_ARGUMENT)
                                    .withDescription("refused from the server: " + why.reason()), trailers);
                        }
                    }
                }, headers);
            }
        };
    }
}

package io.arrowshm.flight;

import io.arrowshm.tensors.ArrowTensorTypes;
import io.arrowshm.tensors.BatchRejectedException;
import io.arrowshm.tensors.RecordBatchCheck;
import io.grpc.ClientInterceptor;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.BearerCredentialWriter;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Flight clients as the mirror makes them: its own gRPC channel (keepalive from
 * {@link ConnectionLiveness}, a small default message limit, the mirror's {@link MirrorGate}), TLS
 * trust and bearer token from {@link MirrorOptions}.
 */
final class FlightClients {
    /** The largest message of a call that does not say otherwise (GetFlightInfo answers are a few KiB). */
    static final int DEFAULT_MAX_MESSAGE_BYTES = 16 << 20;
    /** How long a GetFlightInfo may take before the attempt counts as failed. */
    static final long INFO_TIMEOUT_SECONDS = 10;

    private FlightClients() {
    }

    static FlightClient connect(Location location, MirrorOptions options, BufferAllocator allocator,
                                ClientInterceptor gate) {
        return connect(location, options, allocator, gate, 0);
    }

    /**
     * {@link #connect(Location, MirrorOptions, BufferAllocator, ClientInterceptor)} with a gRPC
     * receive window fixed at {@code windowBytes} (gRPC's automatic tuning off; 0: gRPC's own): what
     * the server has sent that this client has not read stays under about that much, so a server
     * that holds its cursor back by a larger window can always resume it exactly.
     */
    static FlightClient connect(Location location, MirrorOptions options, BufferAllocator allocator,
                                ClientInterceptor gate, int windowBytes) {
        URI uri = location.getUri();
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort())
                .maxInboundMessageSize(DEFAULT_MAX_MESSAGE_BYTES)
                .intercept(gate);
        if (windowBytes > 0) {
            builder.flowControlWindow(windowBytes);
        }
        ConnectionLiveness.apply(builder);
        if (uri.getScheme().equals("grpc+tls")) {
            try {
                SslContextBuilder ssl = GrpcSslContexts.forClient();
                if (options.trustedCertificate().isPresent()) {
                    ssl.trustManager(options.trustedCertificate().get().toFile());
                }
                builder.useTransportSecurity().sslContext(ssl.build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new UncheckedIOException("cannot use " + options.trustedCertificate().map(Object::toString)
                        .orElse("the JVM's trusted certificates") + " for TLS: " + e.getMessage(),
                        new java.io.IOException(e));
            }
        } else {
            builder.usePlaintext();
        }
        return FlightGrpcUtils.createFlightClient(allocator, builder.build());
    }

    /**
     * The largest message the {@code DoGet} may bring: a batch of the most rows the remote frames
     * allow (from the server's {@code GetFlightInfo}), so gRPC refuses anything longer before it
     * reads it. Frames over the mirror's limits are an {@link IllegalArgumentException}: the mirror stops
     * for good, before anything local exists.
     */
    static int maxMessageBytes(FlightClient client, FlightSource source, MirrorOptions options, CallOption[] callOptions) {
        Schema schema;
        try {
            schema = client.getInfo(FlightDescriptor.path(source.stream()), FlightClients.withTimeout(callOptions))
                    .getSchema();
        } catch (FlightRuntimeException e) {
            if (e.status().code() != FlightStatusCode.UNIMPLEMENTED) {
                throw e;
            }
            return (int) Math.min(Integer.MAX_VALUE,
                    BatchGate.messageBytes(options.limits().maxDecodedBatchBytes()));
        }
        RecordBatchCheck check;
        ArrowTensorTypes.StreamLayout remote;
        try {
            check = RecordBatchCheck.of(schema, options.limits());
            remote = TensorBatchPublisher.layout(schema);
        } catch (BatchRejectedException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the remote stream " + source + ": " + e.getMessage(), e);
        }
        long frame = CreationBudget.frameBytes(remote);
        long batch = (long) check.maxRows() * (frame + RecordBatchCheck.OTHER_COLUMN_BYTES_PER_ROW);
        return (int) Math.min(Integer.MAX_VALUE, BatchGate.messageBytes(batch));
    }

    static CallOption[] callOptions(MirrorOptions options) {
        return options.token()
                .map(token -> new CallOption[] {new CredentialCallOption(new BearerCredentialWriter(token))})
                .orElse(new CallOption[0]);
    }

    /** {@code options} and a deadline, for a call that should answer at once. */
    static CallOption[] withTimeout(CallOption[] options) {
        CallOption[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = CallOptions.timeout(INFO_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return all;
    }

    /** {@code options} and a limit on this call's messages. */
    static CallOption[] withMaxMessage(CallOption[] options, int bytes) {
        CallOption[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = new MaxMessage(bytes);
        return all;
    }

    /** The largest message one call accepts (gRPC refuses a bigger one before reading it whole). */
    private record MaxMessage(int bytes) implements CallOptions.GrpcCallOption {
        @Override
        public <T extends io.grpc.stub.AbstractStub<T>> T wrapStub(T stub) {
            return stub.withMaxInboundMessageSize(bytes);
        }
    }
}

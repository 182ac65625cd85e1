package io.arrowshm.flight;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.NettyClientBuilder;
import org.apache.arrow.flight.auth2.BearerCredentialWriter;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.memory.BufferAllocator;

/** Flight clients as the mirror (and the CLI) make them: TLS trust and bearer token from {@link MirrorOptions}. */
final class FlightClients {
    private FlightClients() {
    }

    static FlightClient connect(Location location, MirrorOptions options, BufferAllocator allocator) {
        // FlightClient's inbound limit is already Integer.MAX_VALUE: frames up to gRPC's own limit arrive whole.
        FlightClient.Builder builder = FlightClient.builder(allocator, location);
        if (options.trustedCertificate().isPresent()) {
            try (InputStream pem = Files.newInputStream(options.trustedCertificate().get())) {
                builder.trustedCertificates(pem);
                return builder.build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + options.trustedCertificate().get(), e);
            }
        }
        return builder.build();
    }

    /**
     * A client whose gRPC receive window is {@code windowBytes}, fixed (gRPC's automatic tuning off):
     * what the server has sent that this client has not yet read stays under about that much, so a
     * server that holds its cursor back by a larger window can always resume it exactly.
     */
    static FlightClient connect(Location location, MirrorOptions options, BufferAllocator allocator, int windowBytes) {
        NettyClientBuilder builder = new NettyClientBuilder(allocator, location).maxInboundMessageSize(Integer.MAX_VALUE);
        if (options.trustedCertificate().isPresent()) {
            try (InputStream pem = Files.newInputStream(options.trustedCertificate().get())) {
                builder.trustedCertificates(pem);
                return FlightGrpcUtils.createFlightClient(allocator, builder.build().flowControlWindow(windowBytes).build());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + options.trustedCertificate().get(), e);
            }
        }
        return FlightGrpcUtils.createFlightClient(allocator, builder.build().flowControlWindow(windowBytes).build());
    }

    static CallOption[] callOptions(MirrorOptions options) {
        return options.token()
                .map(token -> new CallOption[] {new CredentialCallOption(new BearerCredentialWriter(token))})
                .orElse(new CallOption[0]);
    }
}

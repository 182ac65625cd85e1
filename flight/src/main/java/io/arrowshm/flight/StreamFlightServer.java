package io.arrowshm.flight;

import io.arrowshm.tensors.FixedShapeTensorType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * An Arrow Flight server over this host's shared-memory streams (Java- or pyshmem-made), so a
 * reader on another host (pyarrow, Flight Java, a {@link StreamMirror}) reads them live.
 *
 * <ul>
 * <li>{@code ListFlights}: every exposed stream, its dtype and shape in the schema (the
 * recording schema of {@code io.arrowshm.tensors}); {@code GetFlightInfo} by path {@code [NAME]}.</li>
 * <li>{@code DoGet(Ticket(b"NAME"))}: the current publication, then each new one, one row per
 * batch, until the client cancels or the stream goes away; a slow client skips to the latest
 * publication ({@code missed} says how many it lost) and never slows the writer or makes the
 * server buffer. {@code {"stream": NAME, "mode": "latest"}} returns one row.</li>
 * <li>{@code DoPut} with path {@code [NAME]}: each row is published into NAME (created from the
 * tensor type when absent; another dtype or shape is {@code INVALID_ARGUMENT}, nothing written).</li>
 * <li>{@code DoAction} {@code stat} and {@code list}: JSON.</li>
 * </ul>
 *
 * <pre>{@code
 * try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(8815))) {
 *     System.out.println("serving on " + server.location().getUri());
 *     Thread.sleep(Long.MAX_VALUE);
 * }
 * }</pre>
 * and in Python: {@code pyarrow.flight.connect("grpc://127.0.0.1:8815").do_get(flight.Ticket(b"frames"))}.
 */
public final class StreamFlightServer implements AutoCloseable {
    private final FlightServer server;
    private final ExecutorService senders;
    private final ExecutorService grpcExecutor;
    private final BufferAllocator allocator;
    private final ServerCounters counters;
    private final Location location;
    private volatile boolean closing;

    private StreamFlightServer(FlightServer server, ExecutorService senders, ExecutorService grpcExecutor,
                               BufferAllocator allocator, ServerCounters counters, Location location) {
        this.server = server;
        this.senders = senders;
        this.grpcExecutor = grpcExecutor;
        this.allocator = allocator;
        this.counters = counters;
        this.location = location;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalArgumentException for a non-loopback address without TLS or {@code insecure}
     * @throws UncheckedIOException when the port cannot be bound or the TLS files cannot be used
     */
    public static StreamFlightServer start(ServeOptions options) {
        BindPolicy.check(options);
        FixedShapeTensorType.ensureRegistered();
        GrpcCancelNoise.quiet();
        BufferAllocator allocator = new RootAllocator();
        ExecutorService senders = Executors.newCachedThreadPool(new DaemonThreads("arrow-shm-flight-doget"));
        // gRPC's own callbacks (and DoPut, which Flight runs there) get a pool apart from the DoGet
        // senders, so a sender waiting for a slow client can never starve the callback that wakes it.
        ExecutorService grpcExecutor = Executors.newCachedThreadPool(new DaemonThreads("arrow-shm-flight-grpc"));
        ServerCounters counters = new ServerCounters();
        StreamFlightServer[] self = new StreamFlightServer[1];
        try {
            Location bind = options.tls() ? Location.forGrpcTls(options.host(), options.port())
                    : Location.forGrpcInsecure(options.host(), options.port());
            StreamProducer producer = new StreamProducer(allocator, senders, new StreamPatterns(options.expose()),
                    counters, () -> self[0] == null || self[0].closing, options.rings());
            FlightServer.Builder builder = FlightServer.builder(allocator, bind, producer)
                    .executor(grpcExecutor)
                    // Frames up to gRPC's own limit (< 2 GiB) may arrive in one DoPut message.
                    .maxInboundMessageSize(Integer.MAX_VALUE);
            if (options.tls()) {
                builder.useTls(options.tlsCertificate().orElseThrow().toFile(), options.tlsKey().orElseThrow().toFile());
            }
            options.token().ifPresent(token -> builder.headerAuthenticator(new TokenAuthenticator(token)));
            FlightServer server = builder.build();
            StreamFlightServer started = new StreamFlightServer(server, senders, grpcExecutor, allocator, counters,
                    options.tls() ? Location.forGrpcTls(options.host(), 0) : bind);
            self[0] = started;
            server.start();
            return started;
        } catch (IOException e) {
            shutdown(senders, grpcExecutor, allocator);
            throw new UncheckedIOException("cannot serve on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            shutdown(senders, grpcExecutor, allocator);
            throw e;
        }
    }

    /** The port bound (the one chosen, when the options said 0). */
    public int port() {
        return server.getPort();
    }

    /** Where clients connect: {@code grpc://HOST:PORT} or {@code grpc+tls://HOST:PORT}. */
    public Location location() {
        return location.getUri().getScheme().equals("grpc+tls") ? Location.forGrpcTls(location.getUri().getHost(), port())
                : Location.forGrpcInsecure(location.getUri().getHost(), port());
    }

    /** Totals since start, and the Arrow memory held now. */
    public FlightServerStats stats() {
        return counters.snapshot(allocator.getAllocatedMemory());
    }

    /**
     * Ends every call (a {@code DoGet} in progress gets {@code UNAVAILABLE} within its 100 ms wait),
     * stops listening and frees the server's memory. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        senders.shutdownNow();
        try {
            senders.awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdown(senders, grpcExecutor, allocator);
        }
    }

    private static void shutdown(ExecutorService senders, ExecutorService grpcExecutor, BufferAllocator allocator) {
        senders.shutdownNow();
        grpcExecutor.shutdownNow();
        allocator.close();
    }
}

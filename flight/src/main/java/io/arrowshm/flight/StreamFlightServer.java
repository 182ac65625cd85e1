package io.arrowshm.flight;

import io.arrowshm.tensors.FixedShapeTensorType;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.arrowshm.tensors.IpcLimits;
import io.grpc.netty.NettyServerBuilder;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
    private final BufferAllocator putMemory;
    private final BufferAllocator scratch;
    private final BufferAllocator frameMemory;
    private final ServedStreams served;
    private final NettyTransport transport;
    private volatile boolean closing;

    /** Threads for gRPC's callbacks besides those the puts hold. */
    private static final int GRPC_CALLBACK_THREADS = 16;
    /** Messages of one put Flight may hold at once: the 5 it asks gRPC for ahead, the one it loads, and one more. */
    private static final int PUT_MESSAGES_HELD = 7;

    /** How long closing waits for Netty to release the rows of calls that ended before it frees their memory. */
    private static final long RELEASE_WAIT_MILLIS = 5_000;

    private StreamFlightServer(FlightServer server, ExecutorService senders, ExecutorService grpcExecutor,
                               BufferAllocator allocator, ServerCounters counters, Location location,
                               BufferAllocator putMemory, BufferAllocator scratch, BufferAllocator frameMemory,
                               ServedStreams served, NettyTransport transport) {
        this.server = server;
        this.senders = senders;
        this.grpcExecutor = grpcExecutor;
        this.allocator = allocator;
        this.counters = counters;
        this.location = location;
        this.putMemory = putMemory;
        this.scratch = scratch;
        this.frameMemory = frameMemory;
        this.served = served;
        this.transport = transport;
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
        // One thread per DoGet, and no more than maxClients of them: a call over that is refused, never queued.
        ExecutorService senders = new ThreadPoolExecutor(0, options.maxClients(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), new DaemonThreads("arrow-shm-flight-doget"));
        // gRPC's own callbacks (and DoPut, which Flight runs there) get a pool apart from the DoGet
        // senders, so a sender waiting for a slow client can never starve the callback that wakes it.
        // Bounded, and queueing rather than refusing: at most maxPuts of its threads wait in a put.
        int grpcThreads = options.maxPuts() + GRPC_CALLBACK_THREADS;
        ThreadPoolExecutor grpcExecutor = new ThreadPoolExecutor(grpcThreads, grpcThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DaemonThreads("arrow-shm-flight-grpc"));
        grpcExecutor.allowCoreThreadTimeOut(true);
        ServerCounters counters = new ServerCounters();
        StreamFlightServer[] self = new StreamFlightServer[1];
        BufferAllocator putMemory = null;
        BufferAllocator scratch = null;
        BufferAllocator frameMemory = null;
        NettyTransport transport = new NettyTransport();
        try {
            Location bind = options.tls() ? Location.forGrpcTls(options.host(), options.port())
                    : Location.forGrpcInsecure(options.host(), options.port());
            IpcLimits limits = options.limits();
            long decoded = limits.maxDecodedBatchBytes();
            // What Flight decodes puts into: their messages and batches. A backstop; the gate keeps puts far below it.
            putMemory = allocator.newChildAllocator("flight-doput", 0,
                    saturatedProduct(options.maxPuts(), PUT_MESSAGES_HELD, decoded));
            scratch = allocator.newChildAllocator("flight-doput-check", 0,
                    saturatedProduct(options.maxPuts(), 1, decoded));
            PutGate gate = new PutGate(limits, scratch);
            // What DoGets send from: every stream's snapshots and the rows gRPC holds, one budget for all.
            frameMemory = allocator.newChildAllocator("flight-doget-frames", 0, options.maxSendBytes());
            SendBudget sendBudget = new SendBudget(options.maxSendBytes(), options.clientQueueBytes(), frameMemory);
            ServedStreams served = new ServedStreams(frameMemory, sendBudget, counters);
            StreamProducer producer = new StreamProducer(allocator, frameMemory, served, sendBudget, senders, options,
                    counters, () -> self[0] == null || self[0].closing);
            FlightServer.Builder builder = FlightServer.builder(putMemory, bind, producer)
                    .executor(grpcExecutor)
                    // A DoGet takes a row only while gRPC holds less than this for its client (isReady).
                    .backpressureThreshold((int) options.clientQueueBytes())
                    // gRPC refuses a message longer than the largest batch before it reads it.
                    .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, BatchGate.messageBytes(decoded)))
                    .transportHint("grpc.builderConsumer", (Consumer<NettyServerBuilder>) netty -> {
                        transport.apply(netty);
                        ConnectionLiveness.apply(netty);
                        netty.intercept(gate);
                    });
            if (options.tls()) {
                builder.useTls(options.tlsCertificate().orElseThrow().toFile(), options.tlsKey().orElseThrow().toFile());
            }
            options.token().ifPresent(token -> builder.headerAuthenticator(new TokenAuthenticator(token)));
            FlightServer server = builder.build();
            StreamFlightServer started = new StreamFlightServer(server, senders, grpcExecutor, allocator, counters,
                    options.tls() ? Location.forGrpcTls(options.host(), 0) : bind, putMemory, scratch, frameMemory,
                    served, transport);
            self[0] = started;
            server.start();
            return started;
        } catch (IOException e) {
            transport.close();
            shutdown(senders, grpcExecutor, frameMemory, scratch, putMemory, allocator);
            throw new UncheckedIOException("cannot serve on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            transport.close();
            shutdown(senders, grpcExecutor, frameMemory, scratch, putMemory, allocator);
            throw e;
        }
    }

    private static long saturatedProduct(long a, long b, long c) {
        try {
            return Math.multiplyExact(Math.multiplyExact(a, b), c);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
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
        return counters.snapshot(allocator.getAllocatedMemory(), frameMemory.getAllocatedMemory(),
                served.unfreedSnapshots());
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
            awaitFramesReleased();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            transport.close();
            shutdown(senders, grpcExecutor, frameMemory, scratch, putMemory, allocator);
        }
    }

    /**
     * Rows of calls that ended are Netty's until it has written or dropped them, which the
     * transports finish on their own threads as they close: wait (bounded) for them, so that
     * closing the frame memory reports a real leak, not a message still in flight.
     */
    private void awaitFramesReleased() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELEASE_WAIT_MILLIS);
        while (frameMemory.getAllocatedMemory() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /** Stops the executors and closes the allocators, children first (the ones not made yet are null). */
    private static void shutdown(ExecutorService senders, ExecutorService grpcExecutor, BufferAllocator... allocators) {
        senders.shutdownNow();
        grpcExecutor.shutdownNow();
        for (BufferAllocator allocator : allocators) {
            if (allocator != null) {
                allocator.close();
            }
        }
    }
}

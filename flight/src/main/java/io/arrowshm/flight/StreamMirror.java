package io.arrowshm.flight;

import io.arrowshm.tensors.ArrowTensorTypes;
import io.arrowshm.tensors.FixedShapeTensorType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Subscribes to a stream on a remote {@link StreamFlightServer} and republishes every row it
 * receives into a local stream (same name or another), so local readers (Java or pyshmem) need no
 * change. The local stream is created from the remote dtype and shape, or must already have them.
 *
 * <p>When the server goes away the mirror reconnects with backoff (doubling from 100 ms to 5 s by
 * default) until it comes back; meanwhile nothing is published, so the local stream's age grows,
 * which is how its readers see the outage ({@code shm.isStale(...)}). Frame ids are kept; write
 * times are the local publications'. It stops for good (see {@link #failure()}) only when going on
 * cannot help: a local stream of another dtype or shape, a refused token, or remote frames or
 * batches over {@link MirrorOptions#limits()} (checked from the server's {@code GetFlightInfo}
 * before a local stream is created, and from every batch's header before it is decoded). A batch
 * that lies about its size is refused and the mirror reconnects. Keepalive pings notice a dead
 * connection within about 15 s.
 *
 * <pre>{@code
 * try (StreamMirror mirror = StreamMirror.start(FlightSource.parse("grpc://camera-host:8815/frames"),
 *         "frames", MirrorOptions.defaults())) {
 *     Thread.sleep(60_000);                      // local readers open "frames" as usual
 *     System.out.println(mirror.stats());
 * }
 * }</pre>
 */
public final class StreamMirror implements AutoCloseable {
    private final FlightSource source;
    private final String localName;
    private final MirrorOptions options;
    private final BufferAllocator allocator = new RootAllocator();
    /** Where the gate decompresses a compressed batch once, to check it, before Flight's loader does. */
    private final BufferAllocator scratch;
    private final MirrorGate gate;
    private final Thread thread;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<FlightStream> current = new AtomicReference<>();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean connected;
    private volatile boolean closed;
    private TensorBatchPublisher publisher;
    private ArrowTensorTypes.StreamLayout layout;

    private StreamMirror(FlightSource source, String localName, MirrorOptions options) {
        this.source = source;
        this.localName = localName;
        this.options = options;
        this.scratch = allocator.newChildAllocator("mirror-check", 0,
                BatchGate.messageBytes(options.limits().maxDecodedBatchBytes()));
        this.gate = new MirrorGate(options.limits(), scratch);
        this.thread = new Thread(this::run, "arrow-shm-mirror-" + localName);
        this.thread.setDaemon(true);
    }

    /** Starts mirroring {@code source} into the local stream {@code localName} on a thread of its own. */
    public static StreamMirror start(FlightSource source, String localName, MirrorOptions options) {
        Objects.requireNonNull(source, "source");
        if (localName == null || localName.isEmpty()) {
            throw new IllegalArgumentException("the local stream name must not be empty");
        }
        FixedShapeTensorType.ensureRegistered();
        StreamMirror mirror = new StreamMirror(source, localName, options);
        mirror.thread.start();
        return mirror;
    }

    /** Counters and state now. */
    public MirrorStats stats() {
        return new MirrorStats(connected, frames.get(), bytes.get(), connects.get(), Optional.ofNullable(lastError.get()),
                failure.get() != null);
    }

    /** Why the mirror stopped for good, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** The local stream's name. */
    public String localName() {
        return localName;
    }

    /**
     * Stops: cancels the call in progress, ends the thread, closes the local handle and the mirror's
     * memory. Closing twice is harmless.
     *
     * <p>The thread is never interrupted: Flight's {@code FlightStream.close()} drains the cancelled
     * call's queued messages with {@code next()}, and an interrupt makes that drain stop early and
     * leave them allocated. Cancelling ends a waiting {@code next()} at once, and the backoff waits
     * on a latch that closing releases.
     *
     * @throws IllegalStateException if Arrow memory is still held after the thread ended (a leak,
     *     reported rather than hidden)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping.countDown();
        FlightStream stream = current.get();
        if (stream != null) {
            stream.cancel("mirror closed", null);
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            return; // still inside a call that ignores cancelling: leave its memory to it rather than free it under it
        }
        if (publisher != null) {
            publisher.close();
        }
        scratch.close();
        allocator.close();
    }

    private void run() {
        Duration backoff = options.initialBackoff();
        CallOption[] callOptions = FlightClients.callOptions(options);
        while (!closed) {
            try (FlightClient client = FlightClients.connect(source.location(), options, allocator, gate)) {
                if (receive(client, callOptions)) {
                    backoff = options.initialBackoff();
                }
            } catch (FlightRuntimeException e) {
                BatchGate.Refusal refused = gate.lastRefusal();
                if (e.status().code() == FlightStatusCode.UNAUTHENTICATED
                        || e.status().code() == FlightStatusCode.UNAUTHORIZED) {
                    stop(e);
                    return;
                }
                if (refused != null && refused.overLimit()) {
                    // Honest perhaps, but larger than this mirror takes: reconnecting cannot help.
                    stop(new IllegalArgumentException("the remote stream " + source + ": " + refused.reason(), e));
                    return;
                }
                lastError.set(e.status().code() + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                stop(e);
                return;
            } catch (InterruptedException e) {
                return; // close()
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                lastError.set(e.getClass().getSimpleName() + ": " + e.getMessage());
            } finally {
                connected = false;
            }
            if (closed) {
                return;
            }
            try {
                if (stopping.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    return; // close()
                }
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) > 0 ? options.maxBackoff()
                    : backoff.multipliedBy(2);
        }
    }

    /** One connection: returns whether it got as far as the schema (a real connection, which resets the backoff). */
    private boolean receive(FlightClient client, CallOption[] callOptions) throws Exception {
        int maxMessage = FlightClients.maxMessageBytes(client, source, options, callOptions);
        try (FlightStream stream = client.getStream(new Ticket(source.stream().getBytes(StandardCharsets.UTF_8)),
                FlightClients.withMaxMessage(callOptions, maxMessage))) {
            current.set(stream);
            if (closed) {
                return false;
            }
            ArrowTensorTypes.StreamLayout remote = TensorBatchPublisher.layout(stream.getSchema());
            if (publisher == null) {
                publisher = TensorBatchPublisher.open(localName, stream.getSchema(), allocator, TensorBatchPublisher.PLAIN);
                layout = remote;
            } else if (remote.dtype() != layout.dtype() || !Arrays.equals(remote.shape(), layout.shape())) {
                throw new IllegalArgumentException("the remote stream " + source + " is now " + remote
                        + " but '" + localName + "' is " + layout);
            }
            connected = true;
            connects.incrementAndGet();
            long rowBytes = publisher.stream().size();
            while (!closed && stream.next()) {
                int published = publisher.publish(stream.getRoot());
                frames.addAndGet(published);
                bytes.addAndGet(published * rowBytes);
            }
            lastError.set("the server ended the stream");
            return true;
        } finally {
            current.set(null);
        }
    }

    private void stop(Exception e) {
        lastError.set(e.getMessage());
        failure.set(e);
    }
}

package io.arrowshm.flight;

import io.arrowshm.tensors.ArrowTensorTypes;
import io.arrowshm.tensors.FixedShapeTensorType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Ticket;

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
    private final MirrorLoop loop;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private TensorBatchPublisher publisher;
    private ArrowTensorTypes.StreamLayout layout;

    private StreamMirror(FlightSource source, String localName, MirrorOptions options) {
        this.source = source;
        this.localName = localName;
        this.options = options;
        this.loop = new MirrorLoop(source, options, "the remote stream", "arrow-shm-mirror-" + localName, 0);
    }

    /** Starts mirroring {@code source} into the local stream {@code localName} on a thread of its own. */
    public static StreamMirror start(FlightSource source, String localName, MirrorOptions options) {
        Objects.requireNonNull(source, "source");
        if (localName == null || localName.isEmpty()) {
            throw new IllegalArgumentException("the local stream name must not be empty");
        }
        FixedShapeTensorType.ensureRegistered();
        StreamMirror mirror = new StreamMirror(source, localName, options);
        mirror.loop.start(mirror::receive);
        return mirror;
    }

    /** Counters and state now. */
    public MirrorStats stats() {
        return new MirrorStats(loop.connected(), frames.get(), bytes.get(), loop.connects(), loop.lastError(),
                loop.failure().isPresent());
    }

    /** Why the mirror stopped for good, if it did. */
    public Optional<Throwable> failure() {
        return loop.failure();
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
        if (loop.closed()) {
            return;
        }
        if (!loop.close()) {
            return; // still inside a call that ignores cancelling: leave its memory to it rather than free it under it
        }
        if (publisher != null) {
            publisher.close();
        }
        loop.release();
    }

    /** One connection: returns whether it got as far as the schema (a real connection, which resets the backoff). */
    private boolean receive(FlightClient client, CallOption[] callOptions) throws Exception {
        int maxMessage = FlightClients.maxMessageBytes(client, source, options, callOptions);
        try (FlightStream stream = client.getStream(new Ticket(source.stream().getBytes(StandardCharsets.UTF_8)),
                FlightClients.withMaxMessage(callOptions, maxMessage))) {
            loop.streaming(stream);
            if (loop.closed()) {
                return false;
            }
            ArrowTensorTypes.StreamLayout remote = TensorBatchPublisher.layout(stream.getSchema());
            if (publisher == null) {
                publisher = TensorBatchPublisher.open(localName, stream.getSchema(), loop.allocator(),
                        TensorBatchPublisher.PLAIN);
                layout = remote;
            } else if (remote.dtype() != layout.dtype() || !Arrays.equals(remote.shape(), layout.shape())) {
                throw new IllegalArgumentException("the remote stream " + source + " is now " + remote
                        + " but '" + localName + "' is " + layout);
            }
            loop.connectedNow();
            long rowBytes = publisher.stream().size();
            while (!loop.closed() && stream.next()) {
                int published = publisher.publish(stream.getRoot());
                frames.addAndGet(published);
                bytes.addAndGet(published * rowBytes);
            }
            loop.lastError("the server ended the stream");
            return true;
        } finally {
            loop.streaming(null);
        }
    }
}

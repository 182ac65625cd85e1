package io.arrowshm.flight;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamExistsException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.tensors.ArrowTensorTypes;
import io.arrowshm.tensors.FixedShapeTensorType;
import io.arrowshm.tensors.FixedShapeTensorVector;
import io.arrowshm.tensors.RingRecordingSchema;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Keeps a local ring a lossless copy of a ring on a remote {@link StreamFlightServer}: the local
 * ring has the remote one's dtype, shape, capacity and overflow policy (created so, or checked),
 * and receives every frame in order with its frame id, read through a durable cursor on the server.
 * Local readers (Java, or Python with {@code arrow_shm}) read it like any ring.
 *
 * <p>Lossless across restarts: the mirror knows the remote position of the last frame it wrote
 * (kept beside the local ring, see {@link MirrorProgress}), reconnects with
 * {@code {"stream": R, "cursor": C, "after": P}}, and the server, which held its cursor back by a
 * window of frames sent, sends P + 1 on. A server that restarts resumes the same way; so does a
 * mirror that is killed and started again. Frames the server can no longer send (the window was
 * too small, or an {@code OVERWRITE} ring lapped the cursor) are counted in {@link
 * RingMirrorStats#lost()}, and a frame the server sends twice is written once. Under {@code BLOCK}
 * a full local ring makes the mirror wait, which gRPC carries back to the server and its writer.
 *
 * <p>The mirror holds the local ring's writer lease while it runs. It reconnects with backoff
 * until closed; it stops for good ({@link #failure()}) when going on cannot help: a local ring of
 * another kind, dtype, shape, capacity or policy, a remote name that is a stream, a refused token.
 *
 * <pre>{@code
 * try (RingMirror mirror = RingMirror.start(FlightSource.parse("grpc://camera-host:8815/frames"), "frames",
 *         null, MirrorOptions.defaults())) {           // cursor null: mirror:<host>:<local name>
 *     Thread.sleep(60_000);
 *     System.out.println(mirror.stats());
 * }
 * }</pre>
 */
public final class RingMirror implements AutoCloseable {
    /**
     * The mirror's gRPC receive window, fixed: what it can hold in flight when it dies stays inside
     * the server's default resume window ({@link RingServeOptions#DEFAULT_WINDOW}, 64 MiB), and it
     * holds several of the server's batches (about 4 MiB each), so the server rarely waits for a
     * window update.
     */
    static final int RECEIVE_WINDOW = 32 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FlightSource source;
    private final String localName;
    private final String cursor;
    private final MirrorOptions options;
    private final MirrorLoop loop;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile long remotePosition = -1;
    private Ring ring;
    private RingWriter writer;
    private MirrorProgress progress;
    private ArrowBuf boolRow;

    private RingMirror(FlightSource source, String localName, String cursor, MirrorOptions options) {
        this.source = source;
        this.localName = localName;
        this.cursor = cursor;
        this.options = options;
        this.loop = new MirrorLoop(source, options, "the remote ring", "arrow-shm-ring-mirror-" + localName,
                RECEIVE_WINDOW);
    }

    /**
     * Starts mirroring the remote ring {@code source} into the local ring {@code localName} on a
     * thread of its own, through the server's durable cursor {@code cursor} (null: {@link #defaultCursor}).
     */
    public static RingMirror start(FlightSource source, String localName, String cursor, MirrorOptions options) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(options, "options");
        if (localName == null || localName.isEmpty()) {
            throw new IllegalArgumentException("the local ring name must not be empty");
        }
        FixedShapeTensorType.ensureRegistered();
        RingMirror mirror = new RingMirror(source, localName, cursor == null ? defaultCursor(localName) : cursor, options);
        mirror.loop.start(mirror.new Session());
        return mirror;
    }

    /**
     * {@code mirror:<host name>:<local name>}, or {@code mirror:} and a digest of that when it is over
     * the 64 bytes a cursor name may have: one cursor per local copy, the same after a restart.
     */
    public static String defaultCursor(String localName) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String name = "mirror:" + host + ":" + localName;
        if (name.getBytes(StandardCharsets.UTF_8).length <= 64) {
            return name;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
            return "mirror:" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    /**
     * Whether {@code source} names a ring on its server (asked with {@code GetFlightInfo}).
     *
     * @throws FlightRuntimeException when the server cannot be reached or does not serve the name
     */
    public static boolean remoteIsRing(FlightSource source, MirrorOptions options) {
        FixedShapeTensorType.ensureRegistered();
        try (BufferAllocator allocator = new RootAllocator();
             BufferAllocator scratch = allocator.newChildAllocator("ring-probe-check", 0, 1 << 20);
             FlightClient client = FlightClients.connect(source.location(), options, allocator,
                     new MirrorGate(options.limits(), scratch))) {
            return RingRecordingSchema.isRing(client.getInfo(org.apache.arrow.flight.FlightDescriptor.path(source.stream()),
                    FlightClients.withTimeout(FlightClients.callOptions(options))).getSchema());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + source + " what it serves", e);
        }
    }

    /**
     * Where a mirror into {@code localName} keeps the remote position it reached (4 KiB in
     * /dev/shm); remove it with the local ring, or a later mirror resumes from it.
     */
    public static java.nio.file.Path progressFile(String localName) {
        return MirrorProgress.pathOf(localName);
    }

    public RingMirrorStats stats() {
        return new RingMirrorStats(loop.connected(), frames.get(), bytes.get(), lost.get(), remotePosition,
                loop.connects(), loop.lastError(), loop.failure().isPresent());
    }

    /** Why the mirror stopped for good, if it did. */
    public Optional<Throwable> failure() {
        return loop.failure();
    }

    public String localName() {
        return localName;
    }

    /** The server's durable cursor this mirror reads through. */
    public String cursor() {
        return cursor;
    }

    /**
     * Stops: cancels the call in progress, ends the thread, gives the writer lease back and closes
     * the mirror's memory. The frames written stay. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (loop.closed()) {
            return;
        }
        if (!loop.close()) {
            return; // still inside a call that ignores cancelling: leave its memory to it rather than free it under it
        }
        releaseLocal();
        loop.release();
    }

    /** The mirror's side of each connection. */
    private final class Session implements MirrorLoop.Session {
        @Override
        public void beforeConnect() {
            openExistingLocal();
        }

        @Override
        public boolean receive(FlightClient client, CallOption[] callOptions) throws Exception {
            return RingMirror.this.receive(client, callOptions);
        }

        @Override
        public void retrying(FlightRuntimeException e) {
            if (e.status().code() == FlightStatusCode.INVALID_ARGUMENT && remotePosition >= 0
                    && String.valueOf(e.getMessage()).contains("never held position")) {
                forgetRemote("the remote ring no longer holds position " + remotePosition + " (recreated?)");
            }
        }

        @Override
        public boolean permanent(RuntimeException e) {
            return true; // a bad argument, or a local ring with another writer: going on cannot help
        }
    }

    /** One connection: returns whether it got as far as the schema (a real connection, which resets the backoff). */
    private boolean receive(FlightClient client, CallOption[] callOptions) throws Exception {
        int maxMessage = FlightClients.maxMessageBytes(client, source, options, callOptions);
        try (FlightStream stream = client.getStream(new Ticket(ticket()), FlightClients.withMaxMessage(callOptions,
                maxMessage))) {
            loop.streaming(stream);
            if (loop.closed()) {
                return false;
            }
            Schema schema = stream.getSchema();
            if (!RingRecordingSchema.isRing(schema)) {
                throw new IllegalArgumentException(source + " is a stream, not a ring: mirror it into a stream"
                        + " (StreamMirror, or arrow-shm mirror without a local ring of that name)");
            }
            String instance = Objects.toString(schema.getCustomMetadata().get(RingRecordingSchema.META_INSTANCE), "");
            setUpLocal(schema);
            if (progress.remoteInstance().isEmpty() || !progress.remoteInstance().equals(instance)) {
                boolean resumed = remotePosition >= 0;
                progress.remoteInstance(instance);
                if (resumed && !instance.isEmpty()) {
                    // Positions of another generation of the remote ring: start over on this one.
                    forgetRemote("the remote ring was recreated (instance " + instance + ")");
                    return true;
                }
            }
            loop.connectedNow();
            int tensorIndex = TensorBatchPublisher.tensorColumn(schema);
            while (!loop.closed() && stream.next()) {
                write(stream.getRoot(), tensorIndex);
            }
            loop.lastError("the server ended the stream");
            return true;
        } finally {
            loop.streaming(null);
        }
    }

    /** Before the first connection, a local ring that exists already says where to resume. */
    private void openExistingLocal() {
        if (ring != null) {
            return;
        }
        try {
            adopt(Ring.open(localName));
        } catch (StreamNotFoundException absent) {
            // made from the remote ring's schema on the first connection
        }
    }

    private void setUpLocal(Schema schema) {
        ArrowTensorTypes.StreamLayout layout = TensorBatchPublisher.layout(schema);
        long capacity = RingRecordingSchema.capacity(schema).orElseThrow(() ->
                new IllegalArgumentException(source + " does not say its ring's capacity"));
        Overflow overflow = RingRecordingSchema.overflow(schema).orElse(Overflow.BLOCK);
        if (ring == null) {
            try {
                adopt(Ring.create(localName, RingOptions.of(layout.dtype(), layout.shape()).capacity(capacity)
                        .overflow(overflow)));
            } catch (StreamExistsException raced) {
                adopt(Ring.open(localName));
            }
        }
        if (ring.dtype() != layout.dtype() || !Arrays.equals(ring.shape(), layout.shape())
                || ring.capacity() != capacity || ring.overflow() != overflow) {
            throw new IllegalArgumentException("the local ring '" + localName + "' is " + ring + " but " + source
                    + " is " + layout + " x " + capacity + ", " + overflow + "; mirror into another name or unlink it");
        }
    }

    /** Takes the local ring's writer lease and its progress: where the last mirror stopped. */
    private void adopt(Ring local) {
        try {
            writer = local.writer();
        } catch (StreamTimeoutException e) {
            local.close();
            throw new IllegalStateException("the local ring '" + localName + "' has another writer; a mirror must be"
                    + " its only one (" + e.getMessage() + ")", e);
        }
        ring = local;
        progress = MirrorProgress.open(local, source, cursor);
        remotePosition = progress.lastRemote(local, writer.position()).orElse(-1);
        if (local.dtype() == DType.BOOL) {
            boolRow = loop.allocator().buffer(Math.max(1, local.size()));
        }
    }

    private void forgetRemote(String why) {
        remotePosition = -1;
        loop.lastError(why);
    }

    private void write(VectorSchemaRoot batch, int tensorIndex) {
        FixedShapeTensorVector tensors = RingRows.checked(batch, tensorIndex);
        FieldVector positionColumn = batch.getVector(RingRecordingSchema.POSITION);
        FieldVector lostColumn = batch.getVector(RingFlights.LOST);
        if (!(positionColumn instanceof UInt8Vector) || !(lostColumn instanceof UInt8Vector)) {
            throw new IllegalArgumentException(source + " sent rows without uint64 position and lost columns");
        }
        UInt8Vector positions = (UInt8Vector) positionColumn;
        UInt8Vector lostCounts = (UInt8Vector) lostColumn;
        UInt8Vector frameIds = TensorBatchPublisher.frameIds(batch);
        for (int i = 0; i < batch.getRowCount() && !loop.closed(); i++) {
            long remote = positions.get(i);
            if (remote <= remotePosition) {
                continue; // sent again (a resume that could not say "after"): it is here already
            }
            ArrowBuf row = TensorBatchPublisher.row(tensors, i, boolRow, ring.size());
            progress.intent(writer.position(), remote);
            if (!RingRows.write(writer, row, frameIds == null || frameIds.isNull(i) ? 0 : frameIds.get(i), loop::closed)) {
                return;
            }
            remotePosition = remote;
            lost.addAndGet(lostCounts.get(i));
            frames.incrementAndGet();
            bytes.addAndGet(ring.size());
        }
    }

    private void releaseLocal() {
        try {
            if (writer != null) {
                writer.close();
            }
            if (progress != null) {
                progress.close();
            }
        } finally {
            if (ring != null) {
                ring.close();
            }
            if (boolRow != null) {
                boolRow.close();
            }
        }
    }

    /** The ticket that resumes this mirror's cursor right after the last frame it wrote. */
    private byte[] ticket() {
        ObjectNode ticket = JSON.createObjectNode();
        ticket.put("stream", source.stream());
        ticket.put("cursor", cursor);
        if (remotePosition >= 0) {
            ticket.put("after", remotePosition);
        }
        return RingFlights.json(ticket);
    }
}

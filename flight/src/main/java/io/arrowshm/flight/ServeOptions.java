package io.arrowshm.flight;

import io.arrowshm.tensors.IpcLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link StreamFlightServer} listens: address and port (default {@code 127.0.0.1:8815}),
 * TLS certificate and key (PEM files), an optional bearer token, and globs limiting the streams
 * served. Immutable; each setter returns a new instance.
 *
 * <p>Safe by default: a non-loopback address needs TLS, or {@link #insecure(boolean)} said
 * explicitly, or {@link StreamFlightServer#start} refuses it.
 *
 * <p>Bounded by default: at most {@value #DEFAULT_MAX_CLIENTS} {@code DoGet}s (holding at most
 * 128 MiB of frames between them) and {@value #DEFAULT_MAX_PUTS} {@code DoPut}s at once, every
 * put's batches checked against {@link #limits()} before they are decoded, and streams created by
 * puts (on their first valid row) limited to 1 GiB in all ({@link #createStreams(boolean)} turns
 * creation off).
 *
 * <pre>{@code
 * ServeOptions options = ServeOptions.defaults().port(8815).expose("cam-*")
 *         .tokenFile(Path.of("token.txt")).maxClients(8).createStreams(false);
 * }</pre>
 */
public final class ServeOptions {
    /** The port pyarrow's examples use. */
    public static final int DEFAULT_PORT = 8815;
    /** {@code DoGet} calls served at once unless {@link #maxClients(int)} says otherwise. */
    public static final int DEFAULT_MAX_CLIENTS = 32;
    /** Frame bytes the {@code DoGet}s may hold at once unless {@link #maxSendBytes(long)} says otherwise: 128 MiB. */
    public static final long DEFAULT_MAX_SEND_BYTES = 128L << 20;
    /**
     * Bytes of rows gRPC may queue for one {@code DoGet} before the call waits for its client,
     * unless {@link #clientQueueBytes(long)} says otherwise: 1 MiB.
     */
    public static final long DEFAULT_CLIENT_QUEUE_BYTES = 1L << 20;
    /** {@code DoPut} calls received at once unless {@link #maxPuts(int)} says otherwise. */
    public static final int DEFAULT_MAX_PUTS = 4;
    /** Total bytes of the streams a server creates for {@code DoPut}s, unless {@link #maxCreatedBytes(long)} says otherwise. */
    public static final long DEFAULT_MAX_CREATED_BYTES = 1L << 30;
    /**
     * What a {@code DoPut}'s batches may declare unless {@link #limits(IpcLimits)} says otherwise:
     * 64 MiB frames and 64 MiB of tensor values per batch (65,536 rows at most). Tighter than a
     * file's: a put comes from whoever reaches the port, and gRPC reads a whole message (up to one
     * batch) before anything can look at it.
     */
    public static final IpcLimits DEFAULT_PUT_LIMITS = IpcLimits.defaults().maxFrameBytes(64L << 20)
            .maxBatchBytes(64L << 20);

    private String host;
    private int port;
    private Path tlsCert;
    private Path tlsKey;
    private String token;
    private List<String> expose;
    private boolean insecure;
    private IpcLimits limits;
    private int maxClients;
    private long maxSendBytes;
    private long clientQueueBytes;
    private int maxPuts;
    private boolean createStreams;
    private long maxCreatedBytes;
    private RingServeOptions rings;

    private ServeOptions() {
    }

    private ServeOptions copy() {
        ServeOptions o = new ServeOptions();
        o.host = host;
        o.port = port;
        o.tlsCert = tlsCert;
        o.tlsKey = tlsKey;
        o.token = token;
        o.expose = expose;
        o.insecure = insecure;
        o.limits = limits;
        o.maxClients = maxClients;
        o.maxSendBytes = maxSendBytes;
        o.clientQueueBytes = clientQueueBytes;
        o.maxPuts = maxPuts;
        o.createStreams = createStreams;
        o.maxCreatedBytes = maxCreatedBytes;
        o.rings = rings;
        return o;
    }

    /**
     * 127.0.0.1:8815, plaintext, no token, every stream; {@value #DEFAULT_MAX_CLIENTS} {@code DoGet}s
     * and {@value #DEFAULT_MAX_PUTS} {@code DoPut}s at once; puts may create streams, up to 1 GiB in
     * all; batches within {@link #DEFAULT_PUT_LIMITS}.
     */
    public static ServeOptions defaults() {
        ServeOptions o = new ServeOptions();
        o.host = "127.0.0.1";
        o.port = DEFAULT_PORT;
        o.expose = List.of();
        o.limits = DEFAULT_PUT_LIMITS;
        o.maxClients = DEFAULT_MAX_CLIENTS;
        o.maxSendBytes = DEFAULT_MAX_SEND_BYTES;
        o.clientQueueBytes = DEFAULT_CLIENT_QUEUE_BYTES;
        o.maxPuts = DEFAULT_MAX_PUTS;
        o.createStreams = true;
        o.maxCreatedBytes = DEFAULT_MAX_CREATED_BYTES;
        o.rings = RingServeOptions.defaults();
        return o;
    }

    /** The address to listen on (a name or a literal; {@code 0.0.0.0} for every interface). */
    public ServeOptions host(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("the host must not be empty");
        }
        ServeOptions o = copy();
        o.host = address;
        return o;
    }

    /** The TCP port; 0 picks a free one (see {@link StreamFlightServer#port()}). */
    public ServeOptions port(int tcpPort) {
        if (tcpPort < 0 || tcpPort > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + tcpPort);
        }
        ServeOptions o = copy();
        o.port = tcpPort;
        return o;
    }

    /**
     * Serve over TLS with this PEM certificate chain and PEM private key (PKCS#8), both checked now.
     *
     * @throws IllegalArgumentException naming the file that cannot be used, and why
     */
    public ServeOptions tls(Path certificateChain, Path privateKey) {
        checkFile("TLS certificate chain", certificateChain, PemFiles::requireCertificates);
        checkFile("TLS private key", privateKey, PemFiles::requirePrivateKey);
        ServeOptions o = copy();
        o.tlsCert = certificateChain;
        o.tlsKey = privateKey;
        return o;
    }

    /** Require {@code authorization: Bearer <token>} on every call. */
    public ServeOptions token(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new IllegalArgumentException("the bearer token must not be empty");
        }
        ServeOptions o = copy();
        o.token = bearerToken.strip();
        return o;
    }

    /**
     * {@link #token(String)} read from a file (surrounding whitespace dropped).
     *
     * @throws UncheckedIOException naming the file and the reason it cannot be read
     */
    public ServeOptions tokenFile(Path file) {
        return token(readToken(file));
    }

    /** Serve only streams whose name matches one of these globs ({@code *}, {@code ?}); added to earlier ones. */
    public ServeOptions expose(String... globs) {
        List<String> all = new ArrayList<>(expose);
        for (String glob : globs) {
            if (glob == null || glob.isEmpty()) {
                throw new IllegalArgumentException("an --expose glob must not be empty");
            }
            all.add(glob);
        }
        ServeOptions o = copy();
        o.expose = List.copyOf(all);
        return o;
    }

    /** Allow plaintext on a non-loopback address (anyone who can reach the port reads and writes the streams). */
    public ServeOptions insecure(boolean allowed) {
        ServeOptions o = copy();
        o.insecure = allowed;
        return o;
    }

    /**
     * What a {@code DoPut}'s batches may declare: the largest frame (also the largest stream a put
     * may create), rows and bytes per batch. gRPC refuses a message larger than one batch of those.
     */
    public ServeOptions limits(IpcLimits value) {
        ServeOptions o = copy();
        o.limits = Objects.requireNonNull(value);
        return o;
    }

    /**
     * {@code DoGet} calls served at once (each has a thread and holds about one frame while its
     * client is behind); one more is refused with {@code RESOURCE_EXHAUSTED}.
     */
    public ServeOptions maxClients(int calls) {
        if (calls < 1) {
            throw new IllegalArgumentException("--max-clients must be at least 1, got " + calls);
        }
        ServeOptions o = copy();
        o.maxClients = calls;
        return o;
    }

    /**
     * Frame bytes the {@code DoGet}s may hold at once: each stream's latest publication, copied out
     * of shared memory once for all its clients, and the rows gRPC has not written yet. A call is
     * admitted while its share fits (one call always is): the rows its client's queue may hold
     * ({@link #clientQueueBytes(long)}, and the row that crosses it), and the stream's two snapshots
     * when it is the first on it; a ring's call, the two batches it may hold
     * ({@link RingServeOptions#clientMemory(long)} at most). With 4 MiB frames the defaults admit
     * 29 calls on one stream; a call over it is refused with {@code RESOURCE_EXHAUSTED}. The same
     * figure is the hard limit of the memory rows are sent from, streams' and rings' alike.
     */
    public ServeOptions maxSendBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("--max-send-bytes must be at least 1, got " + bytes);
        }
        ServeOptions o = copy();
        o.maxSendBytes = bytes;
        return o;
    }

    /**
     * Bytes of rows gRPC may queue for one {@code DoGet} (waiting for the client's flow-control
     * window or the socket) before the call stops taking rows and waits for its client: the memory
     * a client that stops reading can pin is this and one row more. Larger keeps more in flight to a
     * distant client; the default (1 MiB) keeps a loopback or LAN client at full rate.
     */
    public ServeOptions clientQueueBytes(long bytes) {
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--client-queue-bytes must be 1 B to 2 GiB, got " + bytes);
        }
        ServeOptions o = copy();
        o.clientQueueBytes = bytes;
        return o;
    }

    /** {@code DoPut} calls received at once; one more is refused with {@code RESOURCE_EXHAUSTED}. */
    public ServeOptions maxPuts(int calls) {
        if (calls < 1) {
            throw new IllegalArgumentException("--max-puts must be at least 1, got " + calls);
        }
        ServeOptions o = copy();
        o.maxPuts = calls;
        return o;
    }

    /**
     * Whether a {@code DoPut} into a name that does not exist creates the stream (on its first
     * valid row, never from a schema alone). Off: puts go into existing streams only.
     */
    public ServeOptions createStreams(boolean allowed) {
        ServeOptions o = copy();
        o.createStreams = allowed;
        return o;
    }

    /**
     * The most bytes of shared memory the streams this server created (and that still exist) may
     * take together; a put that would create more is refused with {@code RESOURCE_EXHAUSTED}.
     */
    public ServeOptions maxCreatedBytes(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("--max-created-bytes must be at least 1, got " + bytes);
        }
        ServeOptions o = copy();
        o.maxCreatedBytes = bytes;
        return o;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The TLS certificate chain, when TLS is on. */
    public Optional<Path> tlsCertificate() {
        return Optional.ofNullable(tlsCert);
    }

    /** The TLS private key, when TLS is on. */
    public Optional<Path> tlsKey() {
        return Optional.ofNullable(tlsKey);
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /** The bearer token calls must carry, when one is set. */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /** The expose globs (empty: every stream). */
    public List<String> expose() {
        return expose;
    }

    public boolean insecure() {
        return insecure;
    }

    public IpcLimits limits() {
        return limits;
    }

    public int maxClients() {
        return maxClients;
    }

    public long maxSendBytes() {
        return maxSendBytes;
    }

    public long clientQueueBytes() {
        return clientQueueBytes;
    }

    public int maxPuts() {
        return maxPuts;
    }

    public boolean createStreams() {
        return createStreams;
    }

    public long maxCreatedBytes() {
        return maxCreatedBytes;
    }

    /** A token file's contents, or an UncheckedIOException that says why it cannot be read. */
    static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException("cannot read the token file " + file + ": no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UncheckedIOException("cannot read the token file " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code check} on {@code file}, its IllegalArgumentException naming {@code what} and the file. */
    static void checkFile(String what, Path file, java.util.function.Consumer<Path> check) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read " + what + " " + file
                    + (Files.exists(file) ? ": permission denied" : ": no such file"));
        }
        try {
            check.accept(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** How rings are served: the resume window, the memory one ring client may hold, the grace of durable cursors. */
    public ServeOptions rings(RingServeOptions options) {
        ServeOptions o = copy();
        o.rings = java.util.Objects.requireNonNull(options, "options");
        return o;
    }

    public RingServeOptions rings() {
        return rings;
    }
}

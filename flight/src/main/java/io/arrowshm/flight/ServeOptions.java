package io.arrowshm.flight;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a {@link StreamFlightServer} listens: address and port (default {@code 127.0.0.1:8815}),
 * TLS certificate and key (PEM files), an optional bearer token, and globs limiting the streams
 * served. Immutable; each setter returns a new instance.
 *
 * <p>Safe by default: a non-loopback address needs TLS, or {@link #insecure(boolean)} said
 * explicitly, or {@link StreamFlightServer#start} refuses it.
 *
 * <pre>{@code
 * ServeOptions options = ServeOptions.defaults().port(8815).expose("cam-*")
 *         .tokenFile(Path.of("token.txt"));
 * }</pre>
 */
public final class ServeOptions {
    /** The port pyarrow's examples use. */
    public static final int DEFAULT_PORT = 8815;

    private final String host;
    private final int port;
    private final Path tlsCert;
    private final Path tlsKey;
    private final String token;
    private final List<String> expose;
    private final boolean insecure;
    private final RingServeOptions rings;

    private ServeOptions(String host, int port, Path tlsCert, Path tlsKey, String token, List<String> expose,
                         boolean insecure, RingServeOptions rings) {
        this.host = host;
        this.port = port;
        this.tlsCert = tlsCert;
        this.tlsKey = tlsKey;
        this.token = token;
        this.expose = List.copyOf(expose);
        this.insecure = insecure;
        this.rings = rings;
    }

    /** 127.0.0.1:8815, plaintext, no token, every stream. */
    public static ServeOptions defaults() {
        return new ServeOptions("127.0.0.1", DEFAULT_PORT, null, null, null, List.of(), false,
                RingServeOptions.defaults());
    }

    /** The address to listen on (a name or a literal; {@code 0.0.0.0} for every interface). */
    public ServeOptions host(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("the host must not be empty");
        }
        return new ServeOptions(address, port, tlsCert, tlsKey, token, expose, insecure, rings);
    }

    /** The TCP port; 0 picks a free one (see {@link StreamFlightServer#port()}). */
    public ServeOptions port(int tcpPort) {
        if (tcpPort < 0 || tcpPort > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + tcpPort);
        }
        return new ServeOptions(host, tcpPort, tlsCert, tlsKey, token, expose, insecure, rings);
    }

    /** Serve over TLS with this PEM certificate chain and PEM private key (PKCS#8). */
    public ServeOptions tls(Path certificateChain, Path privateKey) {
        for (Path file : new Path[] {certificateChain, privateKey}) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read TLS file " + file);
            }
        }
        return new ServeOptions(host, port, certificateChain, privateKey, token, expose, insecure, rings);
    }

    /** Require {@code authorization: Bearer <token>} on every call. */
    public ServeOptions token(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new IllegalArgumentException("the bearer token must not be empty");
        }
        return new ServeOptions(host, port, tlsCert, tlsKey, bearerToken.strip(), expose, insecure, rings);
    }

    /** {@link #token(String)} read from a file (surrounding whitespace dropped). */
    public ServeOptions tokenFile(Path file) {
        try {
            return token(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file, e);
        }
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
        return new ServeOptions(host, port, tlsCert, tlsKey, token, all, insecure, rings);
    }

    /** Allow plaintext on a non-loopback address (anyone who can reach the port reads and writes the streams). */
    public ServeOptions insecure(boolean allowed) {
        return new ServeOptions(host, port, tlsCert, tlsKey, token, expose, allowed, rings);
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

    /** How rings are served (window, memory per client, cursor grace). */
    public ServeOptions rings(RingServeOptions options) {
        return new ServeOptions(host, port, tlsCert, tlsKey, token, expose, insecure,
                java.util.Objects.requireNonNull(options, "options"));
    }

    public RingServeOptions rings() {
        return rings;
    }
}

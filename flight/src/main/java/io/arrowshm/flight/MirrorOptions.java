package io.arrowshm.flight;

import io.arrowshm.tensors.IpcLimits;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link StreamMirror} connects: bearer token, the CA certificate to trust for TLS, and the
 * reconnect backoff (doubling from {@code initialBackoff} up to {@code maxBackoff}). Immutable.
 *
 * <pre>{@code
 * MirrorOptions options = MirrorOptions.defaults().token("s3cret").backoff(Duration.ofMillis(100), Duration.ofSeconds(5))
 *         .limits(IpcLimits.defaults().maxFrameBytes(1L << 30).maxBatchBytes(1L << 30));
 * }</pre>
 */
public final class MirrorOptions {
    private final String token;
    private final Path trustedCertificate;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final IpcLimits limits;

    private MirrorOptions(String token, Path trustedCertificate, Duration initialBackoff, Duration maxBackoff,
                          IpcLimits limits) {
        this.token = token;
        this.trustedCertificate = trustedCertificate;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.limits = limits;
    }

    /** No token, the JVM's trusted CAs, backoff 100 ms doubling to 5 s, batches within {@link IpcLimits#defaults()}. */
    public static MirrorOptions defaults() {
        return new MirrorOptions(null, null, Duration.ofMillis(100), Duration.ofSeconds(5), IpcLimits.defaults());
    }

    /** Send {@code authorization: Bearer <token>}. */
    public MirrorOptions token(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new IllegalArgumentException("the bearer token must not be empty");
        }
        return new MirrorOptions(bearerToken.strip(), trustedCertificate, initialBackoff, maxBackoff, limits);
    }

    /**
     * {@link #token(String)} read from a file.
     *
     * @throws UncheckedIOException naming the file and the reason it cannot be read
     */
    public MirrorOptions tokenFile(Path file) {
        return token(ServeOptions.readToken(file));
    }

    /**
     * Trust this PEM certificate (a self-signed server's, or its CA) for {@code grpc+tls://}.
     *
     * @throws IllegalArgumentException naming the file when it is not a readable PEM certificate
     */
    public MirrorOptions trustedCertificate(Path pem) {
        ServeOptions.checkFile("trusted certificate", pem, PemFiles::requireCertificates);
        return new MirrorOptions(token, pem, initialBackoff, maxBackoff, limits);
    }

    /** Wait {@code initial} after the first failed attempt, doubling up to {@code max}. */
    public MirrorOptions backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + ", " + max);
        }
        return new MirrorOptions(token, trustedCertificate, initial, max, limits);
    }

    /**
     * What the server's batches may declare: the largest frame (also the largest local stream the
     * mirror creates), rows and bytes per batch. A server whose frames are larger stops the mirror
     * for good; a batch that lies is refused, and the mirror reconnects.
     */
    public MirrorOptions limits(IpcLimits value) {
        return new MirrorOptions(token, trustedCertificate, initialBackoff, maxBackoff, Objects.requireNonNull(value));
    }

    public IpcLimits limits() {
        return limits;
    }

    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    public Optional<Path> trustedCertificate() {
        return Optional.ofNullable(trustedCertificate);
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }
}

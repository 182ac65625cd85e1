package io.arrowshm.flight;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link StreamMirror} connects: bearer token, the CA certificate to trust for TLS, and the
 * reconnect backoff (doubling from {@code initialBackoff} up to {@code maxBackoff}). Immutable.
 *
 * <pre>{@code
 * MirrorOptions options = MirrorOptions.defaults().token("s3cret").backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
 * }</pre>
 */
public final class MirrorOptions {
    private final String token;
    private final Path trustedCertificate;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private MirrorOptions(String token, Path trustedCertificate, Duration initialBackoff, Duration maxBackoff) {
        this.token = token;
        this.trustedCertificate = trustedCertificate;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** No token, the JVM's trusted CAs, backoff 100 ms doubling to 5 s. */
    public static MirrorOptions defaults() {
        return new MirrorOptions(null, null, Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** Send {@code authorization: Bearer <token>}. */
    public MirrorOptions token(String bearerToken) {
        if (bearerToken == null || bearerToken.isBlank()) {
            throw new IllegalArgumentException("the bearer token must not be empty");
        }
        return new MirrorOptions(bearerToken.strip(), trustedCertificate, initialBackoff, maxBackoff);
    }

    /** {@link #token(String)} read from a file. */
    public MirrorOptions tokenFile(Path file) {
        try {
            return token(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file, e);
        }
    }

    /** Trust this PEM certificate (a self-signed server's, or its CA) for {@code grpc+tls://}. */
    public MirrorOptions trustedCertificate(Path pem) {
        if (!Files.isReadable(pem)) {
            throw new IllegalArgumentException("cannot read certificate " + pem);
        }
        return new MirrorOptions(token, pem, initialBackoff, maxBackoff);
    }

    /** Wait {@code initial} after the first failed attempt, doubling up to {@code max}. */
    public MirrorOptions backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + ", " + max);
        }
        return new MirrorOptions(token, trustedCertificate, initial, max);
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

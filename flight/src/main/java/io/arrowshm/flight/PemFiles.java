package io.arrowshm.flight;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Base64;

/**
 * Checks the PEM files TLS is set up with before gRPC reads them, so that a wrong file is named
 * with the reason ("not a PEM certificate: no -----BEGIN CERTIFICATE----- block") instead of
 * netty's "Input stream not contain valid certificates." at start-up.
 *
 * <pre>{@code
 * PemFiles.requireCertificates(Path.of("cert.pem"));   // IllegalArgumentException with the reason
 * PemFiles.requirePrivateKey(Path.of("key.pem"));
 * }</pre>
 */
public final class PemFiles {
    private static final String BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
    private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
    private static final String END_KEY = "-----END PRIVATE KEY-----";

    private PemFiles() {
    }

    /**
     * {@code file} holds one or more PEM certificates that parse as X.509.
     *
     * @throws IllegalArgumentException saying what is wrong (the message does not repeat the path)
     * @throws UncheckedIOException when the file cannot be read
     */
    public static void requireCertificates(Path file) {
        String text = read(file);
        if (!text.contains(BEGIN_CERTIFICATE)) {
            throw new IllegalArgumentException("not a PEM certificate (no " + BEGIN_CERTIFICATE + " block)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new IllegalArgumentException("not a PEM certificate (no certificate in it)");
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a valid PEM certificate (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * {@code file} holds a PKCS#8 private key in PEM ({@code -----BEGIN PRIVATE KEY-----}), what
     * gRPC's netty reads without extra libraries ({@code openssl pkcs8 -topk8 -nocrypt} converts).
     *
     * @throws IllegalArgumentException saying what is wrong (the message does not repeat the path)
     * @throws UncheckedIOException when the file cannot be read
     */
    public static void requirePrivateKey(Path file) {
        String text = read(file);
        int begin = text.indexOf(BEGIN_KEY);
        int end = text.indexOf(END_KEY);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("not a PEM PKCS#8 private key (no " + BEGIN_KEY + " block; convert one"
                    + " with openssl pkcs8 -topk8 -nocrypt)");
        }
        try {
            Base64.getMimeDecoder().decode(text.substring(begin + BEGIN_KEY.length(), end).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid PEM private key (its base64 does not decode)", e);
        }
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}

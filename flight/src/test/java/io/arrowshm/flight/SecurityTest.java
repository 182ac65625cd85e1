package io.arrowshm.flight;

import static io.arrowshm.flight.FlightTesting.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safe by default: bearer tokens, TLS with a certificate made here, loopback-only plaintext, expose globs. */
class SecurityTest {
    private static final Duration PEER = Duration.ofSeconds(120);

    @Test
    void callsWithoutTheTokenAreRefused(@TempDir Path dir) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), "s3cret-" + System.nanoTime() + "\n");
        String token = Files.readString(tokenFile).strip();
        int port = FlightTesting.freePort();
        try (PeerProcess server = PeerProcess.java(FlightPeer.class, "serve", Integer.toString(port), tokenFile.toString())) {
            server.await("serving " + port, PEER);
            String uri = "grpc://127.0.0.1:" + port;
            String without = PyarrowFlightTest.python("try-list", uri).get(0);
            assertTrue(without.startsWith("error FlightUnauthenticatedError"), without);
            try (PeerProcess wrong = PeerProcess.python(Map.of("FLIGHT_TOKEN", "nope"), "flight_peer.py", "try-list", uri)) {
                assertTrue(wrong.finish(PEER).get(0).startsWith("error FlightUnauthenticatedError"));
            }
            try (PeerProcess right = PeerProcess.python(Map.of("FLIGHT_TOKEN", token), "flight_peer.py", "try-list", uri)) {
                assertTrue(right.finish(PEER).get(0).startsWith("ok"));
            }
            // A mirror with a refused token stops for good, saying why.
            try (StreamMirror mirror = StreamMirror.start(FlightSource.parse(uri + "/anything"), Names.unique("nomirror"),
                    MirrorOptions.defaults().token("nope"))) {
                eventually(PEER, "the mirror gives up", () -> mirror.failure().isPresent());
            }
        }
    }

    @Test
    void tlsWithACertificateMadeHere(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl made a certificate");
        String name = Names.unique("tls");
        String local = Names.unique("tls-mirror");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 16);
             StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0).tls(cert, key))) {
            shm.write(new byte[16], 42L);
            String uri = "grpc+tls://localhost:" + server.port();
            try (PeerProcess trusted = PeerProcess.python(Map.of("FLIGHT_TLS_ROOT", cert.toString()), "flight_peer.py",
                    "try-list", uri)) {
                assertTrue(trusted.finish(PEER).get(0).startsWith("ok"));
            }
            String untrusted = PyarrowFlightTest.python("try-list", uri).get(0);
            assertTrue(untrusted.startsWith("error"), untrusted);
            try (StreamMirror mirror = StreamMirror.start(FlightSource.parse(uri + "/" + name), local,
                    MirrorOptions.defaults().trustedCertificate(cert))) {
                eventually(PEER, "a frame mirrored over TLS", () -> mirror.stats().frames() >= 1);
            }
            try (SharedMemory copy = SharedMemory.open(local)) {
                assertEquals(42L, copy.frameId());
            }
        } finally {
            SharedMemory.unlink(name);
            SharedMemory.unlink(local);
        }
    }

    @Test
    void plaintextOnlyOnLoopbackUnlessInsecure() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> StreamFlightServer.start(ServeOptions.defaults().host("0.0.0.0").port(0)));
        assertTrue(refused.getMessage().contains("needs TLS"), refused.getMessage());
        try (StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().host("0.0.0.0").port(0)
                .insecure(true))) {
            assertTrue(server.port() > 0);
        }
    }

    @Test
    void exposeLimitsWhatIsServed() throws Exception {
        String shown = Names.unique("cam");
        String hidden = Names.unique("private");
        try (SharedMemory a = SharedMemory.create(shown, DType.UINT8, 4);
             SharedMemory b = SharedMemory.create(hidden, DType.UINT8, 4);
             StreamFlightServer server = StreamFlightServer.start(ServeOptions.defaults().port(0)
                     .expose("arrowshm-test-cam-*"))) {
            a.write(new byte[4]);
            b.write(new byte[4]);
            String uri = "grpc://127.0.0.1:" + server.port();
            List<String> listed = PyarrowFlightTest.python("list", uri);
            assertTrue(listed.stream().anyMatch(l -> l.contains(shown)), listed::toString);
            assertTrue(listed.stream().noneMatch(l -> l.contains(hidden)), listed::toString);
            String actionList = PyarrowFlightTest.python("action", uri, "list", "").get(0); // DoAction list: the same filter
            assertTrue(actionList.contains("\"" + shown + "\""), actionList);
            assertFalse(actionList.contains(hidden), actionList);
            String get = PyarrowFlightTest.python("get-until-end", uri, hidden).get(0);
            assertTrue(get.startsWith("error FlightServerError") || get.contains("no stream"), get);
            String put = PyarrowFlightTest.python("put", uri, hidden, "uint8", "1", "4").get(0);
            assertTrue(put.startsWith("error"), put);
        } finally {
            SharedMemory.unlink(shown);
            SharedMemory.unlink(hidden);
        }
    }
}

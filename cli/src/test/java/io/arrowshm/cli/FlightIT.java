package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.arrowshm.DType;
import io.arrowshm.InvalidMetadataException;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@code serve} and {@code mirror} as users run them: the real jar in processes of its own, a
 * pyarrow client, a Java writer, SIGTERM to stop; on JDK 17 and, for {@code serve} by plain
 * {@code java -jar} (the self-relaunching path), on JDK 25 with nothing printed as a warning.
 */
class FlightIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @Test
    void serveFeedsPyarrowAndMirrorRepublishesLocally() throws Exception {
        String source = Names.unique("cli-serve");
        String local = Names.unique("cli-mirror");
        AtomicBoolean writing = new AtomicBoolean(true);
        try (SharedMemory shm = SharedMemory.create(source, DType.UINT8, 4096)) {
            Thread writer = new Thread(() -> {
                long frame = 0;
                while (writing.get()) {
                    shm.write(new byte[4096], frame++);
                    sleep(10);
                }
            });
            writer.start();
            try (Cli.Running serve = Cli.Running.start(Cli.command("serve", "--port", "0"))) {
                String uri = serve.firstLine().replace("serving ", "").replace("grpc+tcp://", "grpc://");
                assertTrue(uri.startsWith("grpc://127.0.0.1:"), serve.firstLine());
                JsonNode got;
                try (PeerProcess client = PeerProcess.python("cli_peer.py", "flight-get", uri, source, "5")) {
                    got = Cli.json(client.finish(TIMEOUT).get(0));
                }
                assertEquals(5, got.get("rows").asInt(), got::toString);

                try (Cli.Running mirror = Cli.Running.start(Cli.command("mirror", uri + "/" + source, "--as", local))) {
                    long deadline = System.nanoTime() + TIMEOUT.toNanos();
                    while (localCount(local) < 10) {
                        if (System.nanoTime() > deadline) {
                            fail("the mirror published nothing into " + local + "; " + mirror.stop());
                        }
                        Thread.sleep(50);
                    }
                    Cli.Running.Ended ended = mirror.stop();
                    assertTrue(ended.status() == 143 || ended.status() == 0, ended::toString);
                    assertTrue(ended.stdout().contains(" -> " + local + ": connected, "), ended::toString);
                    assertTrue(ended.stderr().lines().anyMatch(l -> l.contains(" -> " + local + ": ") && l.contains(" frames, ")),
                            "the status line: " + ended);
                    assertNoWarning(ended);
                }
                sleep(1200); // at least one status line after the clients came and went
                Cli.Running.Ended ended = serve.stop();
                assertTrue(ended.status() == 143 || ended.status() == 0, ended::toString);
                assertTrue(ended.stderr().lines().anyMatch(l -> l.matches("\\d+ clients, [0-9.]+ frames/s, [0-9.]+ MB/s sent.*")),
                        "the status line: " + ended);
                assertNoWarning(ended);
            } finally {
                writing.set(false);
                writer.join();
            }
        } finally {
            SharedMemory.unlink(source);
            SharedMemory.unlink(local);
        }
    }

    @Test
    void serveOnJdk25ByPlainJavaJarPrintsNoWarningAndStopsOnSigterm() throws Exception {
        assertTrue(Files.isExecutable(JDK25.resolve("bin/java")), "JDK 25 is part of this build's platforms: " + JDK25);
        String source = Names.unique("cli-serve25");
        try (SharedMemory shm = SharedMemory.create(source, DType.FLOAT32, 16)) {
            shm.write(new float[16], 42L);
            List<String> command = List.of(JDK25.resolve("bin/java").toString(), "-jar", Cli.jar().toString(),
                    "serve", "--port", "0");
            try (Cli.Running serve = Cli.Running.start(command)) {
                String uri = serve.firstLine().replace("serving ", "").replace("grpc+tcp://", "grpc://");
                try (PeerProcess client = PeerProcess.python("cli_peer.py", "flight-get", uri, source, "1")) {
                    JsonNode got = Cli.json(client.finish(TIMEOUT).get(0));
                    assertEquals(42, got.get("frame_ids").get(0).asLong(), got::toString);
                }
                Cli.Running.Ended ended = serve.stop();
                assertEquals(143, ended.status(), ended::toString);
                assertNoWarning(ended);
            }
        } finally {
            SharedMemory.unlink(source);
        }
    }

    private static void assertNoWarning(Cli.Running.Ended ended) {
        assertFalse(ended.stderr().contains("WARNING"), ended::toString);
        assertFalse(ended.stderr().contains("Exception"), ended::toString);
    }

    private static long localCount(String name) {
        try (SharedMemory shm = SharedMemory.open(name)) {
            return shm.count();
        } catch (StreamNotFoundException | InvalidMetadataException notYet) {
            return 0; // not created yet, or being created (its metadata not written yet) as we look
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.RingFrames;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code serve} and {@code mirror} on rings through the packaged jar: the mirror of a remote ring
 * into a local ring of the same capacity and policy delivers every frame to a local reader, checked
 * by content, and both processes stop on SIGTERM with their status lines.
 */
class RingFlightIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void aRemoteRingMirroredThroughTheJarReachesALocalReaderWhole() throws Exception {
        String source = Names.unique("cli-ring-serve");
        String local = Names.unique("cli-ring-mirror");
        RingOptions options = RingOptions.of(DType.UINT8, 4096).capacity(64);
        try (Ring remote = Ring.create(source, options);
             Ring copy = Ring.create(local, options);
             RingReader reader = copy.reader("local", CursorOptions.defaults());
             Cli.Running serve = Cli.Running.start(Cli.command("serve", "--port", "0", "--ring-window", "128K",
                     "--cursor-grace", "60"))) {
            String uri = serve.firstLine().replace("serving ", "").replace("grpc+tcp://", "grpc://");
            try (Cli.Running mirror = Cli.Running.start(Cli.command("mirror", uri + "/" + source, "--as", local))) {
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (remote.cursors().stream().noneMatch(c -> c.name().startsWith("mirror:") && c.live())) {
                    if (System.nanoTime() > deadline || !mirror.isAlive()) {
                        fail("the mirror never attached its cursor; " + mirror.stop());
                    }
                    Thread.sleep(20);
                }
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread writing = new Thread(() -> {
                    try (RingWriter writer = remote.writer()) {
                        byte[] frame = new byte[4096];
                        for (long p = 0; p < 300; p++) {
                            RingFrames.fill(frame, p);
                            writer.write(frame, p, Duration.ofSeconds(60));
                        }
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                writing.start();
                for (long p = 0; p < 300; p++) {
                    try (RingFrame f = reader.take(TIMEOUT)) {
                        assertEquals(p, f.frameId(), "every frame, in order, once");
                        assertEquals(p, f.position());
                        assertTrue(RingFrames.check(f.buffer(), 4096, p), "frame " + p + " arrives whole");
                    }
                }
                writing.join(TIMEOUT.toMillis());
                assertEquals(null, failed.get());
                Cli.Running.Ended ended = mirror.stop();
                assertTrue(ended.status() == 143 || ended.status() == 0, ended::toString);
                assertTrue(ended.stdout().contains(" -> " + local + ": ") && ended.stdout().contains(", 300 frames, ")
                        && ended.stdout().contains("lost 0, remote position 299"), ended::toString);
            }
            Cli.Running.Ended ended = serve.stop();
            assertTrue(ended.status() == 143 || ended.status() == 0, ended::toString);
        } finally {
            Ring.unlink(source);
            Ring.unlink(local);
            Files.deleteIfExists(io.arrowshm.flight.RingMirror.progressFile(local));
        }
    }
}

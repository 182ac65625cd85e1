package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@code watch} follows real writers in other processes and stops on its limits and on Ctrl-C. */
class WatchIT {
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void followsAPyshmemWriterOnANotifyStream() {
        String name = Names.unique("cli-watch-py");
        try {
            try (PeerProcess create = PeerProcess.python("cli_peer.py", "create", name, "float32", "notify", "8", "8")) {
                create.finish(PEER_TIMEOUT);
            }
            PeerProcess writer = PeerProcess.python("cli_peer.py", "write-timed", name, "3000", "0.01");
            try {
                Cli.Result watch = Cli.run("watch", name, "--count", "5", "--seconds", "120", "--interval", "0.02",
                        "--json").ok();
                JsonNode summary = watch.json();
                assertEquals(5, summary.get("received").asLong(), watch::toString);
                assertTrue(summary.get("notify").asBoolean(), "pyshmem's notify flag is seen and used");
                assertEquals(name, summary.get("name").asText());
                long lastCount = summary.get("last_count").asLong();
                // pyshmem wrote frame i with frame id i, so the last frame read carries id count - 1.
                assertEquals(lastCount - 1, Long.parseLong(summary.get("last_frame_id").asText()), watch::toString);
                assertTrue(summary.get("latency_p50").asDouble() >= 0, watch::toString);
                assertEquals(summary.get("published").asLong(),
                        summary.get("received").asLong() + summary.get("missed").asLong(), watch::toString);
                for (String status : watch.stderr.lines().toList()) {
                    assertTrue(status.startsWith(name + ": ") && status.contains(" pub/s ") && status.endsWith("notify"),
                            status);
                }
            } finally {
                writer.close();
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void followsAJavaWriterOnAPollingStream() throws Exception {
        String name = Names.unique("cli-watch-java");
        AtomicBoolean writing = new AtomicBoolean(true);
        try (SharedMemory shm = SharedMemory.create(name, DType.INT16, 100)) {
            Thread writer = new Thread(() -> {
                long frame = 1000;
                while (writing.get()) {
                    shm.write(new short[100], frame++);
                    sleep(5);
                }
            });
            writer.start();
            try {
                Cli.Result watch = Cli.run("watch", name, "--count", "10", "--seconds", "120").ok();
                String summary = watch.out().strip();
                assertTrue(summary.startsWith(name + ": received 10 publications in "), watch::toString);
                assertFalse(summary.contains("\n"), "one summary line");
            } finally {
                writing.set(false);
                writer.join();
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void stopsAfterSecondsOnAnIdleStream() {
        String name = Names.unique("cli-watch-idle");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 4)) {
            JsonNode summary = Cli.run("watch", name, "--seconds", "0.5", "--json").ok().json();
            assertEquals(0, summary.get("received").asLong());
            assertTrue(summary.get("latency_p50").isNull(), "no latency without publications");
            assertFalse(summary.get("notify").asBoolean());
            assertEquals(0, shm.count(), "watch only reads");
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void ctrlCStopsCleanlyWithASummary() throws Exception {
        String name = Names.unique("cli-watch-sigint");
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT64, 2)) {
            shm.write(new double[2], 7L);
            List<String> command = new ArrayList<>();
            if (envResetsSignals()) {
                // A build started in the background may run with SIGINT ignored, and the JVM honours
                // an inherited "ignore"; restore the default so the signal means what Ctrl-C means.
                command.addAll(List.of("env", "--default-signal=INT"));
            }
            command.addAll(Cli.command("watch", name, "--interval", "0.1"));
            Process watch = new ProcessBuilder(command).start();
            try {
                BufferedReader status = new BufferedReader(new InputStreamReader(watch.getErrorStream(),
                        StandardCharsets.UTF_8));
                String first = status.readLine(); // the first status line: the loop is running
                assertNotNull(first, "watch exited before its first status line");
                assertTrue(first.startsWith(name + ": "), first);
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(watch.pid())).start();
                assertEquals(0, kill.waitFor());
                if (!watch.waitFor(60, TimeUnit.SECONDS)) {
                    fail("watch did not stop on SIGINT");
                }
                assertEquals(130, watch.exitValue(), "the shell's status for a Ctrl-C'd command");
                String summary = new String(watch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(summary.startsWith(name + ": received 0 publications in "), summary);
                assertTrue(summary.strip().endsWith("frame_id 7"), summary);
                status.lines().forEach(line -> assertTrue(line.startsWith(name + ": "), line));
            } finally {
                watch.destroyForcibly();
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void missingStreamExitsTwo() {
        Cli.run("watch", Names.unique("cli-watch-missing"), "--seconds", "1").fails(ExitStatus.STREAM);
    }

    private static boolean envResetsSignals() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("env", "--default-signal=INT", "true")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

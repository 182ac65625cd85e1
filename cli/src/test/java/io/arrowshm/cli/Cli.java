package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.arrowshm.tensors.testing.ResidentMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged jar as a user does, {@code java -jar target/arrow-shm-cli.jar ARGS}, in its
 * own process, with stdout and stderr kept apart (in files, so neither pipe can fill and stall it).
 */
final class Cli {
    private static final long TIMEOUT_SECONDS = 180;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cli() {
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("arrowshm.cli.jar", "target/arrow-shm-cli.jar"));
        if (!Files.isRegularFile(jar)) {
            fail("no CLI jar at " + jar.toAbsolutePath() + ": these tests run after `package` (mvn -B verify)");
        }
        return jar;
    }

    /**
     * The command bin/arrow-shm runs: {@code java -jar} with the one property the launcher adds
     * (JDK 24+ would otherwise print Arrow's sun.misc.Unsafe warning on stderr; older JDKs ignore it).
     */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsun.misc.unsafe.memory.access=allow", "-jar", jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    static Result run(Map<String, String> environment, String... args) {
        return run(environment, command(args));
    }

    /** Any command line (e.g. the jar inside {@code unshare}), captured the same way. */
    static Result run(Map<String, String> environment, List<String> command) {
        try {
            Path out = Files.createTempFile("arrow-shm-cli-out", ".bin");
            Path err = Files.createTempFile("arrow-shm-cli-err", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                        .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
                builder.environment().putAll(environment);
                Process process = builder.start();
                long peak;
                try (ResidentMemory.Watch watch = new ResidentMemory.Watch(process.pid())) {
                    process.getOutputStream().close();
                    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        fail(command + " did not finish in " + TIMEOUT_SECONDS + " s; stderr: " + Files.readString(err));
                    }
                    peak = watch.peakBytes();
                }
                return new Result(process.exitValue(), Files.readAllBytes(out),
                        Files.readString(err, StandardCharsets.UTF_8), peak);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** What one run left behind: its exit status, the bytes on stdout, the text on stderr. */
    static final class Result {
        final int status;
        final byte[] stdout;
        final String stderr;
        /** The process's peak resident memory (VmHWM, read every few ms while it ran), -1 if unread. */
        final long peakResidentBytes;

        Result(int status, byte[] stdout, String stderr, long peakResidentBytes) {
            this.status = status;
            this.stdout = stdout;
            this.stderr = stderr;
            this.peakResidentBytes = peakResidentBytes;
        }

        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        List<String> outLines() {
            return out().lines().toList();
        }

        JsonNode json() {
            return Cli.json(out());
        }

        /** Status 0; stderr may carry notes (e.g. "no streams found"), never a failure line. */
        Result ok() {
            assertEquals(0, status, this::toString);
            assertTrue(stderr.lines().noneMatch(line -> line.startsWith("arrow-shm")), this::toString);
            return this;
        }

        /** The failure contract: this status, nothing on stdout, exactly one line on stderr naming the command. */
        Result fails(int expectedStatus) {
            assertEquals(expectedStatus, status, this::toString);
            assertEquals(0, stdout.length, () -> "stdout must stay empty on failure: " + this);
            List<String> lines = stderr.lines().toList();
            assertEquals(1, lines.size(), () -> "one error line expected: " + this);
            assertTrue(lines.get(0).startsWith("arrow-shm"), this::toString);
            return this;
        }

        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out() + "--- stderr\n" + stderr;
        }
    }

    /**
     * A command left running (a server, a mirror, a looping replay) until SIGTERM, stdout and
     * stderr kept in files (Process.destroy() closes the pipes, so what it printed on its way out
     * would be lost from a pipe).
     */
    static final class Running implements AutoCloseable {
        private final Process process;
        private final Path stdout;
        private final Path stderr;

        private Running(Process process, Path stdout, Path stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        static Running start(List<String> command) throws IOException {
            Path out = Files.createTempFile("arrow-shm-cli-flight-out", ".txt");
            Path err = Files.createTempFile("arrow-shm-cli-flight-err", ".txt");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            return new Running(process, out, err);
        }

        /** The first complete stdout line ("serving ..."), waiting for it. */
        String firstLine() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(TIMEOUT_SECONDS).toNanos();
            while (true) {
                String out = Files.readString(stdout, StandardCharsets.UTF_8);
                int end = out.indexOf('\n');
                if (end >= 0) {
                    return out.substring(0, end);
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    fail("no first line; " + stop());
                }
                Thread.sleep(20);
            }
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** What it printed on stderr so far. */
        String stderrSoFar() throws IOException {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        }

        /** Waits up to {@code timeout} for it to exit on its own; null if it is still running then. */
        Ended awaitExit(Duration timeout) throws IOException, InterruptedException {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return null;
            }
            return new Ended(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        }

        /** SIGTERM, as a service manager stops it; waits for the exit. */
        Ended stop() throws IOException {
            try {
                process.destroy();
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail("did not stop on SIGTERM: " + Files.readString(stderr));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return new Ended(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }

        record Ended(int status, String stdout, String stderr) {
            @Override
            public String toString() {
                return "status " + status + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
            }
        }
    }
}

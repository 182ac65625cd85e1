package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
                process.getOutputStream().close();
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail(command + " did not finish in " + TIMEOUT_SECONDS + " s; stderr: " + Files.readString(err));
                }
                return new Result(process.exitValue(), Files.readAllBytes(out),
                        Files.readString(err, StandardCharsets.UTF_8));
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

        Result(int status, byte[] stdout, String stderr) {
            this.status = status;
            this.stdout = stdout;
            this.stderr = stderr;
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
}

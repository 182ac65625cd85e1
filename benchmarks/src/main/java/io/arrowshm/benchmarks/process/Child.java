package io.arrowshm.benchmarks.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness started: a peer of a ping-pong or a stage (JMH, the pyshmem script).
 * It answers on stdout; its stderr goes to a log file, so a failure can be explained without
 * flooding the console. Closing it kills it if it still runs.
 */
public final class Child implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    private final Process process;
    private final String label;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Child(List<String> command, String label, Path log) {
        this.label = label;
        this.log = log;
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + label + ": " + command, e);
        }
        Thread pump = new Thread(this::pump, "child-stdout-" + label);
        pump.setDaemon(true);
        pump.start();
    }

    public static Child start(List<String> command, String label, Path log) {
        return new Child(command, label, log);
    }

    public String label() {
        return label;
    }

    /** The process id (to sample its resident memory). */
    public long pid() {
        return process.pid();
    }

    /**
     * The first stdout line starting with {@code prefix}; empty when the process exits or the
     * time runs out first (the caller says which case failed).
     */
    public Optional<String> awaitLine(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null || line.equals(EOF)) {
                    return Optional.empty();
                }
                if (line.startsWith(prefix)) {
                    return Optional.of(line);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Waits for the exit; kills the process when it overruns and reports -1. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly().waitFor();
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    /** Writes one line to the process's standard input (a "go" signal). */
    public void send(String line) {
        try {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + label, e);
        }
    }

    /** Closes the process's standard input: the peers that run "until stdin closes" then finish cleanly. */
    public void closeInput() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the process is gone already
        }
    }

    /** Why a result is missing, for the report: exit status if it ended, and where its stderr is. */
    public String failure() {
        String state = process.isAlive() ? "still running" : "exited with status " + process.exitValue();
        return label + " " + state + "; see " + log;
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the process died; EOF below tells the waiter
        }
        lines.add(EOF);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

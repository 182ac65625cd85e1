package io.arrowshm.interop.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.arrowshm.testing.Python;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One long-lived pyshmem 1.4.0 process ({@code pyshmem_peer.py serve}) that a test class
 * drives one command at a time. A Python start costs about as much as a whole small test, and
 * a long-lived process can also keep a pyshmem handle open between a test's steps.
 *
 * <p>Register it as a static extension; it starts on the first call (so a missing venv skips
 * the test, or fails it under CI=true) and stops after the class.
 */
final class PyshmemSession implements AfterAllCallback, AutoCloseable {
    private static final long REPLY_TIMEOUT_SECONDS = 60;
    private static final String EOF = "\u0000EOF";
    private Process process;
    private Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    /** Sends one command (words joined by spaces) and returns its reply. */
    synchronized Reply call(Object... words) {
        String command = Arrays.stream(words).map(String::valueOf).collect(Collectors.joining(" "));
        try {
            ensureStarted();
            commands.write(command + "\n");
            commands.flush();
            String line = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line == null || line.equals(EOF)) {
                fail("pyshmem peer gave no reply to '" + command + "'" + (line == null ? " in time" : "; it exited"));
            }
            return Reply.parse(line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send '" + command + "' to the pyshmem peer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@link #call}, failing the test unless pyshmem succeeded. */
    Reply ok(Object... words) {
        Reply reply = call(words);
        assertTrue(reply.ok(), () -> "pyshmem failed '" + List.of(words) + "': " + reply.line());
        return reply;
    }

    /** {@link #call}, failing the test unless pyshmem raised {@code exceptionType}; returns its message. */
    String fails(String exceptionType, Object... words) {
        Reply reply = call(words);
        assertEquals(exceptionType, reply.error(), () -> "pyshmem's answer to " + List.of(words) + ": " + reply.line());
        return reply.message();
    }

    private void ensureStarted() throws IOException {
        if (process != null) {
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(Python.executable(), "-u", Python.script("pyshmem_peer.py"), "serve")
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("PYTHONUTF8", "1"); // names travel as UTF-8 whatever the locale
        replies.clear();
        process = builder.start();
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread pump = new Thread(this::pumpReplies, "pyshmem-peer-replies");
        pump.setDaemon(true);
        pump.start();
    }

    private void pumpReplies() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                replies.add(line);
            }
        } catch (IOException ignored) {
            // the peer died; EOF tells the caller
        }
        replies.add(EOF);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroyForcibly();
            process = null;
        }
    }
}

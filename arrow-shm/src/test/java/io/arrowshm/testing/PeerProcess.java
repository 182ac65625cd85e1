package io.arrowshm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Another process taking part in a test: a child JVM running a test main, or python3 from
 * the project's venv running a helper script. It speaks in stdout lines; stderr goes to the
 * test log. Closing it kills it if it is still running.
 */
public final class PeerProcess implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    private final Process process;
    private final String label;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private PeerProcess(List<String> command, String label, Map<String, String> environment) {
        this.label = label;
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        // A null value removes the variable (e.g. PYSHMEM_LOCK_DIR, to test the default lock directory).
        environment.forEach((key, value) -> {
            if (value == null) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        try {
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Thread pump = new Thread(this::pump, "peer-stdout-" + label);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Flags every child JVM gets so that JDK 22+ children (the jar run on JDK 25, the JDK 25 cases)
     * print no native-access (JNA, FFM) or {@code sun.misc.Unsafe} (Arrow) warning into the test
     * log. JDK 17 accepts both: the flag since JDK 17, the property is ignored before JDK 24.
     */
    public static final List<String> QUIET_JVM_FLAGS =
            List.of("--enable-native-access=ALL-UNNAMED", "-Dsun.misc.unsafe.memory.access=allow");

    /** A child JVM running {@code main} with this JVM's class path. */
    public static PeerProcess java(Class<?> main, String... args) {
        return java(Map.of(), main, args);
    }

    /** A child JVM running {@code main}, with these environment changes (a null value unsets). */
    public static PeerProcess java(Map<String, String> environment, Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xmx768m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(QUIET_JVM_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new PeerProcess(command, "java:" + (args.length > 0 ? args[0] : main.getSimpleName()), environment);
    }

    /**
     * A child JVM from the JDK at {@code javaHome} (e.g. JDK 25 while the build runs on 17) with
     * extra JVM options such as {@code -Xmx6g}, running {@code main} with this JVM's class path.
     * Crash logs (hs_err) go to the temp directory, not the module directory; a JVM that aborts
     * exits non-zero, which {@link #finish} reports as a failure with everything it printed.
     */
    public static PeerProcess java(Path javaHome, List<String> jvmOptions, Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(
                javaHome.resolve("bin").resolve("java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "arrowshm-hs_err_pid%p.log"),
                "-XX:-CreateCoredumpOnCrash"));
        command.addAll(QUIET_JVM_FLAGS);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new PeerProcess(command, "java:" + javaHome.getFileName() + ":" + (args.length > 0 ? args[0] : main.getSimpleName()),
                Map.of());
    }

    /** The JDK running this test, for {@link #java(Path, List, Class, String...)}. */
    public static Path currentJavaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    /** python3 from the project's venv running {@code src/test/python/<script>}. */
    public static PeerProcess python(String script, String... args) {
        return python(Map.of(), script, args);
    }

    /** python3 running {@code script}, with these environment changes (a null value unsets). */
    public static PeerProcess python(Map<String, String> environment, String script, String... args) {
        List<String> command = new ArrayList<>(List.of(Python.executable(), "-u", Python.script(script)));
        command.addAll(List.of(args));
        return new PeerProcess(command, "python:" + (args.length > 0 ? args[0] : script), environment);
    }

    public long pid() {
        return process.pid();
    }

    /** The next stdout line, failing the test if none comes within {@code timeout}. */
    public String nextLine(Duration timeout) {
        try {
            String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail(label + " printed nothing within " + timeout);
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                fail(label + " exited (status " + waitQuietly() + ") before printing the expected line");
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for a line equal to {@code expected} (earlier lines are skipped). */
    public void await(String expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (line.equals(expected)) {
                return;
            }
        }
    }

    /** Waits for the process to exit and returns its status. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                fail(label + " did not exit within " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for a clean exit and returns everything it printed (up to the end of its output). */
    public List<String> finish(Duration timeout) {
        int status = waitFor(timeout);
        List<String> out = new ArrayList<>();
        try {
            // The process can exit before the pump has queued its last lines: read up to EOF.
            for (String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS); line != null && !line.equals(EOF);
                 line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                out.add(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertEquals(0, status, label + " failed; its output: " + out);
        return out;
    }

    /** SIGKILL, as a crash would end it, and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        waitQuietly();
    }

    private int waitQuietly() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // the process died; EOF below tells the reader
        }
        lines.add(EOF);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}

package io.arrowshm.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a shell script with a private, empty /dev/shm (user and mount namespaces, `unshare
 * -rm`), for tests of purge: a purge on the real /dev/shm would delete the streams of
 * whoever runs the tests.
 */
public final class PrivateShm {
    private PrivateShm() {
    }

    /** Whether this machine lets an unprivileged process make the namespaces. */
    public static boolean available() {
        try {
            Process probe = new ProcessBuilder("unshare", "-rm", "bash", "-c", "mount -t tmpfs tmpfs /dev/shm")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code unshare} running {@code lines} (joined, {@code set -e}) over a fresh tmpfs on /dev/shm. */
    public static List<String> command(List<String> lines) {
        List<String> script = new ArrayList<>(List.of("set -e", "mount -t tmpfs tmpfs /dev/shm"));
        script.addAll(lines);
        return List.of("unshare", "-rm", "bash", "-c", String.join("\n", script));
    }

    /**
     * Runs {@code lines} in a private /dev/shm and returns what they printed on stdout,
     * failing the test unless the script succeeds.
     */
    public static List<String> run(List<String> lines) throws IOException, InterruptedException {
        Path locks = java.nio.file.Files.createTempDirectory("arrow-shm-private-locks");
        // stderr goes to the test log: JVM warnings (JDK 24+) and SLF4J notices are not data.
        ProcessBuilder builder = new ProcessBuilder(command(lines)).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("PYSHMEM_LOCK_DIR", locks.toString()); // keep its locks apart too
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            org.junit.jupiter.api.Assertions.fail("private /dev/shm script timed out: " + output);
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, process.exitValue(), output);
        try (var files = java.nio.file.Files.list(locks)) {
            for (Path file : files.toList()) {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
        java.nio.file.Files.deleteIfExists(locks);
        return output.lines().toList();
    }

    /** A shell line running {@link JavaPeer} with this JVM's class path. */
    public static String javaPeer(String... args) {
        return java(JavaPeer.class, args);
    }

    /** A shell line running {@code main} with this JVM's class path. */
    public static String java(Class<?> main, String... args) {
        List<String> words = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED"));
        words.addAll(PeerProcess.QUIET_JVM_FLAGS);
        words.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        words.addAll(List.of(args));
        return quoted(words);
    }

    /** A shell line running a Python test script from the venv. */
    public static String python(String script, String... args) {
        List<String> words = new ArrayList<>(List.of(Python.executable(), Python.script(script)));
        words.addAll(List.of(args));
        return quoted(words);
    }

    private static String quoted(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            line.append(line.length() == 0 ? "" : " ").append('\'').append(word.replace("'", "'\\''")).append('\'');
        }
        return line.toString();
    }
}

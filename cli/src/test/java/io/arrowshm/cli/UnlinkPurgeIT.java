package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.testing.JavaPeer;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Python;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code unlink} and {@code purge}. A real purge removes every stream on the host, including
 * other test runs' streams, so it runs in a private mount namespace with its own /dev/shm.
 */
class UnlinkPurgeIT {
    @Test
    void unlinkRemovesEachNamedStream() {
        String first = Names.unique("cli-unlink-a");
        String second = Names.unique("cli-unlink-b");
        SharedMemory.create(first, DType.UINT8, 8).close();
        ListStatIT.makeWithPyshmem(second, "float64", "3");

        Cli.Result result = Cli.run("unlink", first, second).ok();
        assertEquals(List.of(first, second), result.outLines());
        assertThrows(StreamNotFoundException.class, () -> SharedMemory.stat(first));
        assertThrows(StreamNotFoundException.class, () -> SharedMemory.stat(second));
    }

    @Test
    void unlinkOfAMissingNameExitsTwoAfterRemovingTheOthers() {
        String present = Names.unique("cli-unlink-present");
        String missing = Names.unique("cli-unlink-missing");
        SharedMemory.create(present, DType.INT32, 2).close();

        Cli.Result result = Cli.run("unlink", missing, present);
        assertEquals(ExitStatus.STREAM, result.status, result::toString);
        assertEquals(List.of(present), result.outLines(), "the present stream is still removed");
        assertEquals(List.of("arrow-shm unlink: no such stream or ring: '" + missing + "'"), result.stderr.lines().toList());
        assertThrows(StreamNotFoundException.class, () -> SharedMemory.stat(present));
    }

    @Test
    void dryRunListsWithoutRemoving() {
        String name = Names.unique("cli-purge-dry");
        try (SharedMemory shm = SharedMemory.create(name, DType.UINT8, 8)) {
            Cli.Result result = Cli.run("purge", "--dry-run").ok();
            assertTrue(result.outLines().contains(name), result::toString);
            assertEquals(shm.name(), SharedMemory.stat(name).name(), "still there");
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void purgeRemovesJavaAndPyshmemStreamsButNotLookAlikes() throws Exception {
        assumeTrue(privateShmAvailable(), "needs `unshare -rm` (user and mount namespaces) for a private /dev/shm");
        Path lockDir = Files.createTempDirectory("arrow-shm-cli-locks");
        String javaName = "purge-java";
        String pythonName = "purge-python";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = String.join("\n",
                "set -e",
                "mount -t tmpfs tmpfs /dev/shm",
                "touch /dev/shm/ps_0123456789abcd /dev/shm/ps_0123456789abcd_meta", // look-alikes, no valid header
                q(java) + " --add-opens=java.base/java.nio=ALL-UNNAMED -cp " + q(System.getProperty("java.class.path"))
                        + " " + JavaPeer.class.getName() + " create-write " + javaName + " uint8 1 16 >/dev/null",
                q(Python.executable()) + " " + q(Python.script("cli_peer.py")) + " create " + pythonName
                        + " int16 plain 4 >/dev/null",
                "echo '--- before'",
                cli("list --json"),
                "echo '--- purge'",
                cli("purge"),
                "echo '--- after'",
                cli("list --json"),
                "echo '--- left'",
                "ls /dev/shm");
        try {
            Cli.Result result = Cli.run(Map.of("PYSHMEM_LOCK_DIR", lockDir.toString()),
                    List.of("unshare", "-rm", "bash", "-c", script));
            assertEquals(0, result.status, result::toString);
            List<String> lines = result.outLines();
            List<String> purged = between(lines, "--- purge", "--- after");
            assertEquals(List.of(javaName, pythonName), purged, result::toString);
            assertEquals(2, Cli.json(between(lines, "--- before", "--- purge").get(0)).size(), result::toString);
            assertEquals("[]", between(lines, "--- after", "--- left").get(0), result::toString);
            assertEquals(List.of("ps_0123456789abcd", "ps_0123456789abcd_meta"), between(lines, "--- left", null));
        } finally {
            try (var files = Files.list(lockDir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(lockDir);
        }
    }

    private static String cli(String args) {
        return Cli.command().stream().map(UnlinkPurgeIT::q).collect(Collectors.joining(" ")) + " " + args;
    }

    private static String q(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private static List<String> between(List<String> lines, String start, String end) {
        int from = lines.indexOf(start) + 1;
        int to = end == null ? lines.size() : lines.indexOf(end);
        return new ArrayList<>(lines.subList(from, to));
    }

    private static boolean privateShmAvailable() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("unshare", "-rm", "bash", "-c", "mount -t tmpfs tmpfs /dev/shm")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }
}

package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.LibC;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Files planted by someone else, seen by separate processes: a FIFO, link or another user's
 * file at a pyshmem stream's segment name makes every Java operation answer at once (before
 * the fix a FIFO made them block forever), and a lock directory or file planted by another
 * uid (setpriv) is refused with a message naming it.
 */
class UntrustedFilesTest {
    private static final Duration PROMPT = Duration.ofSeconds(20);
    private static final int NOBODY = 65534;

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} at the {1} segment")
    @CsvSource({"fifo, meta", "fifo, data", "symlink, meta", "foreign, data"})
    void specialFilesAtSegmentNames(String kind, String segment) throws Exception {
        String name = Names.unique("planted");
        StreamNames names = StreamNames.of(name);
        PeerProcess.python("reliability_peer.py", "create", name, "uint8", "8").finish(PROMPT);
        boolean meta = segment.equals("meta");
        Path planted = Segments.path(meta ? names.metaSegment() : names.dataSegment());
        Path target = temp.resolve("target");
        try {
            Files.move(planted, target);
            switch (kind) {
                case "fifo" -> run("mkfifo", planted.toString());
                case "symlink" -> Files.createSymbolicLink(planted, target);
                default -> {
                    Files.copy(target, planted);
                    run("chown", NOBODY + ":" + NOBODY, planted.toString());
                }
            }
            List<String> lines = PeerProcess.java(ReliabilityPeer.class, "probe", name).finish(PROMPT);
            String refused = "UntrustedFileException: " + planted + " ";
            assertTrue(lines.get(0).startsWith("open " + refused), lines.get(0));
            assertTrue(lines.get(1).startsWith("open-read-only " + refused), lines.get(1));
            assertTrue(lines.get(2).startsWith(meta ? "stat " + refused : "stat ok"), lines.get(2));
            assertEquals(meta ? "list absent" : "list listed", lines.get(3));
            assertTrue(lines.get(4).startsWith("unlink " + refused), lines.get(4));
            assertTrue(Files.exists(planted, LinkOption.NOFOLLOW_LINKS), "a planted file is not ours to remove");
        } finally {
            Files.deleteIfExists(planted);
            SharedMemory.unlink(name);
        }
    }

    @Test
    void lockDirectoriesAndFilesPlantedByAnotherUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "planting another user's files needs root (CI runs as root)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        run("chmod", "1777", temp.toString()); // a /tmp of our own
        String name = Names.unique("lockdir");
        String lockFile = StreamNames.of(name).lockPath().getFileName().toString();

        asNobody("mkdir", "-m", "755", temp.resolve("theirs").toString());
        refused(Map.of("PYSHMEM_LOCK_DIR", temp.resolve("theirs").toString()), name,
                temp.resolve("theirs") + " is owned by uid " + NOBODY);

        asNobody("ln", "-s", temp.resolve("theirs").toString(), temp.resolve("link").toString());
        refused(Map.of("PYSHMEM_LOCK_DIR", temp.resolve("link").toString()), name,
                temp.resolve("link") + " is a symbolic link");

        // The default directory, <TMPDIR>/pyshmem-locks-<uid>, taken first by someone else.
        asNobody("mkdir", "-m", "777", temp.resolve("pyshmem-locks-" + LibC.getuid()).toString());
        Map<String, String> defaults = new HashMap<>();
        defaults.put("PYSHMEM_LOCK_DIR", null);
        defaults.put("TMPDIR", temp.toString());
        refused(defaults, name, temp.resolve("pyshmem-locks-" + LibC.getuid()) + " is owned by uid " + NOBODY);

        // Our directory, left world-writable, with their lock file in it: the directory is closed, the file refused.
        Path ours = Files.createDirectory(temp.resolve("ours"));
        Files.setPosixFilePermissions(ours, PosixFilePermissions.fromString("rwxrwxrwx"));
        asNobody("touch", ours.resolve(lockFile).toString());
        refused(Map.of("PYSHMEM_LOCK_DIR", ours.toString()), name, ours.resolve(lockFile) + " is owned by uid " + NOBODY);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ours)));
    }

    private static void refused(Map<String, String> environment, String name, String expected) {
        String line = PeerProcess.java(environment, ReliabilityPeer.class, "create-probe", name).finish(PROMPT).get(0);
        assertTrue(line.startsWith("create UntrustedFileException: " + expected), line);
        assertTrue(line.contains("arrow-shm will not use it"), line);
    }

    private static void asNobody(String... command) throws Exception {
        List<String> words = new java.util.ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups"));
        words.addAll(List.of(command));
        run(words.toArray(String[]::new));
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, process.waitFor(), String.join(" ", command));
    }
}

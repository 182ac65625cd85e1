package io.arrowshm.internal.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers that make files the JDK cannot: FIFOs, files owned by another user. */
public final class Special {
    /** The uid tests give "another user's" files: nobody. */
    public static final int OTHER_UID = 65534;

    private Special() {
    }

    public static Path fifo(Path path) throws Exception {
        run("mkfifo", "-m", "600", path.toString());
        return path;
    }

    /** Gives {@code path} (not a link's target) to {@link #OTHER_UID}; needs root, as CI has. */
    public static Path chownToOther(Path path) throws Exception {
        assumeTrue(LibC.geteuid() == 0, "making another user's file needs root (CI runs as root)");
        run("chown", "-h", OTHER_UID + ":" + OTHER_UID, path.toString());
        return path;
    }

    public static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).inheritIO().start();
        assertEquals(0, process.waitFor(), String.join(" ", command));
    }
}

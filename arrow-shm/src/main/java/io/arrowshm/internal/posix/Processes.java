package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's id and the liveness test pyshmem uses for writers and creators. */
public final class Processes {
    private static final long PID = ProcessHandle.current().pid();

    private Processes() {
    }

    public static long currentPid() {
        return PID;
    }

    /**
     * pyshmem's test: {@code /proc/<pid>} exists, else {@code kill(pid, 0)} succeeds or fails
     * with EPERM (alive, another user's). A zombie counts as alive, as it does there.
     */
    public static boolean isAlive(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            return false;
        }
        if (Files.isDirectory(Path.of("/proc", Long.toString(pid)))) {
            return true;
        }
        try {
            LibC.kill((int) pid, 0);
            return true;
        } catch (LastErrorException e) {
            return e.getErrorCode() == LibC.EPERM;
        }
    }
}

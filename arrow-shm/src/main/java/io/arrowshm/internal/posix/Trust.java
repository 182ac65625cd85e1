package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import io.arrowshm.UntrustedFileException;

/**
 * The one rule for files arrow-shm opens: a regular file (or, for the lock directory, a
 * directory) owned by this process's effective user, never reached through a symbolic link.
 * Anything else could block an open (a FIFO), redirect it (a link) or be controlled by
 * someone else (another user's file), so it is refused with a message saying what to do.
 */
final class Trust {
    private Trust() {
    }

    /** Throws unless {@code stat} describes a {@code role} ("shared-memory segment", ...) we may use. */
    static void check(FileStat stat, String path, boolean directory, String role) {
        boolean rightType = directory ? stat.isDirectory() : stat.isRegularFile();
        if (!rightType) {
            throw new UntrustedFileException(path, "is " + stat.kind() + ", not a " + role,
                    "Remove it (rm " + (stat.isDirectory() ? "-r " : "") + path + ") if nothing of yours needs it, then retry.");
        }
        int euid = LibC.geteuid();
        if (stat.uid() != euid) {
            throw foreign(path, stat.uid(), euid, role);
        }
    }

    static UntrustedFileException foreign(String path, int owner, int euid, String role) {
        return new UntrustedFileException(path, "is owned by uid " + owner + ", not by this process's user (uid "
                + euid + "), so it cannot be trusted as a " + role,
                "Ask its owner to remove it (or remove it as root), then retry.");
    }

    /**
     * The error for a failed {@code O_NOFOLLOW} open (ELOOP for a symbolic link, ENXIO for a
     * socket, EISDIR, ...), describing what is at the path.
     *
     * @return the exception to throw, or {@code null} when the failure has nothing to do with trust
     */
    static UntrustedFileException afterFailedOpen(String path, boolean directory, String role) {
        FileStat stat;
        try {
            stat = FileStat.ofLink(path);
        } catch (LastErrorException e) {
            return null;
        }
        if (stat == null) {
            return null;
        }
        try {
            check(stat, path, directory, role);
        } catch (UntrustedFileException e) {
            return e;
        }
        return null;
    }
}

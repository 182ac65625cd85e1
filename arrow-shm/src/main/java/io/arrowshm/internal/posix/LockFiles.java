package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import io.arrowshm.SharedMemoryIoException;
import io.arrowshm.UntrustedFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opening and checking lock files for {@link LockFile}. The directory must be this user's
 * own directory and is kept 0700; the file must be this user's regular file and is kept
 * 0600. pyshmem makes them 0755 and 0644 (its umask) and works the same with the tighter
 * modes, which stop another user from taking our flock through a read-only open.
 */
final class LockFiles {
    private static final String DIRECTORY_ROLE = "lock directory";
    private static final String FILE_ROLE = "lock file";
    private static final int DIRECTORY_MODE = 0700;
    private static final int FILE_MODE = 0600;
    /** Permission bits for group and others. */
    private static final int GROUP_OTHER = 077;
    private static final int STICKY = 01000;

    private LockFiles() {
    }

    /** An open lock file and the file it is. */
    record Opened(int fd, long device, long inode) {
    }

    /**
     * Opens (creating) the lock file with {@code O_NOFOLLOW}, relative to its checked directory
     * so that swapping the directory cannot redirect it.
     */
    static Opened open(Path path) {
        return open(path, true);
    }

    /**
     * {@link #open(Path)}, or with {@code create} false only a file that exists already: null
     * when there is none (a probe must not make a lock file nobody holds).
     */
    static Opened open(Path path, boolean create) {
        int directory = openDirectory(path.getParent());
        try {
            int fd;
            try {
                fd = LibC.openat(directory, path.getFileName().toString(), LibC.O_RDWR | (create ? LibC.O_CREAT : 0)
                        | LibC.O_APPEND | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, FILE_MODE);
            } catch (LastErrorException e) {
                if (!create && e.getErrorCode() == LibC.ENOENT) {
                    return null;
                }
                UntrustedFileException untrusted = Trust.afterFailedOpen(path.toString(), false, FILE_ROLE);
                throw untrusted != null ? untrusted
                        : new SharedMemoryIoException("open lock file", path.toString(), e.getErrorCode());
            }
            try {
                FileStat stat = FileStat.ofDescriptor(fd);
                Trust.check(stat, path.toString(), false, FILE_ROLE);
                Opened opened = new Opened(fd, stat.device(), stat.inode());
                if ((stat.mode() & GROUP_OTHER) != 0) {
                    LibC.fchmod(fd, FILE_MODE);
                }
                return opened;
            } catch (LastErrorException e) {
                closeQuietly(fd);
                throw new SharedMemoryIoException("secure lock file", path.toString(), e.getErrorCode());
            } catch (RuntimeException | Error e) {
                closeQuietly(fd);
                throw e;
            }
        } finally {
            closeQuietly(directory);
        }
    }

    /** Whether the open file still has a name ({@code st_nlink > 0}); a deleted one excludes nobody new. */
    static boolean linked(Opened file, String path) {
        try {
            return FileStat.ofDescriptor(file.fd()).linkCount() > 0;
        } catch (LastErrorException e) {
            throw new SharedMemoryIoException("inspect lock file", path, e.getErrorCode());
        }
    }

    static boolean tryFlock(int fd, String path) {
        int result = HotCalls.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB);
        if (result == 0) {
            return true;
        }
        if (result == -LibC.EAGAIN || result == -LibC.EINTR) {
            return false; // held elsewhere, or a signal: the caller's loop tries again
        }
        throw new SharedMemoryIoException("lock", path, -result);
    }

    static void unlockQuietly(int fd) {
        HotCalls.flock(fd, LibC.LOCK_UN); // a failure is of no interest: a retired file guards nothing any more
    }

    static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // the descriptor is gone either way
        }
    }

    /** Opens the directory (making it 0700 if absent), refuses a stranger's, and tightens our own. */
    private static int openDirectory(Path directory) {
        String name = directory.toString();
        for (int attempt = 0; ; attempt++) {
            int fd;
            try {
                fd = LibC.open(name, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.ENOENT && attempt < 3) {
                    makeDirectory(directory);
                    continue;
                }
                UntrustedFileException untrusted = Trust.afterFailedOpen(name, true, DIRECTORY_ROLE);
                throw untrusted != null ? untrusted
                        : new SharedMemoryIoException("open lock directory", name, e.getErrorCode());
            }
            try {
                FileStat stat = FileStat.ofDescriptor(fd);
                Trust.check(stat, name, true, DIRECTORY_ROLE);
                int mode = stat.mode();
                if ((mode & GROUP_OTHER) != 0) {
                    if ((mode & STICKY) != 0) {
                        // Made to be shared (like /tmp itself): not ours to close off.
                        throw new UntrustedFileException(name, "is a shared directory (mode "
                                + Integer.toOctalString(mode & 07777) + "), not a private " + DIRECTORY_ROLE,
                                "Set PYSHMEM_LOCK_DIR to a directory of your own.");
                    }
                    LibC.fchmod(fd, DIRECTORY_MODE);
                }
                return fd;
            } catch (LastErrorException e) {
                closeQuietly(fd);
                throw new SharedMemoryIoException("secure lock directory", name, e.getErrorCode());
            } catch (RuntimeException | Error e) {
                closeQuietly(fd);
                throw e;
            }
        }
    }

    private static void makeDirectory(Path directory) {
        Path parent = directory.getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the lock directory " + directory, e);
        }
        try {
            LibC.mkdir(directory.toString(), DIRECTORY_MODE);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != LibC.EEXIST) {
                throw new SharedMemoryIoException("create lock directory", directory.toString(), e.getErrorCode());
            }
        }
    }
}

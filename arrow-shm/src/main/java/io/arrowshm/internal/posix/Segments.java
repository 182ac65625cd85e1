package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import io.arrowshm.SharedMemoryFullException;
import io.arrowshm.SharedMemoryIoException;
import io.arrowshm.UntrustedFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * POSIX shared-memory objects as Linux exposes them: files under {@code /dev/shm}. Opening
 * the file directly is what glibc's {@code shm_open} does, without the extra library on
 * older glibc.
 *
 * <p>Anyone may create files in /dev/shm, so a segment name can hold a FIFO, a link or
 * another user's file. Segments are opened with {@code O_NOFOLLOW|O_NONBLOCK} (an open never
 * blocks, never follows a link) and must then be regular files owned by this user;
 * anything else is an {@link UntrustedFileException}.
 */
public final class Segments {
    /** Where Linux keeps POSIX shared-memory objects. */
    public static final Path SHM_DIR = Path.of("/dev/shm");
    /** pyshmem (through CPython) creates segments with mode 0600, before the umask. */
    private static final int SEGMENT_MODE = 0600;
    private static final String ROLE = "shared-memory segment";
    /** Every open: no blocking on a FIFO, no following a link, no leaking into children. */
    private static final int SAFE = LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC;

    private Segments() {
    }

    public static Path path(String segment) {
        return SHM_DIR.resolve(segment);
    }

    /** Whether the segment exists (for error messages and discovery). */
    public static boolean exists(String segment) {
        return Files.exists(path(segment));
    }

    /**
     * Creates the segment exclusively, reserves {@code size} zero-filled bytes with
     * {@code posix_fallocate} (so a full /dev/shm fails here rather than with SIGBUS on a later
     * store), and maps it read-write.
     *
     * @throws SegmentExistsException when the name is taken
     * @throws SharedMemoryFullException when /dev/shm cannot hold {@code size} bytes
     */
    public static Mapping create(String segment, long size) {
        String file = path(segment).toString();
        int fd;
        try {
            fd = LibC.open(file, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | SAFE, SEGMENT_MODE);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EEXIST) {
                throw new SegmentExistsException(file);
            }
            throw failure("create", file, e);
        }
        boolean mapped = false;
        try {
            FileStat stat = FileStat.ofDescriptor(fd);
            long device = stat.device();
            long inode = stat.inode();
            reserve(fd, file, size);
            Mapping mapping = map(fd, file, size, true, device, inode);
            mapped = true;
            return mapping;
        } catch (LastErrorException e) {
            throw failure("inspect", file, e);
        } finally {
            closeQuietly(fd);
            if (!mapped) {
                deleteQuietly(segment);
            }
        }
    }

    /**
     * Maps an existing segment whole, read-write or read-only.
     *
     * @return {@code null} when the segment does not exist
     * @throws UntrustedFileException when the name holds anything but a regular file of this user
     */
    public static Mapping open(String segment, boolean writable) {
        String file = path(segment).toString();
        int fd;
        try {
            fd = LibC.open(file, (writable ? LibC.O_RDWR : LibC.O_RDONLY) | SAFE, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOENT) {
                return null;
            }
            UntrustedFileException untrusted = Trust.afterFailedOpen(file, false, ROLE);
            throw untrusted != null ? untrusted : failure("open", file, e);
        }
        try {
            FileStat stat = FileStat.ofDescriptor(fd);
            Trust.check(stat, file, false, ROLE);
            long device = stat.device();
            long inode = stat.inode();
            long size = LibC.lseek(fd, 0, LibC.SEEK_END);
            if (size == 0) {
                // mmap rejects a zero length; an empty segment is a valid (if useless) file.
                return new Mapping(0, 0, writable, device, inode);
            }
            return map(fd, file, size, writable, device, inode);
        } catch (LastErrorException e) {
            throw failure("size", file, e);
        } finally {
            closeQuietly(fd);
        }
    }

    /**
     * Whether {@code /dev/shm/<segment>} names, right now, the file {@code mapping} maps (not
     * following links). False once the segment is unlinked or replaced by another generation.
     */
    public static boolean stillNames(String segment, Mapping mapping) {
        FileStat stat = FileStat.ofLink(path(segment).toString());
        return stat != null && stat.isRegularFile() && stat.isSameFile(mapping.device(), mapping.inode());
    }

    /**
     * Removes the segment's name; mappings already made stay valid. Absent is fine.
     *
     * @throws UntrustedFileException when the name holds something that is not this user's
     *     segment, which is left alone: removing it is not ours to decide
     */
    public static void delete(String segment) {
        Path path = path(segment);
        FileStat stat = FileStat.ofLink(path.toString());
        if (stat == null) {
            return;
        }
        Trust.check(stat, path.toString(), false, ROLE);
        try {
            Files.deleteIfExists(path);
        } catch (NoSuchFileException e) {
            // removed concurrently: the goal is reached
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove shared-memory segment " + path, e);
        }
    }

    /**
     * Removes each segment in order, skipping past any that is not ours, then reports the
     * first such one: a stream's own files go even when a stranger's file sits beside them.
     */
    public static void deleteAll(String... segments) {
        UntrustedFileException first = null;
        for (String segment : segments) {
            try {
                delete(segment);
            } catch (UntrustedFileException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    static void deleteQuietly(String segment) {
        try {
            delete(segment);
        } catch (UncheckedIOException | UntrustedFileException ignored) {
            // best effort while already failing
        }
    }

    private static void reserve(int fd, String file, long size) {
        int error = LibC.posix_fallocate(fd, 0, size);
        if (error == 0) {
            return;
        }
        if (error == LibC.ENOSPC) {
            throw new SharedMemoryFullException(file, size);
        }
        if (error != LibC.EOPNOTSUPP) {
            throw new SharedMemoryIoException("reserve " + size + " bytes for", file, error);
        }
        try {
            LibC.ftruncate(fd, size);
        } catch (LastErrorException e) {
            throw failure("size", file, e);
        }
    }

    private static Mapping map(int fd, String file, long size, boolean writable, long device, long inode) {
        int prot = writable ? LibC.PROT_READ | LibC.PROT_WRITE : LibC.PROT_READ;
        try {
            long address = LibC.mmap(0, size, prot, LibC.MAP_SHARED, fd, 0);
            return new Mapping(address, size, writable, device, inode);
        } catch (LastErrorException e) {
            throw failure("map", file, e);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // close(2) errors on a shm fd carry no information we can act on
        }
    }

    private static SharedMemoryIoException failure(String action, String file, LastErrorException e) {
        return new SharedMemoryIoException(action, file, e.getErrorCode());
    }
}

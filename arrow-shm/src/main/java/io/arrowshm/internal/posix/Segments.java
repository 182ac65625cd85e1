package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import io.arrowshm.SharedMemoryFullException;
import io.arrowshm.SharedMemoryIoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * POSIX shared-memory objects as Linux exposes them: files under {@code /dev/shm}. Opening
 * the file directly is what glibc's {@code shm_open} does, without the extra library on
 * older glibc.
 */
public final class Segments {
    /** Where Linux keeps POSIX shared-memory objects. */
    public static final Path SHM_DIR = Path.of("/dev/shm");
    /** pyshmem (through CPython) creates segments with mode 0600, before the umask. */
    private static final int SEGMENT_MODE = 0600;

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
            fd = LibC.open(file, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, SEGMENT_MODE);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EEXIST) {
                throw new SegmentExistsException(file);
            }
            throw failure("create", file, e);
        }
        boolean mapped = false;
        try {
            reserve(fd, file, size);
            Mapping mapping = map(fd, file, size, true);
            mapped = true;
            return mapping;
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
     */
    public static Mapping open(String segment, boolean writable) {
        String file = path(segment).toString();
        int fd;
        try {
            fd = LibC.open(file, (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOENT) {
                return null;
            }
            throw failure("open", file, e);
        }
        try {
            long size = LibC.lseek(fd, 0, LibC.SEEK_END);
            if (size == 0) {
                // mmap rejects a zero length; an empty segment is a valid (if useless) file.
                return new Mapping(0, 0, writable);
            }
            return map(fd, file, size, writable);
        } catch (LastErrorException e) {
            throw failure("size", file, e);
        } finally {
            closeQuietly(fd);
        }
    }

    /** Removes the segment's name; mappings already made stay valid. Absent is fine. */
    public static void delete(String segment) {
        try {
            Files.deleteIfExists(path(segment));
        } catch (NoSuchFileException e) {
            // removed concurrently: the goal is reached
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove shared-memory segment " + path(segment), e);
        }
    }

    static void deleteQuietly(String segment) {
        try {
            delete(segment);
        } catch (UncheckedIOException ignored) {
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

    private static Mapping map(int fd, String file, long size, boolean writable) {
        int prot = writable ? LibC.PROT_READ | LibC.PROT_WRITE : LibC.PROT_READ;
        try {
            long address = LibC.mmap(0, size, prot, LibC.MAP_SHARED, fd, 0);
            return new Mapping(address, size, writable);
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

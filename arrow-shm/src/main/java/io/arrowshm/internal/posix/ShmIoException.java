package io.arrowshm.internal.posix;

import io.arrowshm.SharedMemoryException;

/** A system call on a shared-memory file or lock file failed; the message names the file and errno. */
public class ShmIoException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ShmIoException(String action, String file, int errno) {
        super("cannot " + action + " " + file + ": " + LibC.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    ShmIoException(String message) {
        super(message);
        this.errno = 0;
    }

    public int errno() {
        return errno;
    }
}

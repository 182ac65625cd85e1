package io.arrowshm;

import io.arrowshm.internal.posix.LibC;

/**
 * A system call on a shared-memory segment or lock file failed. The message names the file
 * and the error; {@link #errno()} gives the error number for code that wants to branch on it.
 *
 * <pre>{@code
 * try {
 *     SharedMemory.create("frames", DType.UINT8, 1 << 20);
 * } catch (SharedMemoryIoException e) {
 *     if (e.errno() == 24) {   // EMFILE: raise `ulimit -n`
 *         ...
 *     }
 * }
 * }</pre>
 */
public class SharedMemoryIoException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public SharedMemoryIoException(String action, String file, int errno) {
        super("cannot " + action + " " + file + ": " + LibC.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** For subclasses whose message says more than the error number would. */
    protected SharedMemoryIoException(String message) {
        super(message);
        this.errno = 0;
    }

    /** The {@code errno} of the failed call, or 0 when the failure was not a single system call. */
    public int errno() {
        return errno;
    }
}

package io.arrowshm;

/**
 * /dev/shm has no room for a new segment. Reported by {@code create}, never as a later
 * SIGBUS: the space is reserved up front.
 *
 * <pre>{@code
 * try {
 *     SharedMemory.create("frames", DType.FLOAT32, 1 << 30);
 * } catch (SharedMemoryFullException e) {
 *     SharedMemory.purge();   // or unlink streams you no longer need
 * }
 * }</pre>
 */
public final class SharedMemoryFullException extends SharedMemoryIoException {
    private static final long serialVersionUID = 1L;

    public SharedMemoryFullException(String file, long size) {
        super("cannot reserve " + size + " bytes for " + file
                + ": /dev/shm is full (free space with `arrow-shm purge` or unlink unused streams,"
                + " or enlarge /dev/shm)");
    }
}

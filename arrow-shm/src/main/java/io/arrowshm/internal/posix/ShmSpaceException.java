package io.arrowshm.internal.posix;

/** /dev/shm has no room for a new segment: reported at create, never as a later SIGBUS. */
public final class ShmSpaceException extends ShmIoException {
    private static final long serialVersionUID = 1L;

    public ShmSpaceException(String file, long size) {
        super("cannot reserve " + size + " bytes for " + file
                + ": /dev/shm is full (free space with `arrow-shm purge` or unlink unused streams,"
                + " or enlarge /dev/shm)");
    }
}

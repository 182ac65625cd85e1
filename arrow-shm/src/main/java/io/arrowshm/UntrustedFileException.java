package io.arrowshm;

/**
 * A file arrow-shm would open (a segment in /dev/shm, the lock directory or a lock file) is
 * not one it can trust: a FIFO, device or directory where a regular file belongs, a symbolic
 * link, or a file owned by another user. Opening such a file could block forever, follow
 * the link somewhere else, or share a lock with a stranger, so arrow-shm refuses it. The
 * message names the path, what was found there and what to do; nothing was changed.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.open("frames")) {
 *     ...
 * } catch (UntrustedFileException e) {
 *     System.err.println(e.getMessage());   // "/dev/shm/ps_… is a FIFO, not …; remove it …"
 *     System.err.println(e.path());
 * }
 * }</pre>
 *
 * <p>Listing and purging streams skip such files silently: they are not streams.
 */
public class UntrustedFileException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;
    private final String path;

    /**
     * @param path the refused file
     * @param found what is there, as a sentence fragment: "is a FIFO, not a shared-memory segment"
     * @param remedy what to do, as a sentence: "Remove it (rm PATH) and retry."
     */
    public UntrustedFileException(String path, String found, String remedy) {
        super(path + " " + found + "; arrow-shm will not use it. " + remedy);
        this.path = path;
    }

    /** The refused file. */
    public String path() {
        return path;
    }
}

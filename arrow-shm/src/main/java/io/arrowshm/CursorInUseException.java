package io.arrowshm;

/**
 * A ring cursor is already attached by another reader (in this process or another): a cursor
 * is read by one reader at a time, so each frame reaches it exactly once. Pick another cursor
 * name for an independent reader, or wait for the other reader to close.
 *
 * <pre>{@code
 * try (RingReader r = ring.reader("trainer")) {
 *     ...
 * } catch (CursorInUseException e) {
 *     System.err.println("cursor held by pid " + e.pid());
 * }
 * }</pre>
 */
public class CursorInUseException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;
    private final long pid;

    public CursorInUseException(String message, long pid) {
        super(message);
        this.pid = pid;
    }

    /** The pid the cursor entry names as its reader (0 if it names none). */
    public long pid() {
        return pid;
    }
}

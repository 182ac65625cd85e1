package io.arrowshm;

/** A read-only handle was asked to write, lock, clear or unlink. */
public class ReadOnlyStreamException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public ReadOnlyStreamException(String message) {
        super(message);
    }
}

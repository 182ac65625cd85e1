package io.arrowshm;

/** The payload is not a complete publication: a write failed or its writer died mid-write. The next complete write repairs the stream. */
public class InconsistentStreamException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public InconsistentStreamException(String message) {
        super(message);
    }
}

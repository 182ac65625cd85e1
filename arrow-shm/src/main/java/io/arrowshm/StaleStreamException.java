package io.arrowshm;

/** A handle-level operation found that the name now holds a newer generation of the stream (another instance id). */
public class StaleStreamException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public StaleStreamException(String message) {
        super(message);
    }
}

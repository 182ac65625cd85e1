package io.arrowshm;

/**
 * The base of arrow-shm's unchecked exceptions. Every message names the stream (or file)
 * and says what to do about it.
 */
public class SharedMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SharedMemoryException(String message) {
        super(message);
    }

    public SharedMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.arrowshm;

import java.util.concurrent.TimeoutException;

/**
 * A wait passed its deadline: the write lock, a stable write, or a new publication. The
 * cause is a {@link TimeoutException} (or the interrupt that ended the wait).
 */
public class StreamTimeoutException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public StreamTimeoutException(String message, Throwable cause) {
        super(message, cause != null ? cause : new TimeoutException(message));
    }
}

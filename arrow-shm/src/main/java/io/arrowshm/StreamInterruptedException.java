package io.arrowshm;

/**
 * A blocking call (waiting for the write lock, a stable write or a new publication) ended
 * because its thread was interrupted. The thread's interrupt status is set again before this
 * is thrown, so code further up still sees the interrupt; the cause is the
 * {@link InterruptedException}.
 *
 * <pre>{@code
 * try {
 *     shm.readNew();
 * } catch (StreamInterruptedException e) {
 *     assert Thread.currentThread().isInterrupted();   // shut down
 * }
 * }</pre>
 */
public class StreamInterruptedException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public StreamInterruptedException(String message, InterruptedException cause) {
        super(message, cause);
    }

    /** Restores the interrupt status and returns the exception to throw. */
    public static StreamInterruptedException interrupted(String what) {
        Thread.currentThread().interrupt();
        return new StreamInterruptedException("interrupted while " + what, new InterruptedException(what));
    }
}

package io.arrowshm.tensors;

/**
 * An Arrow IPC input that cannot be replayed: not Arrow, truncated, without a
 * {@code arrow.fixed_shape_tensor} column, or not matching the stream it should go to. The
 * message is one line that names the file (and the stream) and says what is wrong.
 */
public class TensorFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TensorFileException(String message) {
        super(message);
    }

    public TensorFileException(String message, Throwable cause) {
        super(message, cause);
    }
}

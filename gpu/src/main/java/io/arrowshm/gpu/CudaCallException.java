package io.arrowshm.gpu;

import io.arrowshm.SharedMemoryException;

/** A CUDA driver call failed; the message names the call, its result code and what to do. */
public class CudaCallException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;
    private final int result;

    public CudaCallException(String message, int result) {
        super(message);
        this.result = result;
    }

    /** The {@code CUresult} the driver returned. */
    public int result() {
        return result;
    }
}

package io.arrowshm.gpu;

import io.arrowshm.SharedMemoryException;
import jcuda.driver.CUresult;

/** A CUDA driver call failed; the message names the call, its result code and what to do. */
public class CudaCallException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;
    private final int result;

    public CudaCallException(String message, int result) {
        super(message);
        this.result = result;
    }

    /** Throws for a driver call that did not return {@code CUDA_SUCCESS}, naming the call and the result. */
    static void requireSuccess(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaCallException(call + " failed with " + CUresult.stringFor(result)
                    + "; check that the producing process is alive and the device is visible here"
                    + " (CUDA_VISIBLE_DEVICES)", result);
        }
    }

    /** The {@code CUresult} the driver returned. */
    public int result() {
        return result;
    }
}

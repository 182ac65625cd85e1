package io.arrowshm.onnx;

/**
 * ONNX Runtime refused a call (its checked {@code OrtException} is the cause): a model input or
 * output that does not match, a failed kernel, a session that cannot run. Unchecked, so model
 * calls fit in the lambdas of {@code readZeroCopy}. The message names the tensors involved and
 * the memory they are over.
 */
public class InferenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}

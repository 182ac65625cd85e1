package io.arrowshm.onnx;

import ai.onnxruntime.OrtException;

/**
 * What {@link OnnxStreams#readZeroCopy} runs on a tensor: may throw ONNX Runtime's checked
 * {@code OrtException} (from {@code OnnxValue.getValue()}, say), which reaches the caller as
 * {@link InferenceException}.
 *
 * <pre>{@code
 * float[][] y = OnnxStreams.readZeroCopy(env, frames, x -> {
 *     try (OrtSession.Result r = runner.run(Map.of("frame", x))) {
 *         return (float[][]) r.get(0).getValue();   // getValue() throws OrtException
 *     }
 * });
 * }</pre>
 */
@FunctionalInterface
public interface TensorFunction<R> {
    R apply(LeasedTensor tensor) throws OrtException;
}

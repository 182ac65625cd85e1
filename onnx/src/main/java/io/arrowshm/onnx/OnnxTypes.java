package io.arrowshm.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import io.arrowshm.DType;
import java.util.Arrays;
import java.util.Map;

/**
 * The ONNX element type for each stream dtype, and the checks that a model's input or output
 * fits a stream. ONNX Runtime's Java API has no unsigned 16/32/64-bit or complex tensors, so
 * those dtypes are refused rather than wrapped under a type of the same width.
 *
 * <pre>{@code
 * OnnxJavaType t = OnnxTypes.javaType(DType.FLOAT32);   // OnnxJavaType.FLOAT
 * }</pre>
 */
public final class OnnxTypes {
    private OnnxTypes() {
    }

    /**
     * The ONNX Runtime type that holds {@code dtype}'s elements bit for bit.
     *
     * @throws UnsupportedOperationException for uint16, uint32, uint64, complex64 and complex128
     */
    public static OnnxJavaType javaType(DType dtype) {
        switch (dtype) {
            case INT8: return OnnxJavaType.INT8;
            case INT16: return OnnxJavaType.INT16;
            case INT32: return OnnxJavaType.INT32;
            case INT64: return OnnxJavaType.INT64;
            case UINT8: return OnnxJavaType.UINT8;
            case FLOAT16: return OnnxJavaType.FLOAT16;
            case FLOAT32: return OnnxJavaType.FLOAT;
            case FLOAT64: return OnnxJavaType.DOUBLE;
            case BOOL: return OnnxJavaType.BOOL;
            default:
                throw new UnsupportedOperationException("ONNX Runtime's Java API has no " + dtype.numpyName()
                        + " tensor; publish the frame as a dtype it has (int8-64, uint8, float16/32/64, bool)");
        }
    }

    /**
     * Fails unless the model's {@code kind} (input or output) {@code name} exists and is a tensor
     * of {@code dtype} whose shape matches {@code shape} (a dimension the model leaves free, -1 or
     * named, matches any size).
     */
    static void requireFits(Map<String, NodeInfo> nodes, String kind, String name, DType dtype, long[] shape,
                            String stream) {
        NodeInfo node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("the model has no " + kind + " '" + name + "' (its " + kind + "s: "
                    + nodes.keySet() + ")");
        }
        if (!(node.getInfo() instanceof TensorInfo info)) {
            throw new IllegalArgumentException("the model's " + kind + " '" + name + "' is not a tensor but "
                    + node.getInfo() + "; only tensors can live in " + stream);
        }
        TensorInfo.OnnxTensorType wanted = TensorInfo.OnnxTensorType.mapFromJavaType(javaType(dtype));
        if (info.onnxType != wanted) {
            throw new IllegalArgumentException("the model's " + kind + " '" + name + "' holds " + info.onnxType
                    + " but " + stream + " holds " + dtype.numpyName() + " (" + wanted + "); create the stream with the"
                    + " model's type, or cast inside the model");
        }
        long[] modelShape = info.getShape();
        boolean fits = modelShape.length == shape.length;
        for (int i = 0; fits && i < shape.length; i++) {
            fits = modelShape[i] < 0 || modelShape[i] == shape[i];
        }
        if (!fits) {
            throw new IllegalArgumentException("the model's " + kind + " '" + name + "' has shape "
                    + Arrays.toString(modelShape) + " (-1: any size) but " + stream + " has shape "
                    + Arrays.toString(shape) + "; create the stream with the model's shape");
        }
    }
}

package io.arrowshm.tensors;

import io.arrowshm.DType;
import java.util.Arrays;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * How a stream's dtype and shape map to a tensor column's value type and shape, both ways.
 *
 * <ul>
 * <li>float16/32/64, int8–64 and uint8–64 map to the Arrow type of the same width and
 * signedness: bytes are identical, nothing is converted.</li>
 * <li>bool maps to Arrow {@code bool}, which packs 8 values per byte: recording packs and
 * replay unpacks (a conversion, not a copy of the bytes). pyarrow's {@code to_numpy_ndarray()}
 * refuses bool tensors; read them with {@code storage.flatten().to_numpy(zero_copy_only=False)}.</li>
 * <li>complex64/complex128 have no Arrow type: they map to float32/float64 with one more,
 * trailing dimension of 2 (real, imaginary), which is their exact memory layout, and the
 * schema metadata {@code arrow_shm.dtype} says "complex64"/"complex128" so that replay
 * restores the complex stream. In NumPy, {@code a.view(np.complex64)[..., 0]} gives it back.</li>
 * </ul>
 *
 * <pre>{@code
 * ArrowType value = ArrowTensorTypes.valueType(DType.COMPLEX64);          // float32
 * long[] shape = ArrowTensorTypes.tensorShape(DType.COMPLEX64, 4, 4);     // [4, 4, 2]
 * }</pre>
 */
public final class ArrowTensorTypes {
    private ArrowTensorTypes() {
    }

    /** A stream's dtype and C-order shape. */
    public record StreamLayout(DType dtype, long[] shape) {
        @Override
        public String toString() {
            return dtype.numpyName() + " " + Arrays.toString(shape);
        }
    }

    /** The Arrow value type of a tensor column holding {@code dtype} elements. */
    public static ArrowType valueType(DType dtype) {
        switch (dtype) {
            case INT8: return new ArrowType.Int(8, true);
            case INT16: return new ArrowType.Int(16, true);
            case INT32: return new ArrowType.Int(32, true);
            case INT64: return new ArrowType.Int(64, true);
            case UINT8: return new ArrowType.Int(8, false);
            case UINT16: return new ArrowType.Int(16, false);
            case UINT32: return new ArrowType.Int(32, false);
            case UINT64: return new ArrowType.Int(64, false);
            case FLOAT16: return new ArrowType.FloatingPoint(FloatingPointPrecision.HALF);
            case FLOAT32:
            case COMPLEX64: return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case FLOAT64:
            case COMPLEX128: return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case BOOL: return ArrowType.Bool.INSTANCE;
            default: throw new IllegalArgumentException("no Arrow type for " + dtype);
        }
    }

    /** The tensor shape for a stream of {@code dtype} and {@code shape} (complex: one more dimension, 2). */
    public static long[] tensorShape(DType dtype, long... shape) {
        if (dtype == DType.COMPLEX64 || dtype == DType.COMPLEX128) {
            long[] withPair = Arrays.copyOf(shape, shape.length + 1);
            withPair[shape.length] = 2;
            return withPair;
        }
        return shape.clone();
    }

    /**
     * The stream that holds rows of a tensor column: value type and physical shape, with the
     * recorded dtype when the file names one (our recordings do; it tells complex from float pairs).
     *
     * @throws IllegalArgumentException for a value type no stream dtype holds, or a dtype hint that does not fit
     */
    public static StreamLayout streamLayout(ArrowType valueType, long[] physicalShape, String dtypeHint) {
        DType plain = dtypeOf(valueType);
        if (dtypeHint == null || dtypeHint.equals(plain.numpyName())) {
            return new StreamLayout(plain, physicalShape.clone());
        }
        DType hinted = DType.fromNumpyName(dtypeHint);
        boolean pairs = physicalShape.length > 0 && physicalShape[physicalShape.length - 1] == 2;
        if ((hinted == DType.COMPLEX64 && plain == DType.FLOAT32 || hinted == DType.COMPLEX128 && plain == DType.FLOAT64)
                && pairs) {
            return new StreamLayout(hinted, Arrays.copyOf(physicalShape, physicalShape.length - 1));
        }
        throw new IllegalArgumentException("the schema says dtype " + dtypeHint + " but the tensor column holds "
                + valueType + " values of shape " + Arrays.toString(physicalShape));
    }

    /** The stream dtype of an Arrow value type. */
    public static DType dtypeOf(ArrowType valueType) {
        if (valueType instanceof ArrowType.Int) {
            ArrowType.Int integer = (ArrowType.Int) valueType;
            switch (integer.getBitWidth()) {
                case 8: return integer.getIsSigned() ? DType.INT8 : DType.UINT8;
                case 16: return integer.getIsSigned() ? DType.INT16 : DType.UINT16;
                case 32: return integer.getIsSigned() ? DType.INT32 : DType.UINT32;
                case 64: return integer.getIsSigned() ? DType.INT64 : DType.UINT64;
                default: break;
            }
        } else if (valueType instanceof ArrowType.FloatingPoint) {
            switch (((ArrowType.FloatingPoint) valueType).getPrecision()) {
                case HALF: return DType.FLOAT16;
                case SINGLE: return DType.FLOAT32;
                case DOUBLE: return DType.FLOAT64;
                default: break;
            }
        } else if (valueType instanceof ArrowType.Bool) {
            return DType.BOOL;
        }
        throw new IllegalArgumentException("tensor values of type " + valueType + " have no stream dtype"
                + " (supported: int8..int64, uint8..uint64, float16/32/64, bool)");
    }

    /** Bytes per element of a fixed-width value type. */
    static int byteWidth(ArrowType valueType) {
        DType dtype = dtypeOf(valueType);
        if (dtype == DType.BOOL) {
            throw new IllegalArgumentException("bool values are bit-packed: no byte width");
        }
        return dtype.itemSize();
    }
}

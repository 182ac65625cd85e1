package io.arrowshm.nd4j;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The ND4J data type for each stream dtype. Every pyshmem dtype has an ND4J twin with the
 * same width and bit layout except the complex ones, for which ND4J has no type.
 *
 * <pre>{@code
 * DataType t = Nd4jTypes.dataType(DType.UINT16);   // DataType.UINT16
 * }</pre>
 */
public final class Nd4jTypes {
    private Nd4jTypes() {
    }

    /**
     * The ND4J type that holds {@code dtype}'s elements bit for bit.
     *
     * @throws UnsupportedOperationException for complex64 and complex128
     */
    public static DataType dataType(DType dtype) {
        switch (dtype) {
            case INT8: return DataType.INT8;
            case INT16: return DataType.INT16;
            case INT32: return DataType.INT32;
            case INT64: return DataType.INT64;
            case UINT8: return DataType.UINT8;
            case UINT16: return DataType.UINT16;
            case UINT32: return DataType.UINT32;
            case UINT64: return DataType.UINT64;
            case FLOAT16: return DataType.FLOAT16;
            case FLOAT32: return DataType.FLOAT;
            case FLOAT64: return DataType.DOUBLE;
            case BOOL: return DataType.BOOL;
            default:
                throw new UnsupportedOperationException("ND4J has no " + dtype.numpyName() + " type");
        }
    }

    /** {@link #dataType(DType)} of the stream, with an error that names it and says what to use instead. */
    static DataType dataType(SharedMemory shm) {
        try {
            return dataType(shm.dtype());
        } catch (UnsupportedOperationException e) {
            throw new UnsupportedOperationException("stream '" + shm.name() + "' holds " + shm.dtype().numpyName()
                    + ", which ND4J has no type for; read it with SharedMemory.readInto("
                    + shm.dtype().javaArrayType().getSimpleName() + ") (interleaved real, imaginary) instead", e);
        }
    }
}

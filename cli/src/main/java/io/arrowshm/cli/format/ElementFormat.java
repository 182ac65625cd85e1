package io.arrowshm.cli.format;

import io.arrowshm.DType;
import org.apache.arrow.memory.ArrowBuf;

/**
 * How one element prints, as one of NumPy's per-dtype formatters; built from the elements
 * an array actually shows, so that they line up in columns.
 */
interface ElementFormat {
    /** The text of the element at {@code flatIndex} (C order) of the payload. */
    String format(long flatIndex);

    /**
     * The formatter NumPy would pick for {@code dtype}, sized for the elements at
     * {@code shown} (flat indices).
     */
    static ElementFormat of(ArrowBuf data, DType dtype, long[] shown) {
        switch (dtype) {
            case BOOL:
                return index -> data.getByte(index) != 0 ? " True" : "False";
            case INT8:
            case INT16:
            case INT32:
            case INT64:
            case UINT8:
            case UINT16:
            case UINT32:
            case UINT64:
                return new IntegerFormat(data, dtype, shown);
            case FLOAT16:
            case FLOAT32:
            case FLOAT64:
                return RealFormat.of(data, BinaryFloat.of(dtype), shown);
            case COMPLEX64:
            case COMPLEX128:
                return ComplexFormat.of(data, BinaryFloat.of(dtype), shown);
            default:
                throw new IllegalArgumentException("no format for " + dtype);
        }
    }
}

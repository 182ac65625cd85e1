package io.arrowshm.cli.format;

import io.arrowshm.DType;
import org.apache.arrow.memory.ArrowBuf;

/** NumPy's {@code IntegerFormat}: decimal, right-aligned to the widest shown value. */
final class IntegerFormat implements ElementFormat {
    private final ArrowBuf data;
    private final DType dtype;
    private final int width;

    IntegerFormat(ArrowBuf data, DType dtype, long[] shown) {
        this.data = data;
        this.dtype = dtype;
        int widest = 0;
        for (long index : shown) {
            widest = Math.max(widest, text(index).length());
        }
        this.width = widest;
    }

    @Override
    public String format(long flatIndex) {
        return Text.padLeft(text(flatIndex), width);
    }

    private String text(long index) {
        long offset = index * dtype.itemSize();
        switch (dtype) {
            case INT8:
                return Byte.toString(data.getByte(offset));
            case UINT8:
                return Integer.toString(data.getByte(offset) & 0xFF);
            case INT16:
                return Short.toString(data.getShort(offset));
            case UINT16:
                return Integer.toString(data.getShort(offset) & 0xFFFF);
            case INT32:
                return Integer.toString(data.getInt(offset));
            case UINT32:
                return Integer.toUnsignedString(data.getInt(offset));
            case INT64:
                return Long.toString(data.getLong(offset));
            case UINT64:
                return Long.toUnsignedString(data.getLong(offset));
            default:
                throw new IllegalArgumentException(dtype + " is not an integer dtype");
        }
    }
}

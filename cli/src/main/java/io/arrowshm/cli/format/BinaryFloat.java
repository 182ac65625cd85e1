package io.arrowshm.cli.format;

import io.arrowshm.DType;
import org.apache.arrow.memory.ArrowBuf;

/**
 * The three IEEE binary formats a stream can hold. Values travel as {@code double} (which
 * holds every binary16 and binary32 value exactly); the format decides which neighbours a
 * value has, hence how many digits print it uniquely, and at which precision NumPy compares
 * the values when it picks scientific notation.
 */
enum BinaryFloat {
    HALF(2, 1e3) {
        @Override
        double read(ArrowBuf data, long offset) {
            return Half.toDouble(data.getShort(offset));
        }

        @Override
        double round(double value) {
            return Half.toDouble(Half.fromDouble(value));
        }

        @Override
        double nextUp(double value) {
            return Half.toDouble(Half.nextUp(Half.fromDouble(value)));
        }

        @Override
        double nextDown(double value) {
            return Half.toDouble(Half.nextDown(Half.fromDouble(value)));
        }

        @Override
        boolean evenSignificand(double value) {
            return (Half.fromDouble(value) & 1) == 0;
        }
    },
    SINGLE(4, 1e6) {
        @Override
        double read(ArrowBuf data, long offset) {
            return data.getFloat(offset);
        }

        @Override
        double round(double value) {
            return (float) value;
        }

        @Override
        double nextUp(double value) {
            return Math.nextUp((float) value);
        }

        @Override
        double nextDown(double value) {
            return Math.nextDown((float) value);
        }

        @Override
        boolean evenSignificand(double value) {
            return (Float.floatToRawIntBits((float) value) & 1) == 0;
        }
    },
    DOUBLE(8, 1e8) {
        @Override
        double read(ArrowBuf data, long offset) {
            return data.getDouble(offset);
        }

        @Override
        double round(double value) {
            return value;
        }

        @Override
        double nextUp(double value) {
            return Math.nextUp(value);
        }

        @Override
        double nextDown(double value) {
            return Math.nextDown(value);
        }

        @Override
        boolean evenSignificand(double value) {
            return (Double.doubleToRawLongBits(value) & 1) == 0;
        }
    };

    private final int width;
    private final double scientificFrom;

    BinaryFloat(int width, double scientificFrom) {
        this.width = width;
        this.scientificFrom = scientificFrom;
    }

    /** Bytes per value. */
    int width() {
        return width;
    }

    /**
     * The magnitude from which NumPy 2 prints this format in scientific notation:
     * {@code 10 ** min(8, finfo(dtype).precision)}, so 1e3 for float16 and 1e6 for float32,
     * whose digits would otherwise print as noise.
     */
    double scientificFrom() {
        return scientificFrom;
    }

    /** The value stored at {@code offset} (little-endian, as Arrow reads it on the supported platforms). */
    abstract double read(ArrowBuf data, long offset);

    /** {@code value} rounded to this format, as NumPy's arithmetic in this dtype would round it. */
    abstract double round(double value);

    /** The next larger value of this format (infinity past the largest finite one). */
    abstract double nextUp(double value);

    /** The next smaller value of this format. */
    abstract double nextDown(double value);

    /**
     * Whether the stored significand of {@code value} is even: then decimals exactly halfway
     * to a neighbour still read back as this value (round-half-even), so they may print it.
     */
    abstract boolean evenSignificand(double value);

    /** The format of a float dtype, or of each part of a complex one. */
    static BinaryFloat of(DType dtype) {
        switch (dtype) {
            case FLOAT16:
                return HALF;
            case FLOAT32:
            case COMPLEX64:
                return SINGLE;
            case FLOAT64:
            case COMPLEX128:
                return DOUBLE;
            default:
                throw new IllegalArgumentException(dtype.numpyName() + " is not a floating-point dtype");
        }
    }
}

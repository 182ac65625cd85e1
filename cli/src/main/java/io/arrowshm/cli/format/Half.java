package io.arrowshm.cli.format;

/**
 * IEEE binary16 (NumPy's float16) conversions. Java 17 has no {@code Float.float16ToFloat}
 * (it came in Java 20), so the bit layout is handled here: 1 sign bit, 5 exponent bits
 * (bias 15), 10 fraction bits.
 */
final class Half {
    private static final int SIGN = 0x8000;
    private static final int INFINITY = 0x7C00;

    private Half() {
    }

    /** The exact value of the binary16 {@code bits}. */
    static double toDouble(short bits) {
        int h = bits & 0xFFFF;
        double sign = (h & SIGN) != 0 ? -1.0 : 1.0;
        int exponent = (h >>> 10) & 0x1F;
        int fraction = h & 0x3FF;
        if (exponent == 0x1F) {
            return fraction == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (exponent == 0) {
            return sign * fraction * 0x1p-24; // subnormal: fraction * 2^-14 / 2^10
        }
        return sign * (1024 + fraction) * Math.scalb(1.0, exponent - 25);
    }

    /** {@code value} rounded to the nearest binary16 (ties to even), as bits. */
    static short fromDouble(double value) {
        if (Double.isNaN(value)) {
            return (short) 0x7E00;
        }
        int sign = (Double.doubleToRawLongBits(value) < 0) ? SIGN : 0;
        double magnitude = Math.abs(value);
        if (magnitude >= 65520.0) { // halfway between the largest half (65504) and 2^16 rounds up to infinity
            return (short) (sign | INFINITY);
        }
        // Scale so that one unit in the last place of the result is 1.0, then round to an integer.
        int exponent = magnitude < 0x1p-14 ? -14 : Math.getExponent(magnitude);
        double ulp = Math.scalb(1.0, exponent - 10);
        long units = (long) Math.rint(magnitude / ulp); // exact: a power-of-two division
        if (exponent == -14 && units < 1024) {
            return (short) (sign | (int) units); // subnormal (or zero)
        }
        if (units == 2048) { // rounding carried into the next binade
            units = 1024;
            exponent++;
        }
        return (short) (sign | ((exponent + 15) << 10) | (int) (units - 1024));
    }

    /** The next binary16 above {@code bits} (towards positive infinity). */
    static short nextUp(short bits) {
        int h = bits & 0xFFFF;
        if (h == INFINITY) {
            return bits;
        }
        if (h == SIGN) {
            return 1; // -0 -> smallest subnormal
        }
        return (short) ((h & SIGN) != 0 ? h - 1 : h + 1);
    }

    /** The next binary16 below {@code bits} (towards negative infinity). */
    static short nextDown(short bits) {
        int h = bits & 0xFFFF;
        if (h == (SIGN | INFINITY)) {
            return bits;
        }
        if (h == 0) {
            return (short) (SIGN | 1);
        }
        return (short) ((h & SIGN) != 0 ? h + 1 : h - 1);
    }
}

package io.arrowshm.tools;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The fewest decimal digits that still identify a float within its own binary format: what
 * Python's {@code repr} prints for a float64, and NumPy's Dragon4 in "unique" mode for every
 * float dtype (float16 0.1 prints as 0.1, not 0.0999755859375). The core's metadata messages
 * and the CLI's NumPy printer share it, so Java prints the digits Python does. JDK 17's
 * {@code Double.toString} is not always the shortest, hence this search.
 *
 * <p>Results are non-negative {@link BigDecimal}s without trailing zeros (the sign is the
 * caller's); only finite values are accepted.
 */
public final class ShortestDigits {
    private static final BigDecimal HALF = new BigDecimal("0.5");
    /** More than enough for binary64; the search stops far earlier for binary16 and binary32. */
    private static final int MAX_DIGITS = 17;

    private ShortestDigits() {
    }

    /** The shortest digits of a float64's magnitude: Python's {@code repr} digits. */
    public static BigDecimal of(double value) {
        double magnitude = Math.abs(value);
        return of(magnitude, Math.nextDown(magnitude), Math.nextUp(magnitude),
                (Double.doubleToRawLongBits(magnitude) & 1) == 0);
    }

    /**
     * The shortest decimal inside the rounding interval of {@code |value|} in a binary format
     * whose values a double holds exactly (float16, float32, float64), given that format's
     * neighbours of {@code |value|} ({@code above} may be infinite) and whether its stored
     * significand is even: then the interval's ends are included, as round-half-even parsing
     * reads them back as this value.
     *
     * <p>Like Dragon4, at the first length where the truncated or the rounded-up candidate falls
     * inside, it takes the one inside, or the nearer if both are (ties to the even digit); that
     * differs from "nearest, then check" just above powers of two, where the interval is lopsided.
     */
    public static BigDecimal of(double value, double below, double above, boolean evenSignificand) {
        double magnitude = Math.abs(value);
        if (magnitude == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal exact = new BigDecimal(magnitude);
        BigDecimal low = exact.add(new BigDecimal(below)).multiply(HALF);
        BigDecimal high = Double.isInfinite(above)
                ? exact.add(exact.subtract(new BigDecimal(below)).multiply(HALF))
                : exact.add(new BigDecimal(above)).multiply(HALF);
        // Whether some candidate of n digits fits only grows with n, so a binary search finds the least n.
        int lo = 1;
        int hi = MAX_DIGITS;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (pick(exact, mid, low, high, evenSignificand) != null) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        BigDecimal chosen = pick(exact, lo, low, high, evenSignificand);
        return (chosen != null ? chosen : exact.round(new MathContext(MAX_DIGITS, RoundingMode.HALF_EVEN)))
                .stripTrailingZeros();
    }

    /** The {@code digits}-digit candidate Dragon4 would stop at, or null when neither fits between low and high. */
    private static BigDecimal pick(BigDecimal exact, int digits, BigDecimal low, BigDecimal high, boolean inclusive) {
        BigDecimal down = exact.round(new MathContext(digits, RoundingMode.DOWN));
        BigDecimal up = exact.round(new MathContext(digits, RoundingMode.UP));
        int edge = inclusive ? 0 : 1;
        boolean downFits = down.compareTo(low) >= edge;
        boolean upFits = high.compareTo(up) >= edge;
        if (downFits && upFits) {
            return exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
        }
        return downFits ? down : upFits ? up : null;
    }
}

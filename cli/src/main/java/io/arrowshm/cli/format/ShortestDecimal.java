package io.arrowshm.cli.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The decimal digits NumPy prints for a float: Dragon4 in "unique" mode (the fewest digits
 * that still identify the value within its own format, so float16 0.1 prints as 0.1, not
 * 0.0999755859375), cut at a precision and rounded from the exact value past it.
 *
 * <p>Results are non-negative {@link BigDecimal}s without trailing zeros; callers handle the
 * sign. Only finite values are accepted.
 */
final class ShortestDecimal {
    private static final BigDecimal HALF = new BigDecimal("0.5");
    /** More than enough for binary64; the search stops far earlier for binary16 and binary32. */
    private static final int MAX_DIGITS = 17;

    private ShortestDecimal() {
    }

    /** Positional digits: unique, but at most {@code maxFraction} digits after the point. */
    static BigDecimal positional(double value, BinaryFloat format, int maxFraction) {
        BigDecimal unique = unique(value, format);
        if (unique.scale() <= maxFraction) {
            return unique;
        }
        return strip(exact(value).setScale(maxFraction, RoundingMode.HALF_EVEN));
    }

    /** Scientific digits: unique, but at most {@code maxFraction} digits after the leading one. */
    static BigDecimal scientific(double value, BinaryFloat format, int maxFraction) {
        BigDecimal unique = unique(value, format);
        if (unique.signum() == 0 || unique.precision() - 1 <= maxFraction) {
            return unique;
        }
        return strip(exact(value).round(new MathContext(maxFraction + 1, RoundingMode.HALF_EVEN)));
    }

    /**
     * The shortest decimal inside the rounding interval of {@code |value|} in {@code format}
     * (its ends included when the significand is even, as round-half-even parsing allows). Like Dragon4, at the first length where the truncated or the
     * rounded-up candidate falls inside, it takes the one inside, or the nearer if both are
     * (ties to the even digit); that differs from "nearest, then check" just above powers of
     * two, where the interval is lopsided.
     */
    static BigDecimal unique(double value, BinaryFloat format) {
        double magnitude = Math.abs(value);
        if (magnitude == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal exact = new BigDecimal(magnitude);
        double below = format.nextDown(magnitude);
        double above = format.nextUp(magnitude);
        BigDecimal low = exact.add(new BigDecimal(below)).multiply(HALF);
        BigDecimal high = Double.isInfinite(above)
                ? exact.add(exact.subtract(new BigDecimal(below)).multiply(HALF))
                : exact.add(new BigDecimal(above)).multiply(HALF);
        boolean inclusive = format.evenSignificand(magnitude);
        // Whether some candidate of n digits fits only grows with n, so a binary search finds the least n.
        int lo = 1;
        int hi = MAX_DIGITS;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (pick(exact, mid, low, high, inclusive) != null) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        BigDecimal chosen = pick(exact, lo, low, high, inclusive);
        return strip(chosen != null ? chosen : exact.round(new MathContext(MAX_DIGITS, RoundingMode.HALF_EVEN)));
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

    static BigDecimal exact(double value) {
        return new BigDecimal(Math.abs(value));
    }

    private static BigDecimal strip(BigDecimal value) {
        return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    }
}

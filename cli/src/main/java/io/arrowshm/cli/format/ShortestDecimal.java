package io.arrowshm.cli.format;

import io.arrowshm.tools.ShortestDigits;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The decimal digits NumPy prints for a float: Dragon4 in "unique" mode (the fewest digits
 * that still identify the value within its own format, so float16 0.1 prints as 0.1, not
 * 0.0999755859375), cut at a precision and rounded from the exact value past it. The unique
 * digits come from the core's {@link ShortestDigits}; the cuts are NumPy's, so they stay here.
 *
 * <p>Results are non-negative {@link BigDecimal}s without trailing zeros; callers handle the
 * sign. Only finite values are accepted.
 */
final class ShortestDecimal {
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
     * The shortest decimal that identifies {@code |value|} within {@code format}: the core's
     * {@link ShortestDigits}, given this format's neighbours, so float16 and float32 print their
     * own shortest digits and float64 prints Python's repr digits.
     */
    static BigDecimal unique(double value, BinaryFloat format) {
        double magnitude = Math.abs(value);
        return ShortestDigits.of(magnitude, format.nextDown(magnitude), format.nextUp(magnitude),
                format.evenSignificand(magnitude));
    }

    static BigDecimal exact(double value) {
        return new BigDecimal(Math.abs(value));
    }

    private static BigDecimal strip(BigDecimal value) {
        return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    }
}

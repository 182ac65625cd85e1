package io.arrowshm.cli.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * NumPy's {@code FloatingFormat} with its default print options (precision 8, floatmode
 * "maxprec", no suppression): one shared layout for all the values an array shows, chosen
 * from those values.
 *
 * <p>Scientific notation is used when the largest non-zero magnitude reaches 1e8 (1e6 for
 * float32, 1e3 for float16), the smallest is below 1e-4, or their ratio exceeds 1000, all
 * compared in the dtype's own precision, as NumPy does. Positional values keep their unique digits (at most eight after
 * the point) and are padded into columns; scientific ones all get as many mantissa digits as
 * the longest needs, and exponents of one width. NaN and infinities are right-aligned in the
 * same column width.
 */
final class FloatFormat {
    private static final int PRECISION = 8;

    private final BinaryFloat binary;
    /** Whether non-negative values get a '+' (the imaginary part of a complex). */
    private final boolean plusSign;
    private boolean scientific;
    private int precision = PRECISION;
    private int minDigits;
    private int padLeft;
    private int padRight;
    private int expSize = -1;

    FloatFormat(double[] values, BinaryFloat binary, boolean plusSign) {
        this.binary = binary;
        this.plusSign = plusSign;
        fill(values);
    }

    private void fill(double[] values) {
        double maxAbs = 0;
        double minAbs = Double.POSITIVE_INFINITY;
        int finite = 0;
        boolean nonFinite = false;
        boolean negativeInfinity = false;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                nonFinite = true;
                negativeInfinity |= v == Double.NEGATIVE_INFINITY;
                continue;
            }
            finite++;
            double a = Math.abs(v);
            if (a != 0) {
                maxAbs = Math.max(maxAbs, a);
                minAbs = Math.min(minAbs, a);
            }
        }
        if (maxAbs != 0) {
            scientific = maxAbs >= binary.round(binary.scientificFrom()) || minAbs < binary.round(1e-4)
                    || binary.round(maxAbs / minAbs) > binary.round(1000.0);
        }
        if (finite == 0) {
            padLeft = 0;
            padRight = 0;
        } else if (scientific) {
            int fraction = 0;
            int exponent = 0;
            int integer = 0;
            for (double v : values) {
                if (Double.isFinite(v)) {
                    Scientific s = scientificParts(v, PRECISION, 0);
                    fraction = Math.max(fraction, s.fraction.length());
                    exponent = Math.max(exponent, s.exponent.length() - 1);
                    integer = Math.max(integer, s.integer.length());
                }
            }
            precision = fraction;
            minDigits = fraction;
            expSize = exponent;
            padLeft = integer;
            padRight = expSize + 2 + precision;
        } else {
            for (double v : values) {
                if (Double.isFinite(v)) {
                    String[] parts = positionalParts(v);
                    padLeft = Math.max(padLeft, parts[0].length());
                    padRight = Math.max(padRight, parts[1].length());
                }
            }
        }
        if (nonFinite) {
            int inf = 3 + (plusSign || negativeInfinity ? 1 : 0);
            int offset = padRight + 1;
            padLeft = Math.max(padLeft, Math.max(3 - offset, inf - offset));
        }
    }

    /** One value in the shared layout. */
    String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            String text = Double.isNaN(v) ? (plusSign ? "+nan" : "nan")
                    : v < 0 ? "-inf" : plusSign ? "+inf" : "inf";
            return Text.padLeft(text, padLeft + padRight + 1);
        }
        if (scientific) {
            Scientific s = scientificParts(v, precision, minDigits);
            String exponentDigits = s.exponent.substring(1);
            String exponent = s.exponent.charAt(0) + "0".repeat(Math.max(0, Math.max(expSize, 2)
                    - exponentDigits.length())) + exponentDigits;
            return Text.padLeft(s.integer, padLeft) + "." + s.fraction + "e" + exponent;
        }
        String[] parts = positionalParts(v);
        return Text.padLeft(parts[0], padLeft) + "." + Text.padRight(parts[1], padRight);
    }

    /** Integer part (with sign) and fraction digits of the positional form. */
    private String[] positionalParts(double v) {
        BigDecimal digits = ShortestDecimal.positional(v, binary, precision);
        if (digits.scale() < minDigits) {
            digits = ShortestDecimal.exact(v).setScale(minDigits, RoundingMode.HALF_EVEN);
        }
        if (digits.scale() < 0) {
            digits = digits.setScale(0);
        }
        String plain = digits.toPlainString();
        int point = plain.indexOf('.');
        String integer = point < 0 ? plain : plain.substring(0, point);
        String fraction = point < 0 ? "" : plain.substring(point + 1);
        fraction = fraction + "0".repeat(Math.max(0, minDigits - fraction.length()));
        return new String[] {sign(v) + integer, fraction};
    }

    private Scientific scientificParts(double v, int maxFraction, int minFraction) {
        BigDecimal digits = ShortestDecimal.scientific(v, binary, maxFraction);
        if (digits.signum() != 0 && digits.precision() - 1 < minFraction) {
            // Like Dragon4's min_digits: the extra digits are the value's own, not zeros.
            digits = ShortestDecimal.exact(v).round(new MathContext(minFraction + 1, RoundingMode.HALF_EVEN));
        }
        String unscaled = digits.unscaledValue().toString();
        int exponent = digits.signum() == 0 ? 0 : unscaled.length() - 1 - digits.scale();
        String fraction = unscaled.substring(1);
        fraction = fraction + "0".repeat(Math.max(0, minFraction - fraction.length()));
        String exponentText = (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        return new Scientific(sign(v) + unscaled.charAt(0), fraction, exponentText);
    }

    private String sign(double v) {
        boolean negative = Double.doubleToRawLongBits(v) < 0; // -0.0 prints as "-0.", as in NumPy
        return negative ? "-" : plusSign ? "+" : "";
    }

    /** A scientific form split as NumPy splits it: "-1" "25" "+05" for -1.25e+05. */
    private static final class Scientific {
        final String integer;
        final String fraction;
        final String exponent;

        Scientific(String integer, String fraction, String exponent) {
            this.integer = integer;
            this.fraction = fraction;
            this.exponent = exponent;
        }
    }
}

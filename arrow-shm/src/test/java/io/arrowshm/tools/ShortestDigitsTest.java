package io.arrowshm.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Python's repr digits, taken from CPython 3 ({@code repr(x)}), at the edges where simpler rules go wrong. */
class ShortestDigitsTest {
    @Test
    void float64DigitsAreReprDigits() {
        assertEquals(new BigDecimal("0.1"), ShortestDigits.of(0.1));
        assertEquals(new BigDecimal("0.30000000000000004"), ShortestDigits.of(0.1 + 0.2));
        assertEquals(new BigDecimal("1E+23"), ShortestDigits.of(1e23));
        assertEquals(new BigDecimal("5E-324"), ShortestDigits.of(Double.MIN_VALUE));
        assertEquals(new BigDecimal("1.7976931348623157E+308"), ShortestDigits.of(-Double.MAX_VALUE));
        assertEquals(BigDecimal.ZERO, ShortestDigits.of(-0.0));
    }

    @Test
    void justAbovePowersOfTwoTheLopsidedIntervalDecides() {
        // repr(2.0**-1017): the nearest 16-digit decimal (...044e-307) reads back as another double.
        assertEquals(new BigDecimal("7.120236347223045E-307"), ShortestDigits.of(0x1p-1017));
        assertEquals(new BigDecimal("7.291122019556398E-304"), ShortestDigits.of(0x1p-1007));
    }

    @Test
    void narrowerFormatsGetTheirOwnShortestDigits() {
        float tenth = 0.1f;
        assertEquals(new BigDecimal("0.1"),
                ShortestDigits.of(tenth, Math.nextDown(tenth), Math.nextUp(tenth), (Float.floatToRawIntBits(tenth) & 1) == 0));
        // The same value seen as a float64 needs float64's digits: repr(float(np.float32(0.1))).
        assertEquals(new BigDecimal("0.10000000149011612"), ShortestDigits.of(tenth));
    }
}

package io.arrowshm.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** binary16 conversion and Dragon4's unique digits at the edges where simpler rules go wrong. */
class DigitsTest {
    @Test
    void halfBitsRoundTripThroughDouble() {
        for (int bits = 0; bits < 0x10000; bits++) {
            double value = Half.toDouble((short) bits);
            if (!Double.isNaN(value)) {
                assertEquals(bits, Half.fromDouble(value) & 0xFFFF, () -> Double.toString(value));
            }
        }
        assertEquals(65504.0, Half.toDouble((short) 0x7BFF));
        assertEquals(0x1p-24, Half.toDouble((short) 0x0001));
    }

    @Test
    void halfRoundsToNearestEven() {
        assertEquals(0x7BFF, Half.fromDouble(65519.0));
        assertEquals(0x7C00, Half.fromDouble(65520.0));
        assertEquals(Half.fromDouble(2048.0), Half.fromDouble(2049.0), "tie between 2048 and 2050 goes to even");
        assertEquals(Half.fromDouble(2052.0), Half.fromDouble(2051.0));
        assertEquals(0x0400, Half.fromDouble(0x1p-14), "smallest normal");
    }

    @Test
    void uniqueDigitsDependOnTheFormat() {
        assertEquals(new BigDecimal("0.1"), ShortestDecimal.unique(0.1, BinaryFloat.DOUBLE));
        assertEquals(new BigDecimal("0.1"), ShortestDecimal.unique((float) 0.1, BinaryFloat.SINGLE));
        assertEquals(new BigDecimal("0.1"), ShortestDecimal.unique(Half.toDouble((short) 0x2E66), BinaryFloat.HALF));
        assertEquals(new BigDecimal("0.1000000015"), ShortestDecimal.unique((float) 0.1, BinaryFloat.DOUBLE)
                .round(new java.math.MathContext(10)));
    }

    @Test
    void anEvenSignificandMayPrintAsTheHalfwayDecimal() {
        // float32 102720576 has neighbours 8 apart; 102720580 is exactly halfway and reads back as it (ties to even).
        assertEquals(new BigDecimal("1.0272058E+8"), ShortestDecimal.unique(102720576f, BinaryFloat.SINGLE));
    }

    @Test
    void cutoffRoundsTheExactValue() {
        assertEquals(new BigDecimal("0.33333333"), ShortestDecimal.positional(1.0 / 3, BinaryFloat.DOUBLE, 8));
        assertEquals(new BigDecimal("1.2345679E+9"), ShortestDecimal.scientific(1234567891.0, BinaryFloat.DOUBLE, 7));
    }
}

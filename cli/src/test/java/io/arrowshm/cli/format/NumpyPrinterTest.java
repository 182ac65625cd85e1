package io.arrowshm.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import java.util.stream.LongStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Expected texts are what NumPy 2.4 printed for the same arrays ({@code str(array)}); the
 * integration tests compare against a live NumPy too.
 */
class NumpyPrinterTest {
    private static BufferAllocator allocator;

    @BeforeAll
    static void open() {
        allocator = new RootAllocator();
    }

    @AfterAll
    static void close() {
        allocator.close();
    }

    @Test
    void float32ColumnsAlignOnThePoint() {
        assertEquals("[[0.  0.5 1. ]\n [1.5 2.  2.5]]", print(DType.FLOAT32, floats(0, 0.5f, 1, 1.5f, 2, 2.5f), 2, 3));
    }

    @Test
    void float16PrintsItsOwnShortestDigitsAndGoesScientificFromAThousand() {
        short[] halves = {0x2E66, 0x3E00, (short) 0xC000, 0x7BFF, 0x0001, 0, (short) 0x8000, 0x3555};
        assertEquals("[ 9.998e-02  1.500e+00 -2.000e+00  6.550e+04  5.960e-08  0.000e+00\n -0.000e+00  3.333e-01]",
                print(DType.FLOAT16, halves(halves), 8));
        assertEquals("[1.e+03 1.e+00]", print(DType.FLOAT16, halves((short) 0x63D0, (short) 0x3C00), 2));
    }

    @Test
    void float32GoesScientificFromAMillion() {
        assertEquals("[1.0e+06 2.5e+00]", print(DType.FLOAT32, floats(1e6f, 2.5f), 2));
    }

    @Test
    void boolBlocksAreSeparatedByBlankLines() {
        boolean[] values = new boolean[24];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 3 == 0;
        }
        byte[] bytes = new byte[24];
        for (int i = 0; i < 24; i++) {
            bytes[i] = (byte) (values[i] ? 1 : 0);
        }
        assertEquals("[[[ True False False  True]\n  [False False  True False]\n  [False  True False False]]\n\n"
                + " [[ True False False  True]\n  [False False  True False]\n  [False  True False False]]]",
                print(DType.BOOL, bytes, 2, 3, 4));
    }

    @Test
    void complexPartsHaveTheirOwnColumns() {
        assertEquals("[0.+0.5j 1.-1.j  2.+2.j ]", print(DType.COMPLEX64, floats(0, 0.5f, 1, -1, 2, 2), 3));
    }

    @Test
    void moreThanAThousandElementsAreSummarised() {
        assertEquals("[   0    1    2 ... 1997 1998 1999]",
                print(DType.INT64, longs(LongStream.range(0, 2000).toArray()), 2000));
    }

    @Test
    void nonFiniteValuesShareTheColumn() {
        assertEquals("[ nan  inf -inf  1.5]", print(DType.FLOAT64,
                doubles(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.5), 4));
        assertEquals("[1.0e-05 1.5e+10]", print(DType.FLOAT64, doubles(1e-5, 1.5e10), 2));
    }

    @Test
    void longRowsWrapAtSeventyFiveColumns() {
        double[] values = new double[20];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 1.1;
        }
        assertEquals("[ 0.   1.1  2.2  3.3  4.4  5.5  6.6  7.7  8.8  9.9 11.  12.1 13.2 14.3\n"
                + " 15.4 16.5 17.6 18.7 19.8 20.9]", print(DType.FLOAT64, doubles(values), 20));
    }

    @Test
    void unsignedSixtyFourBitValuesPrintUnsigned() {
        assertEquals("[                   0 18446744073709551615]", print(DType.UINT64, longs(0, -1), 2));
    }

    @Test
    void summariesNestWithOneBlankLinePerAxisLeft() {
        long[] values = LongStream.range(0, 7 * 7 * 7 * 3).map(i -> i % 10).toArray();
        String text = print(DType.INT64, longs(values), 7, 7, 7, 3);
        assertEquals("[[[[0 1 2]\n   [3 4 5]\n   [6 7 8]\n   ...\n   [2 3 4]\n   [5 6 7]\n   [8 9 0]]\n\n", text.substring(0,
                text.indexOf("  [[1 2 3]")));
        assertEquals(1, text.split("\n\n\n \\.\\.\\.\n\n\n", -1).length - 1, "one summary between the outermost blocks");
    }

    @Test
    void fullPrintsEverything() {
        String text;
        try (ArrowBuf buf = buffer(longs(LongStream.range(0, 2000).toArray()))) {
            text = NumpyPrinter.format(buf, DType.INT64, new long[] {2000}, true);
        }
        assertEquals(-1, text.indexOf("..."));
        assertEquals(2000, text.replace("[", " ").replace("]", " ").trim().split("\\s+").length);
    }

    private static String print(DType dtype, byte[] bytes, long... shape) {
        try (ArrowBuf buf = buffer(bytes)) {
            return NumpyPrinter.format(buf, dtype, shape, false);
        }
    }

    private static ArrowBuf buffer(byte[] bytes) {
        ArrowBuf buf = allocator.buffer(bytes.length);
        buf.setBytes(0, bytes);
        return buf;
    }

    private static byte[] floats(float... values) {
        java.nio.ByteBuffer out = little(values.length * 4);
        for (float v : values) {
            out.putFloat(v);
        }
        return out.array();
    }

    private static byte[] doubles(double... values) {
        java.nio.ByteBuffer out = little(values.length * 8);
        for (double v : values) {
            out.putDouble(v);
        }
        return out.array();
    }

    private static byte[] longs(long... values) {
        java.nio.ByteBuffer out = little(values.length * 8);
        for (long v : values) {
            out.putLong(v);
        }
        return out.array();
    }

    private static byte[] halves(short... bits) {
        java.nio.ByteBuffer out = little(bits.length * 2);
        for (short v : bits) {
            out.putShort(v);
        }
        return out.array();
    }

    private static java.nio.ByteBuffer little(int size) {
        return java.nio.ByteBuffer.allocate(size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }
}

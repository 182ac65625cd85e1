package io.arrowshm.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.iter.NdIndexIterator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element values as nd4j_peer.py prints them (C order; integers in decimal, floats as
 * Python's float.hex(), bools as 0/1), compared with what ND4J reads through an array's own
 * shape and strides. Exact: NaN matches NaN, -0.0 does not match 0.0.
 */
final class ElementTokens {
    private ElementTokens() {
    }

    static List<String> split(String line) {
        return Arrays.asList(line.trim().split(" "));
    }

    static void assertMatches(List<String> expected, INDArray actual) {
        assertEquals(expected.size(), actual.length(), "element count");
        NdIndexIterator indices = new NdIndexIterator('c', actual.shape());
        for (int i = 0; indices.hasNext(); i++) {
            long[] index = indices.next();
            String want = expected.get(i);
            String where = "element " + i + " " + Arrays.toString(index) + " of a " + actual.dataType() + " array";
            DataType type = actual.dataType();
            if (type.isFPType()) {
                assertFloat(want, actual.getDouble(index), where);
            } else if (type == DataType.BOOL) {
                assertEquals(want, actual.getDouble(index) != 0 ? "1" : "0", where);
            } else if (type == DataType.UINT64) {
                assertEquals(want, Long.toUnsignedString(actual.getLong(index)), where);
            } else {
                assertEquals(new BigInteger(want), BigInteger.valueOf(actual.getLong(index)), where);
            }
        }
    }

    private static void assertFloat(String want, double got, String where) {
        switch (want) {
            case "nan":
                assertTrue(Double.isNaN(got), where + ": expected NaN, got " + got);
                return;
            case "inf":
                assertEquals(Double.POSITIVE_INFINITY, got, where);
                return;
            case "-inf":
                assertEquals(Double.NEGATIVE_INFINITY, got, where);
                return;
            default:
                double value = Double.parseDouble(want);
                if (Double.doubleToLongBits(value) != Double.doubleToLongBits(got)) {
                    fail(where + ": expected " + value + " (" + want + "), got " + got);
                }
        }
    }
}

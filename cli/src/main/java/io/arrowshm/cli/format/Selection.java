package io.arrowshm.cli.format;

import java.util.Arrays;

/**
 * The elements a summarised print shows (NumPy's {@code _leading_trailing}): along each
 * axis longer than twice the edge count, the first and last {@code edgeItems}; every index
 * elsewhere.
 */
final class Selection {
    private Selection() {
    }

    /**
     * Flat C-order indices of the shown elements, ascending.
     *
     * @param edgeItems items kept at each end of a long axis, or negative to keep everything
     * @throws IllegalArgumentException past 2^31 - 8 shown elements
     */
    static long[] flatIndices(long[] shape, int edgeItems) {
        long[][] perAxis = new long[shape.length][];
        long count = 1;
        for (int axis = 0; axis < shape.length; axis++) {
            perAxis[axis] = axisIndices(shape[axis], edgeItems);
            count = Math.multiplyExact(count, perAxis[axis].length);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot print " + count + " elements of shape "
                    + Arrays.toString(shape) + " in full; write the raw bytes instead");
        }
        long[] flat = new long[(int) count];
        int[] position = new int[shape.length];
        for (int n = 0; n < flat.length; n++) {
            long index = 0;
            for (int axis = 0; axis < shape.length; axis++) {
                index = index * shape[axis] + perAxis[axis][position[axis]];
            }
            flat[n] = index;
            for (int axis = shape.length - 1; axis >= 0; axis--) { // odometer, last axis fastest
                if (++position[axis] < perAxis[axis].length) {
                    break;
                }
                position[axis] = 0;
            }
        }
        return flat;
    }

    private static long[] axisIndices(long length, int edgeItems) {
        if (edgeItems < 0 || length <= 2L * edgeItems) {
            if (length > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("cannot print an axis of " + length + " elements in full");
            }
            long[] all = new long[(int) length];
            Arrays.setAll(all, i -> i);
            return all;
        }
        long[] edges = new long[2 * edgeItems];
        for (int i = 0; i < edgeItems; i++) {
            edges[i] = i;
            edges[edgeItems + i] = length - edgeItems + i;
        }
        return edges;
    }
}

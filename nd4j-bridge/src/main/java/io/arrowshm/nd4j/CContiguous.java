package io.arrowshm.nd4j;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * The dense C-order layout a stream payload has. Arrays already laid out that way are used
 * as they are; views, F-order and strided arrays are copied into that layout first, since a
 * byte copy of them would scramble the elements.
 */
final class CContiguous {
    private CContiguous() {
    }

    /**
     * Whether {@code array}'s elements are exactly its whole buffer, in C order. A view into a
     * larger buffer counts as not dense even when its own elements are contiguous: its
     * buffer's address is the parent's, not the view's first element.
     */
    static boolean isDense(INDArray array) {
        return array.ordering() == 'c'
                && !array.isView()
                && array.length() == array.data().length()
                && Shape.hasDefaultStridesForShape(array);
    }

    /** {@code array} itself when dense, else a dense C-order copy. */
    static INDArray of(INDArray array) {
        return isDense(array) ? array : array.dup('c');
    }
}

package io.arrowshm.nd4j;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.ArrowBuf;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * C-order INDArrays over shared memory that an Arrow reference keeps mapped: the array's data
 * buffer is the memory itself (no copy), and the reference is given back when that buffer
 * becomes unreachable. Streams ({@link Nd4jStreams}) and rings ({@link Nd4jRings}) make their
 * views here.
 */
final class MappedArrays {
    /** Data types for which this JVM's backend was seen wrapping foreign memory rather than copying it. */
    private static final Set<DataType> WRAPPED_TYPES = ConcurrentHashMap.newKeySet();

    private MappedArrays() {
    }

    /**
     * An array of {@code type} and {@code shape} over the first bytes of {@code retained}, which
     * this call takes over: from now on the array's data buffer owns that reference (also when
     * this call fails, when it is closed at once).
     *
     * @param origin what the memory is, for messages ("stream 'frames'")
     * @throws UnsupportedOperationException for a backend that copies foreign memory
     */
    static INDArray over(ArrowBuf retained, DataType type, long[] shape, String origin) {
        try {
            long address = retained.memoryAddress();
            long elements = 1;
            for (long dim : shape) {
                elements = Math.multiplyExact(elements, dim);
            }
            DataBuffer buffer = MappedDataBuffers.wrap(address, type, elements);
            INDArray array = Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
            requireWrapped(array, address, origin);
            MappingLease.releaseWhenUnreachable(buffer, retained);
            return array;
        } catch (RuntimeException | Error e) {
            retained.close();
            throw e;
        }
    }

    /**
     * Fails when the backend copied the memory instead of wrapping it: the "view" would silently
     * be a snapshot. The backend is fixed for the JVM's life, so each data type is checked on its
     * first view only (asking a buffer for its address is a native call into libnd4j).
     */
    private static void requireWrapped(INDArray array, long address, String origin) {
        DataType type = array.dataType();
        if (WRAPPED_TYPES.contains(type)) {
            return;
        }
        long actual = array.data().addressPointer().address();
        if (actual != address) {
            throw new UnsupportedOperationException("the ND4J backend " + Nd4j.getBackend().getClass().getName()
                    + " copied " + origin + " instead of wrapping it, so a view would not be shared; use a CPU backend"
                    + " (nd4j-native) for views, or copy the data instead");
        }
        WRAPPED_TYPES.add(type);
    }
}

package io.arrowshm.nd4j;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.RootAllocator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Arrow buffers over an INDArray's own memory, so the core's one-copy {@code write(ArrowBuf)}
 * and {@code readInto(ArrowBuf)} move bytes straight between ND4J and the stream. The Arrow
 * buffer borrows the memory: closing it frees nothing, and the caller keeps the array
 * reachable while the buffer is in use.
 */
final class ForeignArrowBufs {
    private ForeignArrowBufs() {
    }

    private static final class Holder {
        static final BufferAllocator ROOT = new RootAllocator();
    }

    /** The bytes of {@code array}, which must be dense and in C order ({@link CContiguous#isDense}). */
    static ArrowBuf over(INDArray array) {
        long address = array.data().addressPointer().address();
        long bytes = array.length() * array.data().getElementSize();
        return Holder.ROOT.wrapForeignAllocation(new ForeignAllocation(bytes, address) {
            @Override
            protected void release0() {
                // borrowed: ND4J owns this memory
            }
        });
    }
}

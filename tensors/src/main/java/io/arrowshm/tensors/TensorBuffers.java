package io.arrowshm.tensors;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;

/** Buffer plumbing shared by the views, the snapshot and the IPC writer. */
final class TensorBuffers {
    private TensorBuffers() {
    }

    /**
     * A buffer over {@code length} bytes at {@code address} that owns nothing: vectors loaded with
     * it neither retain nor free the memory, so whoever lends it (the seqlock function, a
     * {@code Publication} held by the snapshot) decides its lifetime.
     */
    static ArrowBuf borrowed(long address, long length) {
        ArrowBuf buf = new ArrowBuf(ReferenceManager.NO_OP, null, length, address);
        buf.writerIndex(length);
        return buf;
    }

    /** Packs {@code count} bool bytes (0 = false) at {@code source} into a new Arrow bit buffer. */
    static ArrowBuf packBits(ArrowBuf source, long sourceOffset, long count, BufferAllocator allocator) {
        long bytes = (count + 7) / 8;
        ArrowBuf packed = allocator.buffer(Math.max(bytes, 1));
        packed.setZero(0, packed.capacity());
        packBitsInto(source, sourceOffset, count, packed, 0);
        packed.writerIndex(bytes);
        return packed;
    }

    /** Packs bool bytes into {@code target} from bit {@code targetBit} on (the target's bits there must be 0). */
    static void packBitsInto(ArrowBuf source, long sourceOffset, long count, ArrowBuf target, long targetBit) {
        for (long i = 0; i < count; i++) {
            if (source.getByte(sourceOffset + i) != 0) {
                long bit = targetBit + i;
                long index = bit >>> 3;
                target.setByte(index, target.getByte(index) | (1 << (bit & 7)));
            }
        }
    }

    /** Unpacks {@code count} bits from bit {@code sourceBit} on into 0/1 bytes. */
    static void unpackBits(ArrowBuf source, long sourceBit, long count, ArrowBuf target) {
        for (long i = 0; i < count; i++) {
            long bit = sourceBit + i;
            target.setByte(i, (source.getByte(bit >>> 3) >>> (bit & 7)) & 1);
        }
    }
}

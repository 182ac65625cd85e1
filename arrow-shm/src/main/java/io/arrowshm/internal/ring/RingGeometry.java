package io.arrowshm.internal.ring;

import io.arrowshm.DType;
import io.arrowshm.Overflow;

/**
 * The immutable facts of a validated ring header (ring-format §2.1): what a handle needs to map
 * the tables and type the slots. Mutable words (positions, cursors, stamps) are read live.
 *
 * @param instanceId 16 random bytes naming this generation
 */
public record RingGeometry(
        String name,
        DType dtype,
        long[] shape,
        long slotSize,
        long capacity,
        int maxCursors,
        Overflow overflow,
        long creatorPid,
        long createdNanos,
        byte[] instanceId) {

    public long slotTableOffset() {
        return RingDescriptor.slotTableOffset(maxCursors);
    }

    public long dataOffset() {
        return RingDescriptor.dataOffset(maxCursors, capacity);
    }

    public long segmentSize() {
        return dataOffset() + slotSize * capacity;
    }

    /** Bytes from the start of the file to the end of the slot table: the part read through VarHandles. */
    public long tablesEnd() {
        return slotTableOffset() + RingDescriptor.SLOT_ENTRY_SIZE * capacity;
    }

    /** Elements of one slot. */
    public long elements() {
        return slotSize / dtype.itemSize();
    }

    public long[] shape() {
        return shape.clone();
    }

    public byte[] instanceId() {
        return instanceId.clone();
    }
}

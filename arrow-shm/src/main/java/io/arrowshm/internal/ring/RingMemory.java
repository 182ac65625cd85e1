package io.arrowshm.internal.ring;

import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.internal.stream.PayloadCodec;
import io.arrowshm.internal.stream.PayloadMapping;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.ArrowBuf;

/**
 * One mapping of a ring segment as Arrow memory, reference-counted as a stream's payload is:
 * the ring handle holds one reference, every zero-copy view it hands out holds its own
 * ({@link #view}), and the file is unmapped when the last one goes. Nothing may touch {@link #words()} or {@link #slots()} without holding a reference.
 */
public final class RingMemory {
    private final RingGeometry geometry;
    private final Mapping mapping;
    private final PayloadMapping memory;
    private final RingWords words;
    private final PayloadCodec slots;

    /** Takes ownership of {@code mapping}, which maps the whole validated file. */
    public RingMemory(Mapping mapping, RingGeometry geometry) {
        this.geometry = geometry;
        this.mapping = mapping;
        this.memory = new PayloadMapping(mapping, mapping.length());
        ByteBuffer tables = mapping.byteBuffer(0, Math.toIntExact(geometry.tablesEnd()));
        this.words = new RingWords(tables, mapping.address(), geometry);
        this.slots = new PayloadCodec(mapping, geometry.dataOffset(), geometry.slotSize() * geometry.capacity(),
                geometry.dtype().javaArrayType());
    }

    public RingGeometry geometry() {
        return geometry;
    }

    public RingWords words() {
        return words;
    }

    /** Copies in and out of slots: address a slot with {@link #slotOffset}. */
    public PayloadCodec slots() {
        return slots;
    }

    /** Byte offset of {@code slot} within the slot data (the {@code at} of {@link #slots()}'s copies). */
    public long slotOffset(int slot) {
        return geometry.slotSize() * slot;
    }

    /** Absolute address of {@code slot}'s first byte. */
    public long slotAddress(int slot) {
        return memory.address() + geometry.dataOffset() + slotOffset(slot);
    }

    /**
     * A view of {@code slots} consecutive slots from {@code slot}, holding its own reference:
     * closing it (twice, from any thread) gives back only that reference.
     */
    public ArrowBuf view(int slot, int slots) {
        ArrowBuf whole = memory.view();
        return whole.slice(geometry.dataOffset() + slotOffset(slot), geometry.slotSize() * slots);
    }

    /**
     * Whether {@code /dev/shm/<segment>} still names the file this memory maps: false once the
     * ring was unlinked (or replaced), which attaches and writer leases check (ring-format §6.1).
     */
    public boolean stillNamed(String segment) {
        return Segments.stillNames(segment, mapping);
    }

    /** Gives back the ring handle's own reference. */
    public void release() {
        memory.release();
    }
}

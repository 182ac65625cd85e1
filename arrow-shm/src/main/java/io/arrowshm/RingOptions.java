package io.arrowshm;

import io.arrowshm.internal.ring.RingDescriptor;
import java.util.Arrays;
import java.util.Objects;

/**
 * What {@link Ring#create} makes: the dtype and shape of every slot, the number of slots, what
 * the writer does when a reader is a whole ring behind, and how many named cursors the ring's
 * table holds. Immutable; every setter returns a new instance.
 *
 * <pre>{@code
 * RingOptions frames = RingOptions.of(DType.FLOAT32, 480, 640)   // slots of one 480x640 float32 tensor
 *         .capacity(64)                                          // 64 slots (default 16)
 *         .overflow(Overflow.BLOCK)                              // lossless (the default)
 *         .maxCursors(32);                                       // named cursors (default 16)
 * }</pre>
 */
public final class RingOptions {
    /** Slots when none are asked for. */
    public static final int DEFAULT_CAPACITY = 16;
    /** Cursor entries when none are asked for. */
    public static final int DEFAULT_MAX_CURSORS = 16;

    private final DType dtype;
    private final long[] shape;
    private final long capacity;
    private final Overflow overflow;
    private final int maxCursors;

    private RingOptions(DType dtype, long[] shape, long capacity, Overflow overflow, int maxCursors) {
        this.dtype = dtype;
        this.shape = shape;
        this.capacity = capacity;
        this.overflow = overflow;
        this.maxCursors = maxCursors;
    }

    /**
     * Slots of one C-order tensor of {@code dtype} and {@code shape} (1 to 19 positive dims).
     *
     * @throws IllegalArgumentException for an empty, non-positive or oversized shape
     */
    public static RingOptions of(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Arguments.size(dtype, shape);
        return new RingOptions(dtype, shape.clone(), DEFAULT_CAPACITY, Overflow.BLOCK, DEFAULT_MAX_CURSORS);
    }

    /**
     * The number of slots, 1 to 1,048,576: under {@link Overflow#BLOCK} how far the writer may run
     * ahead of the slowest reader; under {@link Overflow#OVERWRITE} how far behind a reader may
     * fall before it loses frames.
     */
    public RingOptions capacity(long capacity) {
        if (capacity < 1 || capacity > RingDescriptor.MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1.." + RingDescriptor.MAX_CAPACITY + ", got " + capacity);
        }
        return new RingOptions(dtype, shape, capacity, overflow, maxCursors);
    }

    public RingOptions overflow(Overflow overflow) {
        return new RingOptions(dtype, shape, capacity, Objects.requireNonNull(overflow, "overflow"), maxCursors);
    }

    /** Entries in the ring's cursor table, 1 to 1024: the most named cursors that can exist at once. */
    public RingOptions maxCursors(int maxCursors) {
        if (maxCursors < 1 || maxCursors > RingDescriptor.MAX_CURSORS) {
            throw new IllegalArgumentException("maxCursors must be 1.." + RingDescriptor.MAX_CURSORS + ", got "
                    + maxCursors);
        }
        return new RingOptions(dtype, shape, capacity, overflow, maxCursors);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long capacity() {
        return capacity;
    }

    public Overflow overflow() {
        return overflow;
    }

    public int maxCursors() {
        return maxCursors;
    }

    /** Bytes of one slot: prod(shape) * itemsize. */
    public long slotSize() {
        return Arguments.size(dtype, shape);
    }

    @Override
    public String toString() {
        return "RingOptions[" + dtype.numpyName() + " " + Arrays.toString(shape) + ", capacity=" + capacity + ", "
                + overflow + ", maxCursors=" + maxCursors + "]";
    }
}

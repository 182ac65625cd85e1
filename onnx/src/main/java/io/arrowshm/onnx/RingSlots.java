package io.arrowshm.onnx;

import io.arrowshm.SharedMemoryException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.ArrowBuf;

/**
 * A ring lease or batch as a {@link MemoryLease}: the memory is its slots, and ending the lease
 * closes the ring's lease, which moves the reader's cursor past those frames.
 */
final class RingSlots implements MemoryLease {
    private final AutoCloseable ringLease;
    private final ArrowBuf slots;
    private final BooleanSupplier valid;
    private final String origin;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param slots the lease's buffer, {@code valid} its {@code valid()}. This lease takes a
     *              reference of its own to the memory, so a caller who closes the ring lease
     *              (which this object owns), its reader and its ring behind a tensor's back
     *              leaves ONNX Runtime stale frames, never unmapped memory.
     */
    RingSlots(AutoCloseable ringLease, ArrowBuf slots, BooleanSupplier valid, String origin) {
        this.ringLease = ringLease;
        this.slots = slots.getReferenceManager().retain(slots, slots.getReferenceManager().getAllocator());
        this.valid = valid;
        this.origin = origin;
    }

    @Override
    public ArrowBuf memory() {
        return slots;
    }

    @Override
    public String origin() {
        return origin;
    }

    /** Whether the slots still hold the leased frames (see {@code RingLease.valid()}). */
    boolean valid() {
        return valid.getAsBoolean();
    }

    /**
     * Touches the last leased byte before native code gets the memory: a ring file cut short
     * faults there first. The JVM raises that fault asynchronously; {@code valid()} ends in the
     * core's fault barrier, so a pending fault surfaces inside it as {@link SharedMemoryException}.
     */
    void checkBacked() {
        try {
            slots.getByte(slots.capacity() - 1);
        } catch (InternalError e) {
            throw new SharedMemoryException("cannot hand " + origin + " to ONNX Runtime: the ring's file was truncated"
                    + " by another process, so its slots are gone; recreate the ring", e);
        }
        valid();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                ringLease.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e); // RingLease and RingBatch declare none
            } finally {
                slots.close();
            }
        }
    }

    @Override
    public String toString() {
        return "MemoryLease[" + origin + (closed.get() ? ", closed]" : "]");
    }
}

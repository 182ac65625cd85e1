package io.arrowshm.nd4j;

import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingLease;
import io.arrowshm.SharedMemoryException;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.ArrowBuf;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ND4J {@link INDArray}s over ring slots without a copy: a {@link RingLease}'s slot as an array
 * of the ring's shape, and rows of a {@link RingBatch} (consecutive slots, contiguous in memory)
 * as one array with a leading batch axis.
 *
 * <pre>{@code
 * try (Ring ring = Ring.open("frames");                         // float32 (480, 640)
 *      RingReader reader = ring.reader("trainer");
 *      RingBatch batch = reader.leaseBatch(32, Duration.ofSeconds(5))) {
 *     INDArray frames = Nd4jRings.view(ring, batch);            // (count, 480, 640), the slots themselves
 *     INDArray means = frames.mean(1, 2);                        // a new array: keep it, not the view
 *     System.out.println(batch.firstPosition() + ": " + means);
 * }                                                             // the cursor moves past the batch
 * }</pre>
 *
 * <p><b>Lifetime.</b> The array holds its own reference to the ring's mapping, given back when
 * its data buffer becomes unreachable (as {@link Nd4jStreams#view} does), so closing the lease,
 * the reader or the ring never unmaps memory a reachable array can touch: no crash. Its
 * <em>contents</em> are the frames only while the lease or batch is open: once it closes, the
 * writer may reuse those slots. Under {@code Overflow.OVERWRITE}, or for a non-blocking cursor,
 * the writer may reuse them even while it is open: check {@code valid()} after computing, as
 * the lease's documentation says.
 *
 * <p>Each view first checks that the slots are still backed (a ring file truncated by another
 * process would take libnd4j down with SIGBUS) and raises {@link SharedMemoryException} instead;
 * a truncation during a later ND4J call cannot be caught. Complex rings are refused (ND4J has no
 * complex type).
 */
public final class Nd4jRings {
    private Nd4jRings() {
    }

    /**
     * The leased slot as an array of the ring's shape and the ND4J twin of its dtype.
     *
     * @throws IllegalArgumentException when the lease is not a slot of {@code ring}
     * @throws IllegalStateException when the lease is closed
     * @throws SharedMemoryException when the ring's file was truncated
     */
    public static INDArray view(Ring ring, RingLease lease) {
        DataType type = dataType(ring);
        ArrowBuf slot = lease.buffer();
        requireSlots(ring, slot, 1, lease.toString());
        probe(ring, slot, lease::valid);
        return MappedArrays.over(retain(slot), type, ring.shape(), origin(ring, lease.toString()));
    }

    /** Every frame of the batch as one array of shape {@code (batch.count(), ring.shape()...)}. */
    public static INDArray view(Ring ring, RingBatch batch) {
        return view(ring, batch, 0, batch.count());
    }

    /**
     * Frames {@code first .. first + count - 1} of the batch as one array of shape
     * {@code (count, ring.shape()...)}, starting at frame {@code first}'s slot.
     *
     * @throws IndexOutOfBoundsException when the rows are not all in the batch
     * @throws IllegalArgumentException when the batch is not of {@code ring}
     * @throws IllegalStateException when the batch is closed
     * @throws SharedMemoryException when the ring's file was truncated
     */
    public static INDArray view(Ring ring, RingBatch batch, int first, int count) {
        DataType type = dataType(ring);
        if (first < 0 || count < 1 || first > batch.count() - count) {
            throw new IndexOutOfBoundsException("frames " + first + " .. " + ((long) first + count - 1) + " of " + batch
                    + ", which holds " + batch.count());
        }
        ArrowBuf slots = batch.buffer();
        requireSlots(ring, slots, batch.count(), batch.toString());
        ArrowBuf rows = slots.slice(first * ring.size(), count * ring.size());
        probe(ring, rows, batch::valid);
        long[] slotShape = ring.shape();
        long[] shape = new long[slotShape.length + 1];
        shape[0] = count;
        System.arraycopy(slotShape, 0, shape, 1, slotShape.length);
        return MappedArrays.over(retain(rows), type, shape, origin(ring, batch.toString()));
    }

    private static DataType dataType(Ring ring) {
        try {
            return Nd4jTypes.dataType(ring.dtype());
        } catch (UnsupportedOperationException e) {
            throw new UnsupportedOperationException("ring '" + ring.name() + "' holds " + ring.dtype().numpyName()
                    + ", which ND4J has no type for; copy its frames with reader.readInto("
                    + ring.dtype().javaArrayType().getSimpleName() + ") (interleaved real, imaginary) instead", e);
        }
    }

    /** A lease's buffer is exactly its slots; any other size means the lease came from another ring. */
    private static void requireSlots(Ring ring, ArrowBuf slots, int frames, String what) {
        if (slots.capacity() != frames * ring.size()) {
            throw new IllegalArgumentException(what + " holds " + slots.capacity() + " bytes, not " + frames + " slots of"
                    + " ring '" + ring.name() + "' (" + ring.dtype().numpyName() + " " + Arrays.toString(ring.shape())
                    + ", " + ring.size() + " bytes each); pass the ring it was leased from");
        }
    }

    /**
     * Touches the last byte of {@code memory} before native code gets it: a ring file cut short
     * faults there first. The JVM raises that fault asynchronously; {@code check} is a lease's
     * {@code valid()}, whose last step is the core's fault barrier, so a pending fault surfaces
     * inside it as {@link SharedMemoryException} (or here, when the touch itself throws).
     */
    private static void probe(Ring ring, ArrowBuf memory, BooleanSupplier check) {
        try {
            memory.getByte(memory.capacity() - 1);
        } catch (InternalError e) {
            throw new SharedMemoryException("cannot view ring '" + ring.name() + "' in ND4J: its file was truncated"
                    + " by another process, so its slots are gone; recreate the ring", e);
        }
        check.getAsBoolean();
    }

    /** A buffer over the same memory with a reference of its own, for the array to own: the lease keeps (and closes) its own. */
    private static ArrowBuf retain(ArrowBuf memory) {
        return memory.getReferenceManager().retain(memory, memory.getReferenceManager().getAllocator());
    }

    private static String origin(Ring ring, String what) {
        return "ring '" + ring.name() + "' (" + what + ")";
    }
}

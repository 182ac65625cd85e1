package io.arrowshm.onnx;

import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingLease;
import io.arrowshm.RingWriter;
import io.arrowshm.SharedMemoryException;
import java.time.Duration;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/**
 * ONNX Runtime tensors over ring slots without a copy, and model outputs written to rings. A
 * tensor over a {@link RingLease} is the slot itself; one over a {@link RingBatch} is its
 * consecutive slots as one tensor with a leading batch axis, for models that take a batch. The
 * tensor owns the lease: closing the tensor closes the lease, which moves the reader's cursor
 * past the frames.
 *
 * <pre>{@code
 * OnnxRunner runner = OnnxRunner.of(session);
 * try (LeasedTensor x = OnnxRings.tensor(env, frames, reader.lease(Duration.ofSeconds(5)));
 *      OrtSession.Result r = runner.run(Map.of("frame", x))) {
 *     OnnxRings.write(writer, r.get(0), 7L, Duration.ofSeconds(5));   // one copy into the output ring
 * }                                                                  // the cursor moves past the frame
 * }</pre>
 *
 * <p>The tensors are input-only ({@link OnnxRunner#runInto} refuses to write into them): other
 * cursors read the same slots. Under {@code Overflow.OVERWRITE}, or for a non-blocking cursor,
 * the writer may reuse a slot while it is lent: check the lease's {@code valid()} after the run
 * and discard the result when it says false ({@link RingInference} does). ONNX Runtime's native
 * code cannot survive a fault on truncated memory, so each tensor first checks that its slots are
 * still backed ({@link SharedMemoryException} otherwise); a truncation during the run itself
 * cannot be caught. For a whole loop, one output frame per input frame, use {@link RingInference}.
 */
public final class OnnxRings {
    private OnnxRings() {
    }

    /**
     * An input-only tensor over the leased slot (the ring's shape and the ONNX twin of its
     * dtype), which owns the lease from now on, also when this call fails.
     *
     * @throws IllegalArgumentException when the lease is not a slot of {@code ring}, or the frame
     *         is over {@link LeasedTensor#MAX_BYTES}
     * @throws IllegalStateException when the lease is closed
     * @throws UnsupportedOperationException for a dtype ONNX Runtime's Java API lacks
     * @throws SharedMemoryException when the ring's file was truncated
     */
    public static LeasedTensor tensor(OrtEnvironment env, Ring ring, RingLease lease) {
        return over(env, ring, slots(ring, lease), ring.shape());
    }

    /** An input-only tensor of shape {@code (batch.count(), ring.shape()...)} over the batch's slots; it owns the batch. */
    public static LeasedTensor tensor(OrtEnvironment env, Ring ring, RingBatch batch) {
        RingSlots slots;
        try {
            slots = new RingSlots(batch, requireSlots(ring, batch.buffer(), batch.count(), batch.toString()),
                    batch::valid, "ring '" + ring.name() + "' " + batch);
        } catch (RuntimeException | Error e) {
            batch.close();
            throw e;
        }
        long[] slotShape = ring.shape();
        long[] shape = new long[slotShape.length + 1];
        shape[0] = batch.count();
        System.arraycopy(slotShape, 0, shape, 1, slotShape.length);
        return over(env, ring, slots, shape);
    }

    /** The lease as the memory of a tensor; closes the lease when the ring or lease does not fit. */
    static RingSlots slots(Ring ring, RingLease lease) {
        try {
            return new RingSlots(lease, requireSlots(ring, lease.buffer(), 1, lease.toString()), lease::valid,
                    "ring '" + ring.name() + "' " + lease);
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
    }

    /** An input-only tensor over {@code slots}, checked backed first; it owns {@code slots}. */
    static LeasedTensor over(OrtEnvironment env, Ring ring, RingSlots slots, long[] shape) {
        try {
            OnnxTypes.javaType(ring.dtype());
            LeasedTensor.requireWrappable(ring.dtype(), shape, slots.origin());
            slots.checkBacked(); // ORT's native code cannot survive a SIGBUS: refuse a truncated ring up front
        } catch (UnsupportedOperationException e) {
            slots.close();
            throw new UnsupportedOperationException("ring '" + ring.name() + "' holds " + ring.dtype().numpyName()
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            slots.close();
            throw e;
        }
        return LeasedTensor.over(env, slots, ring.dtype(), shape, false);
    }

    /**
     * Writes an output ONNX Runtime allocated (from {@link OnnxRunner#run}) as the ring's next
     * frame with {@code frameId}: one copy out of ONNX Runtime and one into the slot, waiting at
     * most {@code timeout} for space (null: no limit).
     *
     * @throws IllegalArgumentException when the value is not a tensor of the ring's dtype and shape
     */
    public static void write(RingWriter out, OnnxValue value, long frameId, Duration timeout) {
        Ring ring = out.ring();
        out.write(OnnxStreams.bytesOf("ring '" + ring.name() + "'", ring.dtype(), ring.shape(), value), frameId,
                timeout);
    }

    /** A lease's buffer is exactly its slots; any other size means the lease came from another ring. */
    private static ArrowBuf requireSlots(Ring ring, ArrowBuf slots, int frames, String what) {
        if (slots.capacity() != frames * ring.size()) {
            throw new IllegalArgumentException(what + " holds " + slots.capacity() + " bytes, not " + frames + " slots of"
                    + " ring '" + ring.name() + "' (" + ring.dtype().numpyName() + " " + Arrays.toString(ring.shape())
                    + ", " + ring.size() + " bytes each); pass the ring it was leased from");
        }
        return slots;
    }
}

package io.arrowshm.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.arrowshm.CursorOptions;
import io.arrowshm.Ring;
import io.arrowshm.RingLease;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * One model between two rings, lossless: every input frame gets exactly one output frame, in
 * order. ONNX Runtime reads each input slot in place (a tensor over the reader's lease, no copy)
 * and writes its output into a private buffer, which becomes the output ring's next frame (one
 * copy: a ring writer has no in-place write) stamped with the input's frame id or position. The
 * input's cursor moves past a frame only once its output is written, so under
 * {@code Overflow.BLOCK} nothing is lost and nothing is done twice.
 *
 * <pre>{@code
 * try (RingInference model = RingInference.builder(env, session)
 *         .input(frames, "onnx")                         // the input ring and this worker's cursor
 *         .output(scores)                                // takes the output ring's writer lease
 *         .frameIds(RingInference.FrameIds.INPUT_POSITION)
 *         .build()) {
 *     while (running) {
 *         long position = model.runNext(Duration.ofSeconds(5));   // one frame in, one frame out
 *     }
 * }
 * }</pre>
 *
 * <p><b>Failures keep the frame.</b> When a run, or the output's write, fails (an
 * {@link InferenceException}, a full output ring past the timeout), the input frame stays leased
 * and the exception propagates: the next {@link #runNext} tries that frame again (only the write,
 * when the result is already computed). {@link #close()} detaches the cursor before it gives the
 * lease back, so a frame that never got its output is delivered again to the cursor's next reader.
 *
 * <p>Under {@code Overflow.OVERWRITE}, or with a non-blocking cursor, the writer may reuse an
 * input slot while the model reads it: such a run's result is discarded (the frame counts as
 * lost, {@link #lost()}) and the next frame is taken, so an output is never the result of a torn
 * frame. It owns its reader, its writer lease and its two tensors; the session and the ring
 * handles stay the caller's. One thread runs it at a time; {@link #close()} may come from any.
 */
public final class RingInference implements AutoCloseable {
    /** Which input fact becomes each output frame's frame id. */
    public enum FrameIds {
        /** The frame id the producer gave the input frame (0 when it gave none). */
        INPUT_FRAME_ID,
        /** The input frame's position in its ring: consecutive, so a reader sees that none is missing. */
        INPUT_POSITION
    }

    private final OrtEnvironment env;
    private final Ring input;
    private final RingReader reader;
    private final RingWriter writer;
    private final OnnxRunner runner;
    private final String inputName;
    private final LeasedTensor outputTensor;
    private final Map<String, LeasedTensor> outputs;
    private final BufferAllocator allocator;
    private final FrameIds frameIds;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Pending pending;
    private volatile long discarded; // written by runNext only

    private RingInference(Builder b, RingReader reader, RingWriter writer, BufferAllocator allocator,
                          LeasedTensor outputTensor) {
        this.env = b.env;
        this.input = b.input;
        this.reader = reader;
        this.writer = writer;
        this.runner = OnnxRunner.of(b.session);
        this.inputName = b.inputName;
        this.outputTensor = outputTensor;
        this.outputs = Map.of(b.outputName, outputTensor);
        this.allocator = allocator;
        this.frameIds = b.frameIds;
    }

    /** Starts a {@link Builder} for {@code session} (which stays the caller's). */
    public static Builder builder(OrtEnvironment env, OrtSession session) {
        return new Builder(env, session);
    }

    /**
     * Takes the next input frame (waiting at most {@code timeout} for it, or for space in the
     * output ring; null waits without limit), runs the model on it and writes the result as the
     * output ring's next frame. Returns the input frame's position.
     *
     * @throws io.arrowshm.StreamTimeoutException when no input frame, or no output space, came in
     *         time (a frame already taken stays pending)
     * @throws InferenceException when ONNX Runtime fails the run (the frame stays pending)
     * @throws IllegalStateException when this inference is closed
     */
    public synchronized long runNext(Duration timeout) {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + saturatedNanos(timeout);
        while (true) {
            requireOpen();
            Pending frame = pending;
            if (frame == null) {
                frame = take(remaining(deadline));
            }
            if (!frame.computed) {
                runner.runInto(Map.of(inputName, frame.tensor), outputs);
                if (!frame.slots.valid()) { // the writer reused the slot during the run: the result is not the frame's
                    discarded++;
                    pending = null;
                    frame.tensor.close(); // the reader counts the frame as lost
                    if (System.nanoTime() - deadline > 0) { // a writer that laps every run must not keep us here
                        throw new StreamTimeoutException("no frame of ring '" + input.name() + "' outlived its run"
                                + " within the timeout (" + discarded + " runs discarded so far: the writer reuses"
                                + " slots faster than the model reads them); give the ring more capacity", null);
                    }
                    continue;
                }
                frame.computed = true;
            }
            long id = frameIds == FrameIds.INPUT_POSITION ? frame.position : frame.frameId;
            Duration left = remaining(deadline);
            outputTensor.useMemory("write the output of", result -> writer.write(result, id, left));
            pending = null;
            frame.tensor.close(); // the output is written: now the cursor moves past the input
            return frame.position;
        }
    }

    private Pending take(Duration timeout) {
        RingLease lease = reader.lease(timeout);
        RingSlots slots = OnnxRings.slots(input, lease);
        LeasedTensor tensor = OnnxRings.over(env, input, slots, input.shape());
        Pending frame = new Pending(lease.position(), lease.frameId(), slots, tensor);
        pending = frame;
        if (closed.get()) { // close() ran while the lease was being taken: give it back unconsumed
            releasePending();
            requireOpen();
        }
        return frame;
    }

    /** Frames whose run was discarded because the ring's writer reused their slot meanwhile. */
    public long discarded() {
        return discarded;
    }

    /**
     * Frames the input's reader lost in all: overwritten before it took them, or while the model
     * read them (those are {@link #discarded()} too).
     */
    public long lost() {
        return reader.lost();
    }

    /** The input cursor's position: the next frame to take (a pending frame is not past it yet). */
    public long position() {
        return reader.position();
    }

    /** Whether a frame is taken but has no output yet (its run or its write failed). */
    public boolean hasPending() {
        return pending != null;
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this RingInference from ring '" + input.name() + "' to ring '"
                    + writer.ring().name() + "' is closed; build a new one");
        }
    }

    private static long saturatedNanos(Duration timeout) {
        try {
            return Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    private static Duration remaining(long deadline) {
        return deadline == Long.MAX_VALUE ? null : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * Detaches the input cursor first, so a pending frame is not consumed (the cursor's next
     * reader gets it), then releases the tensors and gives the writer lease back. The session and
     * the ring handles stay open. Closing twice, or while {@link #runNext} runs on another thread,
     * is harmless: that call ends with {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            reader.close();
        } finally {
            try {
                releasePending();
            } finally {
                try {
                    outputTensor.close();
                } finally {
                    try {
                        writer.close();
                    } finally {
                        allocator.close();
                    }
                }
            }
        }
    }

    private void releasePending() {
        Pending frame = pending;
        pending = null;
        if (frame != null) {
            frame.tensor.close(); // after reader.close(): the lease ends without moving the cursor
        }
    }

    /** An input frame taken from the ring whose output is not written yet. */
    private static final class Pending {
        final long position;
        final long frameId;
        final RingSlots slots;
        final LeasedTensor tensor;
        boolean computed;

        Pending(long position, long frameId, RingSlots slots, LeasedTensor tensor) {
            this.position = position;
            this.frameId = frameId;
            this.slots = slots;
            this.tensor = tensor;
        }
    }

    /**
     * What {@link RingInference} connects: the model's input and the ring and cursor that feed
     * it, the model's output and the ring it goes to, and which input fact each output frame
     * carries as its frame id.
     */
    public static final class Builder {
        private final OrtEnvironment env;
        private final OrtSession session;
        private Ring input;
        private String cursor;
        private CursorOptions cursorOptions = CursorOptions.defaults();
        private Ring output;
        private String inputName;
        private String outputName;
        private FrameIds frameIds = FrameIds.INPUT_FRAME_ID;
        private Duration writerWait = Duration.ofSeconds(5);

        private Builder(OrtEnvironment env, OrtSession session) {
            this.env = Objects.requireNonNull(env, "env");
            this.session = Objects.requireNonNull(session, "session");
        }

        /** The ring the model's only input reads, through the named cursor (default options). */
        public Builder input(Ring ring, String cursor) {
            return input(null, ring, cursor, CursorOptions.defaults());
        }

        /** The model input {@code name} (null: the model's only one) reads {@code ring} through the cursor. */
        public Builder input(String name, Ring ring, String cursor, CursorOptions options) {
            this.inputName = name;
            this.input = Objects.requireNonNull(ring, "ring");
            this.cursor = Objects.requireNonNull(cursor, "cursor");
            this.cursorOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** The ring the model's only output goes to. */
        public Builder output(Ring ring) {
            return output(null, ring);
        }

        /** The model output {@code name} (null: the model's only one) goes to {@code ring}. */
        public Builder output(String name, Ring ring) {
            this.outputName = name;
            this.output = Objects.requireNonNull(ring, "ring");
            return this;
        }

        /** Which input fact each output frame carries as its frame id (default {@link FrameIds#INPUT_FRAME_ID}). */
        public Builder frameIds(FrameIds frameIds) {
            this.frameIds = Objects.requireNonNull(frameIds, "frameIds");
            return this;
        }

        /** How long {@link #build()} waits for another writer of the output ring to close (default 5 s). */
        public Builder writerWait(Duration wait) {
            this.writerWait = Objects.requireNonNull(wait, "wait");
            return this;
        }

        /**
         * Checks the model against both rings before touching either (names, element types,
         * shapes; a dimension the model leaves free matches any size), then attaches the cursor
         * and takes the output ring's writer lease.
         *
         * @throws IllegalArgumentException when the model and the rings do not fit, or both are
         *         the same ring
         * @throws io.arrowshm.CursorInUseException when another reader holds the cursor
         * @throws io.arrowshm.StreamTimeoutException when another writer holds the output ring
         */
        public RingInference build() {
            if (input == null || output == null) {
                throw new IllegalStateException("a RingInference needs input(ring, cursor) and output(ring)");
            }
            if (input.name().equals(output.name())) {
                throw new IllegalArgumentException("ring '" + input.name() + "' cannot be both the model's input and"
                        + " its output");
            }
            inputName = inputName != null ? inputName : only(session.getInputNames(), "input");
            outputName = outputName != null ? outputName : only(session.getOutputNames(), "output");
            try {
                OnnxTypes.requireFits(session.getInputInfo(), "input", inputName, input.dtype(), input.shape(),
                        "ring '" + input.name() + "'");
                OnnxTypes.requireFits(session.getOutputInfo(), "output", outputName, output.dtype(), output.shape(),
                        "ring '" + output.name() + "'");
            } catch (OrtException e) {
                throw new InferenceException("ONNX Runtime cannot describe the model's inputs and outputs: "
                        + e.getMessage(), e);
            }
            LeasedTensor.requireWrappable(input.dtype(), input.shape(), "ring '" + input.name() + "'");
            LeasedTensor.requireWrappable(output.dtype(), output.shape(), "ring '" + output.name() + "'");
            BufferAllocator allocator = new RootAllocator();
            RingReader reader = null;
            RingWriter writer = null;
            try {
                LeasedTensor result = LeasedTensor.over(env, MemoryLease.of(allocator.buffer(output.size()),
                        "the output buffer of ring '" + output.name() + "'"), output.dtype(), output.shape());
                try {
                    reader = input.reader(cursor, cursorOptions);
                    writer = output.writer(writerWait);
                    return new RingInference(this, reader, writer, allocator, result);
                } catch (RuntimeException | Error e) {
                    result.close();
                    throw e;
                }
            } catch (RuntimeException | Error e) {
                if (writer != null) {
                    writer.close();
                }
                if (reader != null) {
                    reader.close();
                }
                allocator.close();
                throw e;
            }
        }

        private static String only(java.util.Set<String> names, String kind) {
            if (names.size() != 1) {
                throw new IllegalArgumentException("the model has " + kind + "s " + names + "; name the one the ring "
                        + (kind.equals("input") ? "feeds" : "receives"));
            }
            return names.iterator().next();
        }
    }
}

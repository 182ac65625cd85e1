package io.arrowshm.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.arrowshm.SharedMemory;
import io.arrowshm.WriteView;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One model between two streams, zero-copy both ways: ONNX Runtime reads the input stream's
 * latest publication in place (inside its seqlock, retried when a write overlaps) and writes its
 * output straight into the output stream's memory, inside a write view that is published with the
 * input's frame id when the run is done. Readers of the output never see a half-written result; a
 * run that fails aborts the write, so they see an error until the next result rather than stale
 * or partial data.
 *
 * <pre>{@code
 * try (StreamInference model = StreamInference.create(env, session, "frame", frames, "scores", scores)) {
 *     long seen = 0;
 *     while (running) {
 *         seen = model.runAfter(seen, Duration.ofSeconds(5));   // waits for a new frame, publishes its scores
 *     }
 * }
 * }</pre>
 *
 * <p>Closing it releases its two tensors; the session and both handles stay the caller's. Runs
 * from several threads are serialised by the output stream's write lock.
 */
public final class StreamInference implements AutoCloseable {
    private final SharedMemory input;
    private final SharedMemory output;
    private final OnnxRunner runner;
    private final LeasedTensor inputTensor;
    private final LeasedTensor outputTensor;
    private final Map<String, LeasedTensor> inputs;
    private final Map<String, LeasedTensor> outputs;

    private StreamInference(SharedMemory input, SharedMemory output, OnnxRunner runner, String inputName,
                            LeasedTensor inputTensor, String outputName, LeasedTensor outputTensor) {
        this.input = input;
        this.output = output;
        this.runner = runner;
        this.inputTensor = inputTensor;
        this.outputTensor = outputTensor;
        this.inputs = Map.of(inputName, inputTensor);
        this.outputs = Map.of(outputName, outputTensor);
    }

    /**
     * {@link #create(OrtEnvironment, OrtSession, String, SharedMemory, String, SharedMemory)} for a
     * model with one input and one output.
     */
    public static StreamInference create(OrtEnvironment env, OrtSession session, SharedMemory input,
                                         SharedMemory output) {
        if (session.getNumInputs() != 1 || session.getNumOutputs() != 1) {
            throw new IllegalArgumentException("the model has inputs " + session.getInputNames() + " and outputs "
                    + session.getOutputNames() + "; name the ones the streams feed and receive");
        }
        return create(env, session, session.getInputNames().iterator().next(), input,
                session.getOutputNames().iterator().next(), output);
    }

    /**
     * Feeds the model's {@code inputName} from {@code input} and publishes its {@code outputName}
     * into {@code output}. Everything is checked here, before any frame: both names exist, each
     * is a tensor of its stream's dtype, and each shape matches its stream's (a dimension the
     * model leaves free matches any size). Other model outputs are not computed.
     *
     * @throws IllegalArgumentException when the model and the streams do not fit, or both handles
     *         are the same stream
     */
    public static StreamInference create(OrtEnvironment env, OrtSession session, String inputName, SharedMemory input,
                                         String outputName, SharedMemory output) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(session, "session");
        if (input.name().equals(output.name())) {
            throw new IllegalArgumentException("stream '" + input.name() + "' cannot be both the model's input and"
                    + " its output: the output's write would hold off every read of the input");
        }
        try {
            OnnxTypes.requireFits(session.getInputInfo(), "input", inputName, input.dtype(), input.shape(),
                    "stream '" + input.name() + "'");
            OnnxTypes.requireFits(session.getOutputInfo(), "output", outputName, output.dtype(), output.shape(),
                    "stream '" + output.name() + "'");
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime cannot describe the model's inputs and outputs: "
                    + e.getMessage(), e);
        }
        LeasedTensor in = OnnxStreams.tensor(env, input);
        try {
            return new StreamInference(input, output, OnnxRunner.of(session), inputName, in, outputName,
                    OnnxStreams.payloadTensor(env, output, true)); // written only inside a write view
        } catch (RuntimeException | Error e) {
            in.close();
            throw e;
        }
    }

    /**
     * Runs the model on the input's latest publication and publishes the result, stamped with the
     * input's frame id. Returns the count of the input publication it used.
     *
     * @throws IllegalStateException when this inference is closed
     * @throws InferenceException when ONNX Runtime fails the run (the output's write is aborted)
     */
    public long runLatest() {
        requireOpen();
        try (WriteView write = output.writeView()) {
            return publish(write, null);
        }
    }

    /**
     * Waits up to {@code timeout} for an input publication numbered above {@code after} (at once
     * if one already is), then does {@link #runLatest()} within the same deadline. Pass the count
     * it returned to the next call, and a frame published while the model ran is not missed.
     *
     * @throws io.arrowshm.StreamTimeoutException when no new input comes in time
     */
    public long runAfter(long after, Duration timeout) {
        long deadline = System.nanoTime() + saturatedNanos(timeout);
        requireOpen();
        input.waitForCount(after, timeout);
        try (WriteView write = output.writeView(remaining(deadline))) {
            return publish(write, remaining(deadline));
        }
    }

    /** Before the output's write is opened: a closed inference must not abort a write it never made. */
    private void requireOpen() {
        if (!outputTensor.isOpen()) {
            throw new IllegalStateException("this StreamInference from '" + input.name() + "' to '" + output.name()
                    + "' is closed; create a new one");
        }
    }

    /** Runs the model into the open write and publishes it; returns the input publication's count. */
    private long publish(WriteView write, Duration timeout) {
        output.checkBacked(); // ORT writes the output's memory from native code
        Sample sample = timeout == null
                ? OnnxStreams.readZeroCopy(input, inputTensor, this::infer)
                : OnnxStreams.readZeroCopy(input, inputTensor, this::infer, timeout);
        write.frameId(sample.frameId()).publish();
        return sample.count();
    }

    /**
     * One run on a consistent view. The count and frame id are read inside the same seqlock window,
     * so they belong to the frame the model saw (a handle's lastReadCount() could be another thread's).
     */
    private Sample infer(LeasedTensor in) {
        runner.runInto(inputs, outputs);
        return new Sample(input.count(), input.frameId());
    }

    private record Sample(long count, long frameId) {
    }

    private static long saturatedNanos(Duration timeout) {
        try {
            return Math.min(timeout.toNanos(), Long.MAX_VALUE / 4); // a deadline sure to stay ahead of nanoTime
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** Releases both tensors; the session and the handles stay open. Closing twice is harmless. */
    @Override
    public void close() {
        try {
            inputTensor.close();
        } finally {
            outputTensor.close();
        }
    }
}

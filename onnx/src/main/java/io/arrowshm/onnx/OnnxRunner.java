package io.arrowshm.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs an {@link OrtSession} on {@link LeasedTensor}s: each tensor is checked open and kept alive
 * for the run (a concurrent {@code close()} waits for it to end), so a tensor whose lease ended
 * fails with {@link IllegalStateException} instead of handing ONNX Runtime a dangling pointer.
 * ONNX Runtime's checked {@code OrtException} comes out as {@link InferenceException}.
 *
 * <pre>{@code
 * OnnxRunner runner = OnnxRunner.of(session);                 // the caller keeps and closes the session
 * try (OrtSession.Result r = runner.run(Map.of("frame", x))) { // outputs allocated by ONNX Runtime
 *     OnnxStreams.write(scores, r.get(0));                     // one copy into a stream
 * }
 * runner.runInto(Map.of("frame", x), Map.of("scores", y));     // or written straight into y's memory
 * }</pre>
 *
 * <p>A runner is as thread-safe as its session (ONNX Runtime sessions may run concurrently); it
 * holds no state of its own.
 */
public final class OnnxRunner {
    private final OrtSession session;

    private OnnxRunner(OrtSession session) {
        this.session = session;
    }

    /** A runner for {@code session}, which stays the caller's: the runner never closes it. */
    public static OnnxRunner of(OrtSession session) {
        return new OnnxRunner(Objects.requireNonNull(session, "session"));
    }

    /** The session this runner runs. */
    public OrtSession session() {
        return session;
    }

    /**
     * Runs the model on {@code inputs} and returns every output, allocated by ONNX Runtime: the
     * caller closes the result (its values never point into leased memory).
     *
     * @throws IllegalStateException when an input tensor is closed
     * @throws InferenceException when ONNX Runtime fails the run
     */
    public OrtSession.Result run(Map<String, LeasedTensor> inputs) {
        return run(inputs, null, null);
    }

    /**
     * {@link #run(Map)} computing only {@code requestedOutputs} (null: all), with ONNX Runtime's
     * {@code runOptions} (null: none).
     */
    public OrtSession.Result run(Map<String, LeasedTensor> inputs, Set<String> requestedOutputs,
                                 OrtSession.RunOptions runOptions) {
        try (Entered in = Entered.all(inputs, "run a model on", false)) {
            Set<String> outputs = requestedOutputs != null ? requestedOutputs : session.getOutputNames();
            return session.run(in.tensors, outputs, Collections.emptyMap(), runOptions);
        } catch (OrtException e) {
            throw failed(inputs, Map.of(), e);
        }
    }

    /**
     * Runs the model on {@code inputs}, writing each output named in {@code outputs} into that
     * tensor's memory (ONNX Runtime's pinned outputs): no allocation and no copy. Outputs not named
     * are not computed. The output tensors' memory is written while the run lasts; for a stream,
     * that must be inside a write the stream's readers cannot see half done ({@link StreamInference}
     * does it).
     *
     * @throws IllegalArgumentException when an output tensor is input-only (it is over memory others
     *         publish, such as a stream being read)
     * @throws IllegalStateException when a tensor is closed
     * @throws InferenceException when ONNX Runtime fails the run
     */
    public void runInto(Map<String, LeasedTensor> inputs, Map<String, LeasedTensor> outputs) {
        runInto(inputs, outputs, null);
    }

    /** {@link #runInto(Map, Map)} with ONNX Runtime's {@code runOptions} (null: none). */
    public void runInto(Map<String, LeasedTensor> inputs, Map<String, LeasedTensor> outputs,
                        OrtSession.RunOptions runOptions) {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("runInto needs at least one output tensor; use run(inputs) to get"
                    + " outputs ONNX Runtime allocates");
        }
        try (Entered in = Entered.all(inputs, "run a model on", false);
             Entered out = Entered.all(outputs, "write model outputs into", true)) {
            // The result holds the pinned outputs themselves (not owned by it): it is closed here and
            // never returned, so ORT's tensors over leased memory stay inside this package.
            session.run(in.tensors, Collections.emptySet(), out.tensors, runOptions).close();
        } catch (OrtException e) {
            throw failed(inputs, outputs, e);
        }
    }

    private static InferenceException failed(Map<String, LeasedTensor> inputs, Map<String, LeasedTensor> outputs,
                                             OrtException e) {
        return new InferenceException("ONNX Runtime failed a run with inputs " + describe(inputs)
                + (outputs.isEmpty() ? "" : " and outputs " + describe(outputs)) + ": " + e.getMessage(), e);
    }

    private static String describe(Map<String, LeasedTensor> tensors) {
        List<String> parts = new ArrayList<>();
        tensors.forEach((name, tensor) -> parts.add(name + "=" + tensor));
        return parts.toString();
    }

    /** The ORT tensors of one run's leased tensors, each entered once and exited on close. */
    private static final class Entered implements AutoCloseable {
        final Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        private final List<LeasedTensor> held = new ArrayList<>();

        static Entered all(Map<String, LeasedTensor> leased, String purpose, boolean asOutput) {
            Objects.requireNonNull(leased, "tensors");
            Entered entered = new Entered();
            try {
                for (Map.Entry<String, LeasedTensor> e : leased.entrySet()) {
                    LeasedTensor tensor = Objects.requireNonNull(e.getValue(), () -> "tensor '" + e.getKey() + "'");
                    if (asOutput && !tensor.outputAllowed()) {
                        throw new IllegalArgumentException("cannot write the model's output '" + e.getKey() + "' into "
                                + tensor.origin() + ": that tensor is input-only (others publish that memory); write"
                                + " outputs into a tensor over memory you own, or into a stream with StreamInference");
                    }
                    entered.tensors.put(e.getKey(), tensor.enter(purpose));
                    entered.held.add(tensor);
                }
                return entered;
            } catch (RuntimeException | Error e) {
                entered.close();
                throw e;
            }
        }

        @Override
        public void close() {
            held.forEach(LeasedTensor::exit);
        }
    }
}

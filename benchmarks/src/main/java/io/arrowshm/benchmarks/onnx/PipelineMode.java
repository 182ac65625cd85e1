package io.arrowshm.benchmarks.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.arrowshm.SharedMemory;
import io.arrowshm.onnx.LeasedTensor;
import io.arrowshm.onnx.MemoryLease;
import io.arrowshm.onnx.OnnxRunner;
import io.arrowshm.onnx.OnnxStreams;
import io.arrowshm.onnx.StreamInference;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One way for the Java worker to take a frame through the model and publish the result, all with
 * the public API. They differ only in how the frame reaches ONNX Runtime and the result the output
 * stream:
 *
 * <ul>
 * <li>{@link #copy}: the frame copied into a private buffer first ({@code readInto}), ONNX Runtime's
 * output copied into the stream ({@code OnnxStreams.write});</li>
 * <li>{@link #zeroCopyInput}: the model reads the stream's memory in place
 * ({@code OnnxStreams.readZeroCopy}); the output copied as above;</li>
 * <li>{@link #zeroCopyBothWays}: {@link StreamInference}, which also writes the output straight into
 * the output stream.</li>
 * </ul>
 */
interface PipelineMode extends AutoCloseable {
    Duration FRAME_TIMEOUT = Duration.ofSeconds(60);

    /** Processes the first input publication numbered above {@code seen}; returns its count. */
    long next(long seen);

    String label();

    @Override
    void close();

    static PipelineMode copy(OrtEnvironment env, OrtSession session, SharedMemory frames, SharedMemory scores,
                             BufferAllocator allocator) {
        ArrowBuf target = allocator.buffer(frames.size());
        LeasedTensor x = LeasedTensor.over(env, MemoryLease.of(target, "a private copy of '" + frames.name() + "'"),
                frames.dtype(), frames.shape()); // x owns target, which stays valid while x is open
        OnnxRunner runner = OnnxRunner.of(session);
        Map<String, LeasedTensor> inputs = Map.of(session.getInputNames().iterator().next(), x);
        return of("readInto copy", x, seen -> {
            long count = frames.waitForCount(seen, FRAME_TIMEOUT);
            frames.readInto(target);
            long frameId = frames.frameId(); // lock-step: the producer writes again only after this result
            try (OrtSession.Result result = runner.run(inputs)) {
                OnnxStreams.write(scores, result.get(0), frameId);
            }
            return count;
        });
    }

    static PipelineMode zeroCopyInput(OrtEnvironment env, OrtSession session, SharedMemory frames,
                                      SharedMemory scores) {
        LeasedTensor x = OnnxStreams.tensor(env, frames);
        OnnxRunner runner = OnnxRunner.of(session);
        String input = session.getInputNames().iterator().next();
        return of("zero-copy input", x, seen -> {
            long count = frames.waitForCount(seen, FRAME_TIMEOUT);
            OrtSession.Result[] kept = new OrtSession.Result[1];
            long frameId = OnnxStreams.readZeroCopy(frames, x, t -> {
                if (kept[0] != null) {
                    kept[0].close(); // a run a write overlapped: its outputs are discarded
                }
                kept[0] = runner.run(Map.of(input, t));
                return frames.frameId();
            });
            try (OrtSession.Result result = kept[0]) {
                OnnxStreams.write(scores, result.get(0), frameId);
            }
            return count;
        });
    }

    static PipelineMode zeroCopyBothWays(OrtEnvironment env, OrtSession session, SharedMemory frames,
                                         SharedMemory scores) {
        StreamInference model = StreamInference.create(env, session, frames, scores);
        return of("zero-copy in and out (StreamInference)", model, seen -> model.runAfter(seen, FRAME_TIMEOUT));
    }

    private static PipelineMode of(String label, AutoCloseable resources, LongUnaryOperator next) {
        return new PipelineMode() {
            @Override
            public long next(long seen) {
                return next.applyAsLong(seen);
            }

            @Override
            public String label() {
                return label;
            }

            @Override
            public void close() {
                try {
                    resources.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close the " + label + " worker", e);
                }
            }
        };
    }
}

package io.arrowshm.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.arrowshm.DType;
import io.arrowshm.InconsistentStreamException;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One model between two streams: checked against the streams before any frame, each result
 * published whole with its input's frame id, a failed run never leaves a partial result, and,
 * with a Python writer publishing as fast as it can, every result belongs to exactly the frame
 * it says it does.
 */
class StreamInferenceTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private final TestStreams streams = new TestStreams("onnx-inference");

    @AfterEach
    void cleanUp() {
        streams.removeAll();
    }

    @Test
    void theModelIsCheckedAgainstTheStreamsBeforeAnyFrame() throws Exception {
        SharedMemory frames = streams.create(DType.FLOAT32, 64, 64);
        SharedMemory scores = streams.create(DType.FLOAT32, 64, 10);
        try (OrtSession mlp = Models.session("mlp", DType.FLOAT32, 64, 64)) {
            assertRefused("has no input 'pixels'",
                    () -> StreamInference.create(ENV, mlp, "pixels", frames, "scores", scores));
            assertRefused("has no output 'logits'",
                    () -> StreamInference.create(ENV, mlp, "frame", frames, "logits", scores));
            assertRefused("holds ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT but stream '",
                    () -> StreamInference.create(ENV, mlp, streams.create(DType.FLOAT64, 64, 64), scores));
            assertRefused("has shape [64, 10] (-1: any size) but stream '",
                    () -> StreamInference.create(ENV, mlp, frames, streams.create(DType.FLOAT32, 64, 11)));
            assertRefused("cannot be both the model's input and its output",
                    () -> StreamInference.create(ENV, mlp, frames, frames));
            assertEquals(0, frames.count(), "a refused model must not touch the streams");
            assertEquals(0, scores.count());
        }
    }

    @Test
    void eachResultIsPublishedWholeWithItsInputsFrameId() throws Exception {
        SharedMemory frames = streams.create(DType.FLOAT32, 64, 64);
        SharedMemory scores = streams.create(DType.FLOAT32, 64, 10);
        float[] flat = new float[64 * 64];
        float[][] frame = new float[64][64];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) random.nextGaussian();
            frame[i / 64][i % 64] = flat[i];
        }
        try (OrtSession mlp = Models.session("mlp", DType.FLOAT32, 64, 64);
             StreamInference model = StreamInference.create(ENV, mlp, frames, scores);
             OnnxTensor copied = OnnxTensor.createTensor(ENV, frame)) {
            frames.write(flat, 77);
            assertEquals(1, model.runLatest());
            float[][] reference = LeasedTensorTest.values2d(mlp.run(Map.of("frame", copied)));
            try (Publication result = scores.readPublication()) {
                assertEquals(1, result.count());
                assertEquals(77, result.frameId(), "the result must carry its input's frame id");
                for (int r = 0; r < 64; r++) {
                    for (int c = 0; c < 10; c++) {
                        assertEquals(reference[r][c], result.payload().getFloat(4L * (r * 10 + c)), "row " + r);
                    }
                }
            }
        }
    }

    @Test
    void aFailedRunAbortsTheOutputsWriteInsteadOfPublishingPartOfIt() throws Exception {
        SharedMemory frames = streams.create(DType.FLOAT32, 64, 64);
        SharedMemory scores = streams.create(DType.FLOAT32, 32, 10); // fits the model's free row count, not this frame
        scores.write(new float[320]);
        try (OrtSession mlp = Models.session("mlp", DType.FLOAT32, -1, 64);
             StreamInference model = StreamInference.create(ENV, mlp, frames, scores)) {
            frames.write(new float[64 * 64]);
            InferenceException e = assertThrows(InferenceException.class, model::runLatest);
            assertTrue(e.getMessage().contains("stream '" + scores.name() + "'"), e.getMessage());
            assertThrows(InconsistentStreamException.class, scores::read, "readers must see the failed write");
            assertEquals(1, scores.count(), "nothing may be published for a failed run");
        }
    }

    @Test
    void runAfterWaitsForANewFrameAndGivesUpAtItsDeadline() throws Exception {
        SharedMemory frames = streams.create(DType.FLOAT32, 4, 8);
        SharedMemory doubled = streams.create(DType.FLOAT32, 4, 8);
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             StreamInference model = StreamInference.create(ENV, session, frames, doubled)) {
            long start = System.nanoTime();
            assertThrows(StreamTimeoutException.class, () -> model.runAfter(0, Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
            frames.write(new float[32], 5);
            frames.write(filled(32, 3f), 6);
            assertEquals(2, model.runAfter(0, Duration.ofSeconds(5)), "the latest frame, at once");
            assertThrows(StreamTimeoutException.class, () -> model.runAfter(2, Duration.ofMillis(100)));
            float[] out = new float[32];
            doubled.readInto(out);
            assertArrayEquals(filled(32, 6f), out);
            assertEquals(6, doubled.frameId());
        }
    }

    @Test
    void aClosedInferenceRefusesToRun() throws Exception {
        SharedMemory frames = streams.create(DType.FLOAT32, 4, 8);
        SharedMemory doubled = streams.create(DType.FLOAT32, 4, 8);
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8)) {
            StreamInference model = StreamInference.create(ENV, session, frames, doubled);
            model.close();
            model.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, model::runLatest);
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
            assertEquals(0, doubled.count());
            doubled.read().close(); // the aborted write view left the output readable
        }
    }

    @Test
    void withAPythonWriterRacingEveryResultIsTheResultOfTheFrameItNames() throws Exception {
        SharedMemory frames = streams.create(DType.FLOAT32, 256, 256);
        SharedMemory doubled = streams.create(DType.FLOAT32, 256, 256);
        OnnxPython.executable();
        try (OrtSession session = Models.session("double", DType.FLOAT32, 256, 256);
             StreamInference model = StreamInference.create(ENV, session, frames, doubled);
             PeerProcess writer = PeerProcess.python("onnx_peer.py", "uniform", frames.name())) {
            writer.await("writing", Duration.ofSeconds(60));
            long seen = 0;
            int runs = 0;
            long distinct = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < deadline || runs < 100) {
                long count = model.runAfter(seen, Duration.ofSeconds(10));
                distinct += count > seen ? 1 : 0;
                seen = count;
                runs++;
                try (Publication result = doubled.readPublication()) {
                    float want = 2f * result.frameId();
                    assertTrue(result.frameId() > 0);
                    for (long i = 0; i < result.payload().capacity(); i += 4) {
                        float got = result.payload().getFloat(i);
                        if (got != want) {
                            throw new AssertionError("result published as frame " + result.frameId() + " holds " + got
                                    + " at byte " + i + ": a torn input, or another frame's result");
                        }
                    }
                }
            }
            assertEquals(runs, distinct, "runAfter returned a count it had already processed");
        }
    }

    private static float[] filled(int n, float value) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    private static void assertRefused(String message, org.junit.jupiter.api.function.Executable create) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, create);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}

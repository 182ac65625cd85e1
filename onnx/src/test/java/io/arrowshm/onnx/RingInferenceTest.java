package io.arrowshm.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.PeerProcess;
import io.arrowshm.testing.RingFrames;
import io.arrowshm.testing.RingPeer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One model between two rings: checked before it touches either ring, one output per input with
 * the input's frame id or position, a failed run or a full output ring keeps the frame for the
 * next call (and for the cursor's next reader after close), and, with a writer lapping an
 * OVERWRITE ring, no output is ever the result of a torn frame.
 */
class RingInferenceTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final Duration SECOND = Duration.ofSeconds(1);
    private final TestRings rings = new TestRings("onnx-ring-inference");

    @AfterEach
    void cleanUp() {
        rings.removeAll();
    }

    @Test
    void theModelIsCheckedAgainstTheRingsBeforeEitherIsTouched() throws Exception {
        Ring frames = rings.create(RingOptions.of(DType.FLOAT32, 64, 64));
        Ring scores = rings.create(RingOptions.of(DType.FLOAT32, 64, 10));
        try (OrtSession mlp = Models.session("mlp", DType.FLOAT32, 64, 64)) {
            assertRefused("has no input 'pixels'", () -> RingInference.builder(ENV, mlp)
                    .input("pixels", frames, "onnx", CursorOptions.defaults()).output(scores).build());
            assertRefused("has no output 'logits'", () -> RingInference.builder(ENV, mlp)
                    .input(frames, "onnx").output("logits", scores).build());
            assertRefused("holds ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT but ring '", () -> RingInference.builder(ENV, mlp)
                    .input(rings.create(RingOptions.of(DType.FLOAT64, 64, 64)), "onnx").output(scores).build());
            assertRefused("has shape [64, 10] (-1: any size) but ring '", () -> RingInference.builder(ENV, mlp)
                    .input(frames, "onnx").output(rings.create(RingOptions.of(DType.FLOAT32, 64, 11))).build());
            assertRefused("cannot be both the model's input and its output", () -> RingInference.builder(ENV, mlp)
                    .input(frames, "onnx").output(frames).build());
            assertThrows(IllegalStateException.class, () -> RingInference.builder(ENV, mlp).output(scores).build());
            assertTrue(frames.cursors().isEmpty(), "a refused model must not attach a cursor");
            assertEquals(0, scores.info().writerPid(), "a refused model must not take the writer lease");
        }
    }

    @Test
    void everyInputGetsOneOutputCarryingItsFrameIdOrItsPosition() throws Exception {
        Ring frames = rings.create(RingOptions.of(DType.FLOAT32, 4, 8).capacity(4));
        Ring doubled = rings.create(RingOptions.of(DType.FLOAT32, 4, 8).capacity(8));
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             RingWriter writer = frames.writer();
             RingReader results = doubled.reader("check")) {
            for (int p = 0; p < 3; p++) {
                writer.write(ExactFrames.frame(p, 32), 100 + p);
            }
            try (RingInference model = RingInference.builder(ENV, session).input(frames, "onnx").output(doubled)
                    .build()) {
                assertEquals(0, model.runNext(SECOND));
                assertEquals(1, model.runNext(SECOND));
            }
            try (RingInference model = RingInference.builder(ENV, session).input(frames, "onnx").output(doubled)
                    .frameIds(RingInference.FrameIds.INPUT_POSITION).build()) {
                assertEquals(2, model.position(), "a new inference on the cursor resumes where the last stopped");
                assertEquals(2, model.runNext(SECOND));
                assertThrows(StreamTimeoutException.class, () -> model.runNext(Duration.ofMillis(100)));
                assertFalse(model.hasPending());
            }
            long[] ids = {100, 101, 2};
            for (int p = 0; p < 3; p++) {
                try (RingFrame f = results.take(SECOND)) {
                    assertEquals(p, f.position());
                    assertEquals(ids[p], f.frameId());
                    for (int i = 0; i < 32; i++) {
                        assertEquals(2 * ExactFrames.value(p, i), f.buffer().getFloat(4L * i), "frame " + p);
                    }
                }
            }
            assertEquals(0, results.available(), "one output per input, no more");
        }
    }

    @Test
    void aFailedRunKeepsItsFrameForTheNextCallAndForTheCursorsNextReader() throws Exception {
        Ring frames = rings.create(RingOptions.of(DType.FLOAT32, 64, 64).capacity(4));
        Ring scores = rings.create(RingOptions.of(DType.FLOAT32, 32, 10).capacity(4)); // fits the free rows, not the frame
        try (OrtSession mlp = Models.session("mlp", DType.FLOAT32, -1, 64);
             RingWriter writer = frames.writer()) {
            writer.write(new float[64 * 64], 9L);
            try (RingInference model = RingInference.builder(ENV, mlp).input(frames, "onnx").output(scores).build()) {
                InferenceException e = assertThrows(InferenceException.class, () -> model.runNext(SECOND));
                assertTrue(e.getMessage().contains("ring '" + scores.name() + "'"), e.getMessage());
                assertTrue(model.hasPending());
                assertThrows(InferenceException.class, () -> model.runNext(SECOND), "the same frame, tried again");
                assertEquals(0, model.position(), "a frame without an output is not consumed");
            }
            assertEquals(0, scores.writePosition(), "nothing is written for a failed run");
            try (RingReader next = frames.reader("onnx"); RingFrame f = next.take(SECOND)) {
                assertEquals(0, f.position(), "the cursor's next reader gets the frame that failed");
                assertEquals(9L, f.frameId());
            }
        }
    }

    @Test
    void aFullOutputRingKeepsTheComputedResultUntilThereIsSpace() throws Exception {
        Ring frames = rings.create(RingOptions.of(DType.FLOAT32, 4, 8).capacity(4));
        Ring doubled = rings.create(RingOptions.of(DType.FLOAT32, 4, 8).capacity(1));
        try (OrtSession session = Models.session("double", DType.FLOAT32, 4, 8);
             RingWriter writer = frames.writer();
             RingReader sink = doubled.reader("sink");
             RingInference model = RingInference.builder(ENV, session).input(frames, "onnx").output(doubled).build()) {
            writer.write(ExactFrames.frame(0, 32), 0);
            writer.write(ExactFrames.frame(1, 32), 1);
            assertEquals(0, model.runNext(SECOND));
            assertThrows(StreamTimeoutException.class, () -> model.runNext(Duration.ofMillis(100)),
                    "the sink holds the only output slot");
            assertTrue(model.hasPending());
            assertEquals(1, model.position());
            sink.take(SECOND).close();
            assertEquals(1, model.runNext(SECOND));
            assertEquals(2, model.position());
            try (RingFrame f = sink.take(SECOND)) {
                assertEquals(1L, f.frameId());
                assertEquals(2 * ExactFrames.value(1, 5), f.buffer().getFloat(20));
            }
        }
    }

    @Test
    void withAWriterLappingAnOverwriteRingNoOutputIsTheResultOfATornFrame() throws Exception {
        int words = 64 * 1024; // 512 KiB frames: a run takes long enough for the writer to lap it
        Ring frames = rings.create(RingOptions.of(DType.INT64, words).capacity(2).overflow(Overflow.OVERWRITE));
        Ring copies = rings.create(RingOptions.of(DType.INT64, words).capacity(4));
        try (OrtSession identity = Models.session("identity", DType.INT64, words);
             RingReader results = copies.reader("check");
             RingInference model = RingInference.builder(ENV, identity).input(frames, "onnx").output(copies).build();
             PeerProcess writer = PeerProcess.java(RingPeer.class, "write-loop", frames.name())) {
            writer.await("writing", Duration.ofSeconds(60));
            long outputs = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < deadline || outputs < 50) {
                model.runNext(Duration.ofSeconds(10));
                try (RingFrame f = results.take(SECOND)) {
                    outputs++;
                    if (!RingFrames.check(f.buffer(), copies.size(), f.frameId())) {
                        throw new AssertionError("output " + f.position() + ", published as frame " + f.frameId()
                                + ", is not that frame: a torn input reached the output");
                    }
                }
            }
            assertTrue(model.lost() > 0, "the writer never lapped the reader: the test proved nothing");
            System.out.println("[ring inference] " + outputs + " outputs, " + model.discarded() + " runs discarded, "
                    + model.lost() + " frames lost");
        }
    }

    private static void assertRefused(String message, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}

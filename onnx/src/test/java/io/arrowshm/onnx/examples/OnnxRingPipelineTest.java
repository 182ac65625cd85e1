package io.arrowshm.onnx.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.onnx.Models;
import io.arrowshm.onnx.OnnxPython;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ring pipeline, Python to Java to Python, four processes: a Python reader (arrow_shm)
 * attaches to the output ring and will check every result against onnxruntime in Python; the
 * OnnxRingPipeline main in its own JVM runs the model on every frame of the input ring, zero-copy
 * in; a Python producer writes exact frames (the same bits in both languages) to a small BLOCK
 * ring. Every frame gets exactly one result, in order, carrying its position, equal to Python's.
 */
class OnnxRingPipelineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int FRAMES = 300;
    private final String frames = Names.unique("onnx-ring-frames");
    private final String scores = Names.unique("onnx-ring-scores");

    @AfterEach
    void removeRings() {
        Ring.unlink(frames);
        Ring.unlink(scores);
    }

    @Test
    void everyPythonFrameGetsExactlyOneResultInOrderAndPythonsOnnxRuntimeAgrees() {
        String model = Models.model("mlp", DType.FLOAT32, 64, 64).toString();
        OnnxPython.executable();
        String count = Integer.toString(FRAMES);
        try (Ring input = Ring.create(frames, RingOptions.of(DType.FLOAT32, 64, 64).capacity(8));
             Ring output = Ring.create(scores, RingOptions.of(DType.FLOAT32, 64, 10).capacity(8));
             PeerProcess checker = PeerProcess.python("onnx_ring_check.py", model, scores, count, "64x64")) {
            checker.await("ready", TIMEOUT); // its cursor holds the worker back from here on
            try (PeerProcess worker = PeerProcess.java(OnnxRingPipeline.class, model, frames, "onnx", scores, count)) {
                worker.await("ready", TIMEOUT); // and the worker's cursor the producer
                try (PeerProcess producer = PeerProcess.python("onnx_ring_producer.py", frames, count)) {
                    assertEquals(List.of("writing", "wrote " + FRAMES), producer.finish(TIMEOUT));
                }
                assertEquals(List.of("done " + FRAMES + " lost 0"), worker.finish(TIMEOUT));
            }
            List<String> said = checker.finish(TIMEOUT);
            assertEquals(1, said.size(), "the checker said " + said);
            assertTrue(said.get(0).startsWith("ok " + FRAMES + " "), "the checker said " + said);
            assertEquals(FRAMES, input.cursors().stream().filter(c -> c.name().equals("onnx")).findFirst()
                    .orElseThrow().position(), "the worker's cursor is past every frame");
        }
    }
}

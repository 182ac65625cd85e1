package io.arrowshm.onnx.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.onnx.Models;
import io.arrowshm.onnx.OnnxPython;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example end to end, four real processes: Python builds the model with the onnx package;
 * a Python producer publishes frames; the OnnxFramePipeline main in its own JVM runs the model on
 * each, zero-copy in and out; a Python reader checks every result against onnxruntime in Python
 * on the same frame, and acknowledges it before the producer sends the next.
 */
class OnnxFramePipelineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String FRAMES = "200";
    private final String frames = Names.unique("onnx-frames");
    private final String scores = Names.unique("onnx-scores");
    private final String acks = Names.unique("onnx-acks");

    @AfterEach
    void removeStreams() {
        SharedMemory.unlink(frames); // silent when the producer already did
        SharedMemory.unlink(scores);
        SharedMemory.unlink(acks);
    }

    @Test
    void javaRunsTheModelOnEveryPythonFrameAndPythonsOnnxRuntimeAgrees() {
        String model = Models.model("mlp", DType.FLOAT32, 64, 64).toString();
        OnnxPython.executable();
        try (PeerProcess producer = PeerProcess.python("onnx_producer.py", frames, scores, acks, FRAMES, "64x64", "64x10")) {
            producer.await("ready", TIMEOUT);
            try (PeerProcess checker = PeerProcess.python("onnx_checker.py", model, scores, acks, FRAMES, "64x64");
                 PeerProcess worker = PeerProcess.java(OnnxFramePipeline.class, model, frames, scores, FRAMES)) {
                List<String> checked = checker.finish(TIMEOUT);
                assertEquals(1, checked.size(), "the checker said " + checked);
                assertTrue(checked.get(0).startsWith("ok " + FRAMES + " "), "the checker said " + checked);
                assertEquals(List.of("ready", "done " + FRAMES), worker.finish(TIMEOUT));
                assertEquals(List.of("sent " + FRAMES), producer.finish(TIMEOUT));
            }
        }
    }
}

package io.arrowshm.onnx.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.onnx.ExactFrames;
import io.arrowshm.onnx.Models;
import io.arrowshm.onnx.OnnxPython;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ring pipeline across four processes: a producer JVM writes exact frames (ExactFrames) to a
 * small BLOCK ring, the OnnxRingPipeline main in its own JVM runs the model on every one of them
 * zero-copy, this JVM takes every result from the output ring, and Python's onnxruntime, given
 * the same frames rebuilt from their positions, agrees with each. The producer is a JVM because
 * the Python ring package (arrow_shm, branch python) has not landed on main yet.
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
    void everyFrameGetsExactlyOneResultInOrderAndPythonsOnnxRuntimeAgrees() throws IOException {
        String model = Models.model("mlp", DType.FLOAT32, 64, 64).toString();
        OnnxPython.executable();
        Path results = Files.createTempFile("arrowshm-onnx-ring", ".f32");
        try (Ring input = Ring.create(frames, RingOptions.of(DType.FLOAT32, 64, 64).capacity(8));
             Ring output = Ring.create(scores, RingOptions.of(DType.FLOAT32, 64, 10).capacity(8));
             RingReader check = output.reader("check"); // attached first: the worker waits for this reader
             PeerProcess worker = PeerProcess.java(OnnxRingPipeline.class, model, frames, "onnx", scores,
                     Integer.toString(FRAMES));
             OutputStream out = Files.newOutputStream(results)) {
            worker.await("ready", TIMEOUT); // its cursor holds the producer back from here on
            try (PeerProcess producer = PeerProcess.java(ExactFrames.class, frames, Integer.toString(FRAMES))) {
                ByteBuffer bytes = ByteBuffer.allocate((int) output.size()).order(ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < FRAMES; p++) {
                    try (RingFrame f = check.take(TIMEOUT)) {
                        assertEquals(p, f.position(), "results come in order, one per frame");
                        assertEquals(p, f.frameId(), "each result carries its input's position");
                        assertEquals(0, f.lost());
                        f.buffer().getBytes(0, bytes);
                        out.write(bytes.array());
                        bytes.clear();
                    }
                }
                assertEquals(List.of("writing", "wrote " + FRAMES), producer.finish(TIMEOUT));
            }
            assertEquals(List.of("done " + FRAMES + " lost 0"), worker.finish(TIMEOUT));
            assertEquals(0, check.available(), "no result beyond one per frame");
            assertEquals(FRAMES, input.cursors().stream().filter(c -> c.name().equals("onnx")).findFirst()
                    .orElseThrow().position(), "the worker's cursor is past every frame");
        }
        try (PeerProcess checker = PeerProcess.python("onnx_ring_check.py", model, results.toString(),
                Integer.toString(FRAMES), "64x64")) {
            List<String> said = checker.finish(TIMEOUT);
            assertEquals(1, said.size(), "the checker said " + said);
            assertTrue(said.get(0).startsWith("ok " + FRAMES + " "), "the checker said " + said);
        } finally {
            Files.deleteIfExists(results);
        }
    }
}

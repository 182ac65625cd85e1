package io.arrowshm.nd4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example end to end, as two real processes: Python (pyshmem) produces frames and checks
 * every result with NumPy; the FramePipeline main in a separate JVM computes them from an
 * ND4J view.
 */
class FramePipelineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String FRAMES = "50";
    private final String input = Names.unique("frames");
    private final String output = Names.unique("features");

    @AfterEach
    void removeStreams() {
        SharedMemory.unlink(input);
        SharedMemory.unlink(output);
    }

    @Test
    void javaComputesEveryPythonFrameAndPythonChecksEveryResult() {
        try (PeerProcess python = PeerProcess.python("frame_pipeline.py", input, output, FRAMES)) {
            python.await("ready", TIMEOUT);
            try (PeerProcess worker = PeerProcess.java(FramePipeline.class, input, output, FRAMES)) {
                List<String> checked = python.finish(TIMEOUT);
                assertEquals(1, checked.size(), "python said " + checked);
                assertTrue(checked.get(0).startsWith("ok " + FRAMES + " "), "python said " + checked);
                assertEquals(List.of("ready", "done " + FRAMES), worker.finish(TIMEOUT));
            }
        }
    }
}

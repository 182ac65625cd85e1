package io.arrowshm.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JVM survives misuse of ring tensors (in a child JVM, so a SIGSEGV or SIGBUS in ONNX
 * Runtime's native code would show as a failed process): a lease closed behind its tensor's
 * back, lease, reader and ring all closed under a live tensor, a ring file cut short under
 * {@link OnnxRings} and {@link RingInference}. Each is refused with a clear error or works.
 */
class RingMisuseTest {
    @Test
    void theJvmSurvivesEveryMisuseOfRingTensors() {
        String model = Models.model("double", DType.FLOAT32, 64, 64).toString();
        String name = Names.unique("onnx-ring-misuse");
        List<String> lines;
        try (PeerProcess child = PeerProcess.java(OnnxRingMisusePeer.class, model, name)) {
            lines = child.finish(Duration.ofSeconds(120));
        }
        assertEquals(List.of("returned", "IllegalStateException", "returned", "returned", "SharedMemoryException",
                "returned", "returned", "SharedMemoryException", "alive"),
                lines.stream().map(l -> l.split(":")[0]).toList(), "the child said " + lines);
        assertTrue(lines.get(1).contains("closed tensor over ring '" + name + "'"), lines.get(1));
        assertTrue(lines.get(4).contains("truncated"), lines.get(4));
    }
}

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
 * The JVM survives every misuse of the API (in a child JVM, so a SIGSEGV or SIGBUS in ONNX
 * Runtime's native code would show as a failed process): tensors kept past their lease, closed
 * twice, closed while four threads run them, outliving their handle, over a truncated segment;
 * a closed session; a closed result. Each is refused with a clear error or works.
 */
class MisuseTest {
    @Test
    void theJvmSurvivesEveryMisuseWithAClearError() {
        String model = Models.model("double", DType.FLOAT32, 64, 64).toString();
        String name = Names.unique("onnx-misuse");
        List<String> lines;
        try (PeerProcess child = PeerProcess.java(OnnxMisusePeer.class, model, name)) {
            lines = child.finish(Duration.ofSeconds(120));
        } finally {
            io.arrowshm.SharedMemory.unlink(name);
        }
        assertEquals(12, lines.size(), "the child said " + lines);
        expect(lines.get(0), "IllegalStateException: cannot run a model on a closed tensor over stream '" + name
                + "': it was valid only until its lease ended");
        expect(lines.get(1), "IllegalStateException: cannot run a model on a closed tensor");
        expect(lines.get(2), "returned");
        expect(lines.get(3), "returned");
        expect(lines.get(4), "SharedMemoryException");
        expect(lines.get(5), "SharedMemoryException");
        expect(lines.get(6), "returned");
        expect(lines.get(7), "IllegalStateException");
        assertTrue(lines.get(7).contains("closed OrtSession"), lines.get(7));
        expect(lines.get(8), "IllegalStateException: Trying to use a closed OnnxValue");
        expect(lines.get(9), "InferenceException");
        expect(lines.get(10), "IllegalArgumentException: runInto needs at least one output tensor");
        assertEquals("alive", lines.get(11));
    }

    private static void expect(String line, String start) {
        assertTrue(line.startsWith(start), "expected '" + start + "...', got: " + line);
    }
}

package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import io.arrowshm.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What real pyshmem 1.4.0 does with arrow-shm's GPU record: its restricted unpickler must
 * refuse it cleanly (that refusal is what sends a default-mode open to the CPU mirror).
 */
class PyshmemReadsRecordTest {

    private static String python() {
        String configured = System.getProperty("arrowshm.python");
        Path path = configured != null ? Path.of(configured) : Path.of("..", ".venv", "bin", "python");
        if (!Files.isExecutable(path)) {
            String reason = "no python with pyshmem at " + path.toAbsolutePath() + " (run scripts/python-env.sh)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(reason);
            }
            abort(reason);
        }
        return path.toString();
    }

    @Test
    void pyshmemsUnpicklerRefusesTheRecordCleanly() throws IOException, InterruptedException {
        byte[] handle = new byte[64];
        handle[0] = 1;
        byte[] record = GpuRecord.forPayload(0, DType.FLOAT32, new long[] {2, 3}, handle, 1234).encode();
        String script = String.join("\n",
                "import pickle, sys",
                "from pyshmem import _shared",
                "try:",
                "    _shared._loads_cuda_handle(bytes.fromhex(sys.argv[1]))",
                "    print('accepted')",
                "except pickle.UnpicklingError as e:",
                "    print('UnpicklingError:', e)");
        Process p = new ProcessBuilder(python(), "-c", script, HexFormat.of().formatHex(record))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();

        assertEquals(0, p.exitValue(), out);
        assertEquals("UnpicklingError: invalid load key, 'A'.", out);
    }
}

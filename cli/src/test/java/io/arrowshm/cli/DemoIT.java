package io.arrowshm.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.testing.Python;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code demo} runs the examples module's live demo from the one jar: its producer and
 * consumer JVMs start from the jar's class path, and the pyshmem reader from the venv.
 */
class DemoIT {
    @Test
    void runsProducerConsumerAndPyshmemReaderFromTheJar() {
        String python = Python.executable();
        Cli.Result demo = Cli.run(Map.of("ARROWSHM_PYTHON", python),
                "demo", "--seconds", "2", "--fps", "50", "--shape", "16x16").ok();
        List<String> lines = demo.outLines();
        assertTrue(lines.contains("demo finished: every process exited cleanly"), demo::toString);
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[java producer ] done, count [1-9][0-9]*")), demo::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("[java consumer ] total ") && l.endsWith("torn 0")),
                demo::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("[pyshmem reader] total ") && l.endsWith("torn 0")),
                demo::toString);
    }
}

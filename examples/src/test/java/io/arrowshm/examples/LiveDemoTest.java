package io.arrowshm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's first command, run as a new user would: separate producer, consumer and pyshmem processes. */
class LiveDemoTest {
    @Test
    void demoRunsProducerConsumerAndPyshmemReader() throws Exception {
        String python = System.getProperty("arrowshm.python", "");
        boolean havePython = Files.isExecutable(Path.of(python));
        if (!havePython && "true".equals(System.getenv("CI"))) {
            fail("no python with pyshmem at " + python);
        }
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                LiveDemo.class.getName(), "--seconds", "2", "--fps", "100", "--shape", "64x64")
                .redirectErrorStream(true);
        builder.environment().put("ARROWSHM_PYTHON", python);
        Process demo = builder.start();
        if (!demo.waitFor(120, TimeUnit.SECONDS)) {
            demo.destroyForcibly();
            fail("the demo did not finish in 120 s");
        }
        List<String> lines = output(demo);
        assertEquals(0, demo.exitValue(), String.join("\n", lines));
        assertTrue(lines.contains("demo finished: every process exited cleanly"), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("[java consumer ] total ") && l.endsWith("torn 0")),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[java producer ] done, count [1-9][0-9]+")),
                String.join("\n", lines));
        if (havePython) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("[pyshmem reader] total ") && l.endsWith("torn 0")),
                    String.join("\n", lines));
        }
    }

    @Test
    void ringDemoGivesEveryFrameToEveryReaderAndTheRecorder(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String python = System.getProperty("arrowshm.python", "");
        Path file = dir.resolve("demo.arrow");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                LiveDemo.class.getName(), "--ring", "--record", file.toString(), "--seconds", "2", "--fps", "100",
                "--shape", "64x64")
                .redirectErrorStream(true);
        builder.environment().put("ARROWSHM_PYTHON", python);
        Process demo = builder.start();
        if (!demo.waitFor(180, TimeUnit.SECONDS)) {
            demo.destroyForcibly();
            fail("the ring demo did not finish in 180 s");
        }
        List<String> lines = output(demo);
        String all = String.join("\n", lines);
        assertEquals(0, demo.exitValue(), all);
        assertTrue(lines.contains("demo finished: every process exited cleanly"), all);
        String produced = lines.stream().filter(l -> l.startsWith("[java producer ] done, ")).findFirst().orElseThrow();
        long frames = Long.parseLong(produced.split(" ")[4]);
        assertTrue(frames > 0, produced);
        // Every reader got every frame: total N frames, lost 0.
        assertTrue(lines.contains("[java consumer ] total " + frames + " frames, lost 0, torn 0, at position " + frames), all);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("[recorder      ] total " + frames + " frames, lost 0,")), all);
        assertTrue(Files.size(file) > frames * 64 * 64 * 4, "the recording holds every frame");
        if (lines.stream().anyMatch(l -> l.startsWith("[python reader ]"))) {
            assertTrue(lines.contains("[python reader ] total " + frames + " frames, lost 0, torn 0, at position " + frames),
                    all);
        }
    }

    private static List<String> output(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
}

package io.arrowshm.gpu.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The device check's report lines and summary, for every outcome a check can have. */
@Timeout(30)
class CheckRunnerTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final CheckRunner runner = new CheckRunner(Duration.ofSeconds(1), new PrintStream(printed, true,
            StandardCharsets.UTF_8));

    @Test
    void eachOutcomeIsOneLineWithItsTimeAndTheSummaryCountsThem() {
        CountDownLatch never = new CountDownLatch(1);
        runner.run("passes", () -> "4 MiB, 1.0 ms");
        runner.run("fails", () -> {
            throw new IllegalStateException("cuMemcpyHtoD failed", new RuntimeException("underneath"));
        });
        runner.run("skips", () -> {
            throw new CheckRunner.Skip("missing helper x.py");
        });
        runner.run("hangs", () -> {
            never.await();
            return "never";
        });
        runner.run("after", () -> "still runs");

        List<String> lines = runner.lines();
        assertEquals(5, lines.size());
        assertTrue(lines.get(0).matches("CHECK passes: PASS 4 MiB, 1\\.0 ms \\[\\d+\\.\\d s]"), lines.get(0));
        assertTrue(lines.get(1).matches("CHECK fails: FAIL java.lang.IllegalStateException: cuMemcpyHtoD failed"
                + " <- java.lang.RuntimeException: underneath \\[\\d+\\.\\d s]"), lines.get(1));
        assertTrue(lines.get(2).matches("CHECK skips: SKIP missing helper x\\.py \\[\\d+\\.\\d s]"), lines.get(2));
        assertTrue(lines.get(3).startsWith("CHECK hangs: FAIL still running after 1 s, at:\n      at "), lines.get(3));
        assertTrue(lines.get(3).contains("CountDownLatch.await"), lines.get(3));
        assertTrue(lines.get(4).startsWith("CHECK after: PASS still runs ["), lines.get(4));
        assertEquals(2, runner.failed());
        assertEquals("SUMMARY: 3 of 5 checks passed, 2 failed", runner.summary());
        assertEquals(String.join("\n", lines) + "\n", printed.toString(StandardCharsets.UTF_8));
        never.countDown();
    }

    @Test
    void factsThatMentionFailAreNotAFailure() {
        runner.run("truncation", () -> "the child printed 'round 1: FAIL would be a crash'");
        assertEquals(0, runner.failed());
        assertEquals("SUMMARY: 1 of 1 checks passed", runner.summary());
    }
}

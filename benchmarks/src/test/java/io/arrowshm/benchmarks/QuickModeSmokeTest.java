package io.arrowshm.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.benchmarks.jmh.JmhStage;
import io.arrowshm.benchmarks.report.Results;
import io.arrowshm.tools.PythonLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the whole suite in {@code --quick} mode, as CI does on every build, and checks that
 * every case produced a figure. It never looks at how fast anything was: timings on a shared
 * build machine say nothing, and a benchmark that stopped running would otherwise go unnoticed.
 */
class QuickModeSmokeTest {
    @Test
    void everyCaseProducesAFigure() throws Exception {
        Path out = Path.of("target", "smoke-results");
        Results results = BenchRun.run(Options.parse("--quick", "--out", out.toString()),
                line -> System.out.println("[smoke] " + line));
        ResultFiles.write(results, out);

        assertEquals(List.of(), BenchRun.missing(results, Catalog.javaKeys()),
                "Java cases without a figure; reasons: " + results.skipped());
        boolean python = PythonLocator.find(null).isPresent();
        if (python || "true".equals(System.getenv("CI"))) {
            assertEquals(List.of(), BenchRun.missing(results, Catalog.pythonKeys()),
                    "pyshmem cases without a figure; reasons: " + results.skipped());
        } else {
            System.out.println("[smoke] no python3 with pyshmem 1.4.0: its cases were skipped, " + results.skipped());
        }
        boolean jdk25 = Files.isExecutable(JmhStage.jdk25Home().resolve("bin").resolve("java"));
        if (jdk25 || "true".equals(System.getenv("CI"))) {
            assertEquals(List.of(), BenchRun.missing(results, Catalog.jdk25Keys()),
                    "JDK 25 cases without a figure; reasons: " + results.skipped());
        } else {
            System.out.println("[smoke] no JDK 25: its column was skipped, " + results.skipped());
        }
        assertEquals(32, results.targets().size(), "every target is reported, met or not");
        for (String file : List.of(ResultFiles.JSON, ResultFiles.MARKDOWN)) {
            assertTrue(Files.size(out.resolve(file)) > 0, file + " written");
        }
    }
}

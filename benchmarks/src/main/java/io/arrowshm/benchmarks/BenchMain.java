package io.arrowshm.benchmarks;

import io.arrowshm.benchmarks.report.Results;
import io.arrowshm.benchmarks.report.Skipped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar benchmarks/target/arrow-shm-benchmarks.jar [--quick]}: runs every benchmark
 * (JMH in one JVM, the same operations in pyshmem, the cross-process ping-pongs and lossless
 * throughput) and writes results.json, results.md and roundtrip.png. Exit status 0 when every
 * case of the stages run produced a figure, 2 when some did not (they are listed), 1 on a usage error.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        Results results = BenchRun.run(options, line -> System.out.println("[bench] " + line));
        ResultFiles.write(results, options.out());

        System.out.println();
        System.out.println(java.nio.file.Files.readString(options.out().resolve(ResultFiles.MARKDOWN)));
        System.out.println("[bench] results: " + options.out().toAbsolutePath() + "/{" + ResultFiles.JSON + ", "
                + ResultFiles.MARKDOWN + ", " + ResultFiles.PLOT + "}");
        List<String> expected = new ArrayList<>(Catalog.javaKeys());
        expected.addAll(Catalog.pythonKeys());
        expected.removeIf(key -> !options.stages().contains(Catalog.stageOf(key)));
        List<String> missing = BenchRun.missing(results, expected);
        if (!missing.isEmpty()) {
            System.out.println("[bench] " + missing.size() + " case(s) without a figure: " + missing);
            for (Skipped s : results.skipped()) {
                System.out.println("[bench]   " + s.what() + ": " + s.reason());
            }
            System.exit(2);
        }
    }
}

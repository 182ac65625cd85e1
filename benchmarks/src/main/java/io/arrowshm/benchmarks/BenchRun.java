package io.arrowshm.benchmarks;

import io.arrowshm.benchmarks.jmh.JmhStage;
import io.arrowshm.benchmarks.pingpong.PingPongCase;
import io.arrowshm.benchmarks.pingpong.PingPongStage;
import io.arrowshm.benchmarks.process.PythonScripts;
import io.arrowshm.benchmarks.pyshmem.PyshmemStage;
import io.arrowshm.benchmarks.report.Machine;
import io.arrowshm.benchmarks.report.OpFigure;
import io.arrowshm.benchmarks.report.Results;
import io.arrowshm.benchmarks.report.RoundTrip;
import io.arrowshm.benchmarks.report.Skipped;
import io.arrowshm.benchmarks.report.Targets;
import io.arrowshm.benchmarks.report.Throughput;
import io.arrowshm.benchmarks.throughput.ThroughputCase;
import io.arrowshm.benchmarks.throughput.ThroughputStage;
import io.arrowshm.tools.PythonLocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** One run: the four stages in turn (each in processes of its own), then the targets. */
public final class BenchRun {
    static final String CAVEAT = "Figures depend on the machine and on what else it runs: a small VM shared with"
            + " other work gives noisy numbers. Compare ratios within one run rather than absolute figures"
            + " across runs.";
    static final String QUICK_CAVEAT = " This is a --quick run (a smoke test: one short iteration per case);"
            + " its figures are indicative only.";

    private BenchRun() {
    }

    public static Results run(Options options, Consumer<String> progress) {
        long start = System.nanoTime();
        Path logs = options.out().resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + logs, e);
        }
        Optional<String> python = PythonLocator.find(options.python());
        progress.accept("python: " + python.orElse("none with pyshmem 1.4.0 (Python cases are skipped)"));
        Machine machine = Machine.describe(python);
        PythonScripts scripts = PythonScripts.extractTo(logs.resolve("python"));

        List<OpFigure> operations = new ArrayList<>();
        List<RoundTrip> roundTrips = new ArrayList<>();
        List<Throughput> throughputs = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        RunMode mode = options.mode();
        if (options.stages().contains(Options.Stage.JMH)) {
            progress.accept("JMH, one JVM (" + mode.label() + "; JMH's own report in " + logs + "/jmh-*.log)");
            new JmhStage(mode, logs).run(operations, skipped);
        }
        if (options.stages().contains(Options.Stage.PYSHMEM)) {
            progress.accept("pyshmem micro-benchmarks");
            new PyshmemStage(mode, python, scripts, logs).run(operations, skipped);
        }
        if (options.stages().contains(Options.Stage.PINGPONG)) {
            new PingPongStage(mode, python, scripts, logs, progress).run(List.of(PingPongCase.values()), roundTrips,
                    skipped);
        }
        if (options.stages().contains(Options.Stage.THROUGHPUT)) {
            new ThroughputStage(mode, logs, progress).run(ThroughputCase.all(), throughputs, skipped);
        }
        String caveat = CAVEAT + (mode == RunMode.QUICK ? QUICK_CAVEAT : "");
        double seconds = (System.nanoTime() - start) / 1e9;
        Results partial = new Results(mode.label(), caveat, machine.finished(), seconds, operations, roundTrips,
                throughputs, List.of(), skipped);
        return new Results(partial.mode(), caveat, partial.machine(), seconds, operations, roundTrips, throughputs,
                Targets.evaluate(partial), skipped);
    }

    /** Catalog keys this run has no valid figure for. */
    public static List<String> missing(Results results, List<String> keys) {
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            boolean present = key.startsWith(Catalog.ROUND_TRIP)
                    ? results.roundTrip(key.substring(Catalog.ROUND_TRIP.length())).filter(RoundTrip::valid).isPresent()
                    : key.startsWith(Catalog.THROUGHPUT)
                    ? results.throughput(key.substring(Catalog.THROUGHPUT.length())).filter(Throughput::valid)
                            .isPresent()
                    : results.operations().stream().anyMatch(f -> f.key().equals(key) && f.valid());
            if (!present) {
                missing.add(key);
            }
        }
        return missing;
    }
}

package io.arrowshm.benchmarks.jmh;

import com.google.gson.Gson;
import io.arrowshm.benchmarks.RunMode;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.benchmarks.report.OpFigure;
import io.arrowshm.benchmarks.report.Skipped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Runs {@link JmhMain} in a child JVM with heap for the 400 MB frame, so the harness (or the
 * Surefire JVM of the smoke test) keeps its own small heap, and reads back its figures.
 */
public final class JmhStage {
    private final RunMode mode;
    private final Path logs;

    public JmhStage(RunMode mode, Path logs) {
        this.mode = mode;
        this.logs = logs;
    }

    public void run(List<OpFigure> figures, List<Skipped> skipped) {
        Path out = logs.resolve("jmh-figures.json");
        List<String> command = Commands.java(JmhMain.class, List.of(JmhMain.HEAP),
                List.of(mode.label(), out.toString(), logs.toString()));
        Duration limit = mode == RunMode.QUICK ? Duration.ofMinutes(5) : Duration.ofMinutes(60);
        int status;
        try (Child jmh = Child.start(command, "jmh", logs.resolve("jmh-stderr.log"))) {
            status = jmh.waitFor(limit);
        }
        if (status != 0 || !Files.isRegularFile(out)) {
            skipped.add(new Skipped("JMH benchmarks", "the JMH JVM " + (status < 0 ? "overran " + limit
                    : "exited with status " + status) + "; see " + logs + "/jmh-*.log"));
            return;
        }
        try {
            figures.addAll(Arrays.asList(new Gson().fromJson(Files.readString(out), OpFigure[].class)));
        } catch (IOException e) {
            skipped.add(new Skipped("JMH benchmarks", "cannot read " + out + ": " + e));
        }
    }
}

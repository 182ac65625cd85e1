package io.arrowshm.benchmarks.pyshmem;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.arrowshm.benchmarks.RunMode;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.benchmarks.process.PythonScripts;
import io.arrowshm.benchmarks.report.OpFigure;
import io.arrowshm.benchmarks.report.Skipped;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Runs {@code bench_pyshmem.py} (the same operations in pyshmem 1.4.0) and turns its JSON into figures. */
public final class PyshmemStage {
    private final RunMode mode;
    private final Optional<String> python;
    private final PythonScripts scripts;
    private final Path logs;

    public PyshmemStage(RunMode mode, Optional<String> python, PythonScripts scripts, Path logs) {
        this.mode = mode;
        this.python = python;
        this.scripts = scripts;
        this.logs = logs;
    }

    public void run(List<OpFigure> figures, List<Skipped> skipped) {
        if (python.isEmpty()) {
            skipped.add(new Skipped("pyshmem micro-benchmarks", "no python3 with pyshmem 1.4.0 found"));
            return;
        }
        RunMode.Python plan = mode.python();
        List<String> command = Commands.python(python.get(), scripts.path(PythonScripts.MICRO), List.of(
                "--warmup", Double.toString(plan.warmupSeconds()),
                "--max-seconds", Double.toString(plan.maxSecondsPerCase()),
                "--batches", Integer.toString(plan.batches()),
                "--batch-ns", Long.toString(plan.batchNanos())));
        Duration limit = mode == RunMode.QUICK ? Duration.ofMinutes(3) : Duration.ofMinutes(20);
        try (Child script = Child.start(command, "bench_pyshmem.py", logs.resolve("pyshmem-micro.log"))) {
            Optional<String> json = script.awaitLine("{", limit);
            if (json.isEmpty()) {
                skipped.add(new Skipped("pyshmem micro-benchmarks", script.failure()));
                return;
            }
            script.waitFor(Duration.ofSeconds(30));
            JsonObject document = new Gson().fromJson(json.get(), JsonObject.class);
            String statistic = document.get("statistic").getAsString();
            for (JsonElement element : document.getAsJsonArray("figures")) {
                JsonObject f = element.getAsJsonObject();
                figures.add(new OpFigure(f.get("impl").getAsString(), f.get("op").getAsString(),
                        f.get("shape").getAsString(), f.get("bytes").getAsLong(), f.get("ns_per_op").getAsDouble(),
                        null, f.get("batches").getAsLong(), statistic + " (batches of " + f.get("batch_size") + ")"));
            }
        }
    }
}

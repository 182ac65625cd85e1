package io.arrowshm.benchmarks.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.benchmarks.process.PythonScripts;
import io.arrowshm.tools.PythonLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Python → Java ONNX Runtime → Python, in one run: a Python process publishes float32 frames and
 * times each one until it has read the Java worker's result for it (lock-step, so frames/s is the
 * reciprocal of the mean round trip); this JVM is the worker, and takes each frame through the
 * model in the three {@link PipelineMode}s, side by side: the frame copied with {@code readInto}
 * first, the model reading the stream in place, and zero-copy both ways ({@code StreamInference}).
 * The model (onnx_model.py's {@code pool}: row means, a 10-way linear layer, softmax) costs about
 * as much per byte as a copy does, so the copy's share shows. Rounds rotate the modes; the median
 * round is reported. The last result of every round is checked against onnxruntime in Python. The
 * session runs on the worker's thread alone ({@link #singleThreaded}).
 *
 * <pre>{@code
 * benchmarks/onnx.sh [--rounds 5] [--frames 2000] [--warmup 500] [--out DIR]
 * }</pre>
 * Results: {@code DIR/onnx.md} (default {@code benchmarks/target/results}), each Python process's stderr under {@code DIR/logs/}.
 */
public final class OnnxBench {
    private static final Duration START = Duration.ofSeconds(120);
    private static final long[][] FRAMES = {{64, 64}, {1536, 512}};

    private final String python;
    private final PythonScripts scripts;
    private final Path logs;
    private final int rounds;
    private final int frames;
    private final int warmup;

    private OnnxBench(String python, PythonScripts scripts, Path logs, int rounds, int frames, int warmup) {
        this.python = python;
        this.scripts = scripts;
        this.logs = logs;
        this.rounds = rounds;
        this.frames = frames;
        this.warmup = warmup;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        int frames = 2000;
        int warmup = 500;
        Path out = Path.of("benchmarks/target/results");
        String pythonArg = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--frames" -> frames = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--python" -> pythonArg = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: [--rounds N] [--frames N] [--warmup N] [--out DIR] [--python PATH]");
            }
        }
        String python = PythonLocator.find(pythonArg).orElseThrow(
                () -> new IllegalStateException("no python3 with pyshmem; pass --python PATH"));
        Path logs = Files.createDirectories(out.resolve("logs"));
        Path work = Files.createTempDirectory("arrowshm-onnx-bench");
        OnnxBench bench = new OnnxBench(python, PythonScripts.extractTo(work), logs, rounds, frames, warmup);

        List<String> report = new ArrayList<>();
        report.add("# ONNX Runtime pipeline: Python → Java (ONNX Runtime) → Python");
        report.add("");
        report.add(String.format(Locale.ROOT, "%s; %d cores, load average %s at the start; JDK %s; %s; onnxruntime"
                        + " (Java) %s; lock-step, %d timed frames after %d warm-up frames per round; median of %d rounds.",
                LocalDateTime.now().withNano(0), Runtime.getRuntime().availableProcessors(), loadAverage(),
                System.getProperty("java.version"), python, OrtEnvironment.getEnvironment().getVersion(), frames, warmup,
                rounds));
        report.add("");
        report.add("| frame | Java worker | frames/s | p50 µs | p99 µs | p50 vs readInto copy | result vs Python |");
        report.add("|---|---|---:|---:|---:|---:|---:|");
        List<String> javaRows = new ArrayList<>();
        for (long[] shape : FRAMES) {
            report.addAll(bench.size(work, shape, javaRows));
        }
        report.add("");
        report.add("Streams beside rings, one producer for both: a JVM (JavaPipelineProducer, so that only the Java"
                + " side differs) writes each frame and reads its result, the same Java worker runs the model"
                + " zero-copy in (StreamInference or RingInference); lock-step as above, and pipelined (the producer"
                + " writes as fast as the BLOCK ring lets it; a frame's time runs from its write to its result's read).");
        report.add("");
        report.add("| frame | pipeline | frames/s | p50 µs | p99 µs | frames/s vs streams |");
        report.add("|---|---|---:|---:|---:|---:|");
        report.addAll(javaRows);
        Files.write(out.resolve("onnx.md"), report);
        System.out.println();
        System.out.println(String.join("\n", report));
        System.out.println("\n[onnx-bench] results: " + out.resolve("onnx.md").toAbsolutePath());
    }

    /** The Python-producer rows for {@code shape}; the Java-producer rows ({@link JavaProducerTable}) go to {@code javaRows}. */
    private List<String> size(Path work, long[] shape, List<String> javaRows) throws IOException, OrtException {
        String dims = shape[0] + "x" + shape[1];
        String label = String.format(Locale.ROOT, "%s float32 (%s)", dims, bytes(shape[0] * shape[1] * 4));
        Path model = work.resolve("pool-" + dims + ".onnx");
        try (Child builder = Child.start(Commands.python(python, scripts.path(PythonScripts.ONNX_MODEL),
                List.of(model.toString(), "pool", "float32", dims)), "model-" + dims, logs.resolve("onnx-model.log"))) {
            expect(builder, "1x10");
        }
        String name = "arrowshm-onnxbench-" + ProcessHandle.current().pid() + "-" + dims;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, double[][]> figures = new LinkedHashMap<>(); // label -> per round {fps, p50, p99, error}
        try (OrtSession.SessionOptions options = singleThreaded();
             OrtSession session = env.createSession(model.toString(), options);
             SharedMemory input = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, shape).notify(true));
             SharedMemory output = SharedMemory.create(name + "-scores",
                     CreateOptions.of(DType.FLOAT32, 1, 10).notify(true));
             BufferAllocator allocator = new RootAllocator()) {
            for (int r = 0; r < rounds; r++) {
                List<Supplier<PipelineMode>> modes = new ArrayList<>(List.of(
                        () -> PipelineMode.copy(env, session, input, output, allocator),
                        () -> PipelineMode.zeroCopyInput(env, session, input, output),
                        () -> PipelineMode.zeroCopyBothWays(env, session, input, output)));
                java.util.Collections.rotate(modes, r); // no mode always runs first or last
                for (Supplier<PipelineMode> made : modes) {
                    try (PipelineMode mode = made.get()) {
                        double[] round = round(model, input, output, mode, dims + "-" + r);
                        figures.computeIfAbsent(mode.label(), k -> new double[rounds][])[r] = round;
                        System.out.println(String.format(Locale.ROOT, "[onnx-bench] %s round %d, %s: %.0f frames/s,"
                                + " p50 %.1f µs, p99 %.1f µs", dims, r, mode.label(), round[0], round[1], round[2]));
                    }
                }
            }
            javaRows.addAll(new JavaProducerTable(env, session, logs, rounds, frames, warmup).rows(shape, label, dims));
        } finally {
            SharedMemory.unlink(name);
            SharedMemory.unlink(name + "-scores");
        }
        List<String> rows = new ArrayList<>();
        double copyP50 = median(figures.get("readInto copy"), 1);
        for (Map.Entry<String, double[][]> e : figures.entrySet()) {
            double[][] rs = e.getValue();
            rows.add(String.format(Locale.ROOT, "| %s | %s | %.0f | %.1f | %.1f | %.2f | max abs error %s |", label,
                    e.getKey(), median(rs, 0), median(rs, 1), median(rs, 2), median(rs, 1) / copyP50,
                    Arrays.stream(rs).mapToDouble(x -> x[3]).max().orElse(Double.NaN)));
        }
        rows.forEach(System.out::println);
        return rows;
    }

    /**
     * The model runs on the worker's own thread: ONNX Runtime's default pool (a thread per core,
     * spinning between runs) would compete with the Python process for this machine's cores, and a
     * model this small gains nothing from it.
     */
    private static OrtSession.SessionOptions singleThreaded() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /** One Python process, one mode: returns {frames/s, p50 µs, p99 µs, max abs error of the last result}. */
    private double[] round(Path model, SharedMemory input, SharedMemory output, PipelineMode mode, String tag) {
        try (Child producer = Child.start(Commands.python(python, scripts.path(PythonScripts.ONNX),
                List.of(model.toString(), input.name(), output.name(), Integer.toString(warmup),
                        Integer.toString(frames))), "producer-" + tag, logs.resolve("onnx-producer-" + tag + ".log"))) {
            expect(producer, "ready");
            String[] done = WorkerRound.run(producer, mode::next, input.count(), warmup + frames);
            return new double[] {Double.parseDouble(done[3]), Double.parseDouble(done[1]), Double.parseDouble(done[2]),
                    Double.parseDouble(done[4])};
        }
    }

    /** The 1-minute load average: on a shared machine, what the figures must be read against. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String expect(Child child, String prefix) {
        return child.awaitLine(prefix, START).orElseThrow(() -> new IllegalStateException(
                "no '" + prefix + "' line: " + child.failure()));
    }

    private static String bytes(long n) {
        return n >= 1 << 20 ? (n >> 20) + " MiB" : (n >> 10) + " KiB";
    }

    private static double median(double[][] rounds, int column) {
        double[] values = Arrays.stream(rounds).mapToDouble(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }
}

package io.arrowshm.benchmarks.jmh;

import com.google.gson.GsonBuilder;
import io.arrowshm.benchmarks.RunMode;
import io.arrowshm.benchmarks.Shape;
import io.arrowshm.benchmarks.report.OpFigure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH part in a JVM of its own (started by {@code JmhStage}) and writes its figures as
 * JSON. Arguments: {@code MODE FIGURES_JSON LOG_DIR [SHAPE,...]}; JMH's own report of each run
 * goes to {@code LOG_DIR/jmh-*.log}.
 *
 * <p>JMH runs separately because JMH fixes iteration counts per run: the frames up to 1000x1000,
 * the lock and the counters (size-independent, one shape), the ring streams (their own shapes),
 * ND4J views when ND4J is on the class path, and the 400 MB frame with fewer, longer iterations.
 */
public final class JmhMain {
    /** Heap for a JVM holding two 400 MB float arrays (heapToHeap) or one plus a 400 MB read copy. */
    public static final String HEAP = "-Xmx3g";
    public static final String OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    private static final String DATA_PATH = "io\\.arrowshm\\.benchmarks\\.jmh\\.(StreamOps|MemcpyReference)\\..*";
    private static final String LOCK = "io\\.arrowshm\\.benchmarks\\.jmh\\.(LockOps|CounterOps)\\..*";
    private static final String ND4J = "io\\.arrowshm\\.benchmarks\\.jmh\\.Nd4jViewOps\\..*";
    /** Ring streams (issue 22): one thread's own costs, and a writer and a reader thread side by side. */
    private static final String RING = "io\\.arrowshm\\.benchmarks\\.jmh\\.(RingOps|RingPipeOps|RingFloors)\\..*";
    /** Appended to every figure's implementation name: "@jdk25" for the run on JDK 25 ({@code JmhStage}). */
    public static final String IMPL_SUFFIX = "arrowshm.bench.implSuffix";
    /**
     * Flags for the measured JVMs: quiet on JDK 22+ (JNA and the core's FFM path load native
     * code; Arrow uses sun.misc.Unsafe), accepted unchanged by JDK 17.
     */
    static final List<String> NATIVE_FLAGS = List.of("--enable-native-access=ALL-UNNAMED",
            "-Dsun.misc.unsafe.memory.access=allow");

    private JmhMain() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        RunMode mode = RunMode.valueOf(args[0].toUpperCase(java.util.Locale.ROOT));
        Path figures = Path.of(args[1]);
        Path logs = Path.of(args[2]);
        Files.createDirectories(logs);
        List<Shape> shapes = args.length > 3
                ? java.util.Arrays.stream(args[3].split(",")).map(Shape::parse).collect(Collectors.toList())
                : Shape.ALL;
        RunMode.Jmh plan = mode.jmh();

        List<Shape> regular = shapes.stream().filter(s -> !s.equals(Shape.HUGE)).collect(Collectors.toList());
        List<OpFigure> out = new ArrayList<>();
        if (!regular.isEmpty()) {
            out.addAll(run(base(plan, logs.resolve("jmh-data-path.log")).include(DATA_PATH).param("shape", labels(regular))
                    .warmupIterations(plan.warmups()).warmupTime(time(plan.warmupTime()))
                    .measurementIterations(plan.iterations()).measurementTime(time(plan.iterationTime()))));
        }
        out.addAll(run(base(plan, logs.resolve("jmh-lock.log")).include(LOCK)
                .warmupIterations(plan.warmups()).warmupTime(time(plan.warmupTime()))
                .measurementIterations(plan.iterations()).measurementTime(time(plan.iterationTime()))));
        out.addAll(run(base(plan, logs.resolve("jmh-ring.log")).include(RING)
                .warmupIterations(plan.warmups()).warmupTime(time(plan.warmupTime()))
                .measurementIterations(plan.iterations()).measurementTime(time(plan.iterationTime()))));
        if (nd4jPresent()) {
            // ND4J's natives are a third party's: if they fail on this JDK, the other figures still count.
            try {
                out.addAll(run(base(plan, logs.resolve("jmh-nd4j.log")).include(ND4J)
                        .warmupIterations(plan.warmups()).warmupTime(time(plan.warmupTime()))
                        .measurementIterations(plan.iterations()).measurementTime(time(plan.iterationTime()))));
            } catch (RunnerException e) {
                System.err.println("ND4J view benchmarks failed (see jmh-nd4j.log): " + e);
            }
        }
        if (shapes.contains(Shape.HUGE)) {
            out.addAll(run(base(plan, logs.resolve("jmh-400MB.log")).include(DATA_PATH).param("shape", Shape.HUGE.label())
                    .warmupIterations(plan.hugeWarmups()).warmupTime(time(plan.hugeWarmupTime()))
                    .measurementIterations(plan.hugeIterations()).measurementTime(time(plan.hugeIterationTime()))));
        }
        Files.writeString(figures, new GsonBuilder().setPrettyPrinting().create().toJson(out));
    }

    private static ChainedOptionsBuilder base(RunMode.Jmh plan, Path log) {
        return new OptionsBuilder()
                .forks(plan.forks())
                .jvmArgsAppend(jvmArgs())
                .shouldFailOnError(true)
                .output(log.toString());
    }

    private static String[] jvmArgs() {
        List<String> args = new ArrayList<>(List.of(OPENS, HEAP));
        args.addAll(NATIVE_FLAGS);
        String suffix = System.getProperty(IMPL_SUFFIX);
        if (suffix != null) {
            args.add("-D" + IMPL_SUFFIX + "=" + suffix);
        }
        return args.toArray(String[]::new);
    }

    /** ND4J and a backend are on this JVM's class path (run.sh adds them; the shaded jar has none). */
    public static boolean nd4jPresent() {
        try {
            Class.forName("io.arrowshm.nd4j.Nd4jStreams", false, JmhMain.class.getClassLoader());
            Class.forName("org.nd4j.linalg.cpu.nativecpu.CpuBackend", false, JmhMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String[] labels(List<Shape> shapes) {
        return shapes.stream().map(Shape::label).toArray(String[]::new);
    }

    private static TimeValue time(Duration duration) {
        return TimeValue.milliseconds(duration.toMillis());
    }

    private static List<OpFigure> run(ChainedOptionsBuilder options) throws RunnerException {
        Collection<RunResult> results = new Runner(options.build()).run();
        List<OpFigure> figures = new ArrayList<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            String owner = benchmark.substring(0, benchmark.lastIndexOf('.'));
            if (owner.endsWith("RingPipeOps")) {
                // A group of threads: each method's own time per operation is a secondary result named after it.
                for (Map.Entry<String, Result> side : result.getSecondaryResults().entrySet()) {
                    figures.add(figure(result, owner, side.getKey(), side.getValue()));
                }
            } else {
                figures.add(figure(result, owner, benchmark.substring(benchmark.lastIndexOf('.') + 1),
                        result.getPrimaryResult()));
            }
        }
        return figures;
    }

    private static OpFigure figure(RunResult result, String owner, String method, Result<?> primary) {
        String shapeLabel = result.getParams().getParam("shape");
        Shape shape = shapeLabel != null ? Shape.parse(shapeLabel)
                : owner.endsWith("Nd4jViewOps") ? Shape.MEDIUM : Shape.TINY;
        String impl = (method.equals("glibcMemcpy") ? "glibc-memcpy"
                : owner.endsWith("MemcpyReference") ? "java-memcpy"
                : method.equals("flockPair") ? "jna-flock"
                : method.equals("nd4jArrayOverBuffer") ? "nd4j"
                : owner.endsWith("RingFloors") ? "floor" : "arrow-shm")
                + System.getProperty(IMPL_SUFFIX, "");
        String op = method.equals("acquireRelease") || method.equals("flockPair") ? "lock"
                : method.equals("nd4jArrayOverBuffer") ? "nd4jView" : method;
        double error = primary.getScoreError();
        long samples = primary.getSampleCount();
        return new OpFigure(impl, op, shape.label(), shape.bytes(), primary.getScore(),
                Double.isFinite(error) ? error : null, samples,
                "JMH AverageTime mean of " + samples + " iteration(s), ns/op");
    }
}

package io.arrowshm.benchmarks.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.process.Child;
import io.arrowshm.benchmarks.process.Commands;
import io.arrowshm.onnx.RingInference;
import io.arrowshm.onnx.StreamInference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * OnnxBench's second table: the same model between two streams ({@code StreamInference}) and
 * between two rings ({@code RingInference}), fed by one producer, a JVM ({@link JavaPipelineProducer}),
 * so both are measured with the same producer: streams and rings in lock-step (latency), and rings
 * pipelined (the producer writes as fast as the BLOCK ring lets it, which a latest-value stream
 * cannot do without losing frames). Rounds rotate the three; the median round is reported.
 */
final class JavaProducerTable {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration FRAME = Duration.ofSeconds(60);
    private static final long CAPACITY = 8;
    private static final List<String> MODES = List.of("stream", "ring", "ring-pipelined");

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Path logs;
    private final int rounds;
    private final int frames;
    private final int warmup;

    JavaProducerTable(OrtEnvironment env, OrtSession session, Path logs, int rounds, int frames, int warmup) {
        this.env = env;
        this.session = session;
        this.logs = logs;
        this.rounds = rounds;
        this.frames = frames;
        this.warmup = warmup;
    }

    /** The table's rows for frames of {@code shape}, {@code label} naming them. */
    List<String> rows(long[] shape, String label, String tag) {
        Map<String, double[][]> figures = new LinkedHashMap<>();
        String base = "arrowshm-onnxbench-java-" + ProcessHandle.current().pid() + "-" + tag;
        for (int r = 0; r < rounds; r++) {
            List<String> modes = new ArrayList<>(MODES);
            Collections.rotate(modes, r);
            for (String mode : modes) {
                double[] round = mode.equals("stream") ? streamRound(base, shape) : ringRound(base, shape, mode);
                figures.computeIfAbsent(mode, k -> new double[rounds][])[r] = round;
                System.out.println(String.format(Locale.ROOT, "[onnx-bench] java producer, %s round %d, %s: %.0f"
                        + " frames/s, p50 %.1f µs, p99 %.1f µs", tag, r, mode, round[0], round[1], round[2]));
            }
        }
        List<String> rows = new ArrayList<>();
        double streamFps = median(figures.get("stream"), 0);
        for (Map.Entry<String, double[][]> e : figures.entrySet()) {
            double[][] rs = e.getValue();
            rows.add(String.format(Locale.ROOT, "| %s | %s | %.0f | %.1f | %.1f | %.2f |", label, describe(e.getKey()),
                    median(rs, 0), median(rs, 1), median(rs, 2), median(rs, 0) / streamFps));
        }
        rows.forEach(System.out::println);
        return rows;
    }

    private static String describe(String mode) {
        return switch (mode) {
            case "stream" -> "streams, lock-step (StreamInference)";
            case "ring" -> "rings, lock-step (RingInference)";
            default -> "rings, pipelined: the producer runs ahead (RingInference, " + CAPACITY + " slots)";
        };
    }

    private double[] streamRound(String base, long[] shape) {
        try (SharedMemory input = SharedMemory.create(base + "-in", CreateOptions.of(DType.FLOAT32, shape).notify(true));
             SharedMemory output = SharedMemory.create(base + "-out", CreateOptions.of(DType.FLOAT32, 1, 10).notify(true));
             StreamInference model = StreamInference.create(env, session, input, output)) {
            return round("stream", input.name(), output.name(), previous -> model.runAfter(previous, FRAME),
                    input.count());
        } finally {
            SharedMemory.unlink(base + "-in");
            SharedMemory.unlink(base + "-out");
        }
    }

    private double[] ringRound(String base, long[] shape, String mode) {
        try (Ring input = Ring.create(base + "-in", RingOptions.of(DType.FLOAT32, shape).capacity(CAPACITY));
             Ring output = Ring.create(base + "-out", RingOptions.of(DType.FLOAT32, 1, 10).capacity(CAPACITY));
             RingInference model = RingInference.builder(env, session).input(input, "worker").output(output)
                     .frameIds(RingInference.FrameIds.INPUT_POSITION).build()) {
            return round(mode, input.name(), output.name(), ignored -> model.runNext(FRAME), 0);
        } finally {
            Ring.unlink(base + "-in");
            Ring.unlink(base + "-out");
        }
    }

    /** One producer process, one mode: {frames/s, p50 µs, p99 µs}; the worker runs {@code next} on a thread. */
    private double[] round(String mode, String input, String output, LongUnaryOperator next, long seen) {
        try (Child producer = Child.start(Commands.java(JavaPipelineProducer.class, List.of("-Xmx512m"),
                List.of(mode, input, output, Integer.toString(warmup), Integer.toString(frames))), "java-producer",
                logs.resolve("onnx-java-producer.log"))) {
            producer.awaitLine("ready", START).orElseThrow(() -> new IllegalStateException(producer.failure()));
            String[] done = WorkerRound.run(producer, next, seen, warmup + frames);
            return new double[] {Double.parseDouble(done[3]), Double.parseDouble(done[1]), Double.parseDouble(done[2])};
        }
    }

    private static double median(double[][] rounds, int column) {
        double[] values = Arrays.stream(rounds).mapToDouble(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }
}

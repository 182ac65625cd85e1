package io.arrowshm.benchmarks.dl4j;

import io.arrowshm.dl4j.examples.SmallNetwork;
import io.arrowshm.dl4j.examples.SyntheticSamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J training throughput, samples/s, of one network fed five ways in one run ({@link TrainingFeed}):
 * DL4J's in-memory {@code ListDataSetIterator} (merging single examples, as usually written, and
 * over ready batches, its cheapest use), and a {@code RingDataSetIterator} over a ring a producer
 * process writes, copied and zero-copy, filled before training and written while it trains. Each
 * round trains a fresh {@link SmallNetwork} for one epoch per feed, feeds rotated between rounds;
 * the first two rounds warm up (JIT) and are not reported; the median round is. Only {@code fit} is timed: the
 * in-memory samples are built, and the ring's producer started (and, prefilled, finished), before.
 *
 * <pre>{@code
 * benchmarks/dl4j.sh [--rounds 5] [--warmup-rounds 2] [--samples 20480] [--batch 64] [--out DIR]
 * }</pre>
 * Results: {@code DIR/dl4j.md} (default {@code benchmarks/target/results}), producers' stderr under {@code DIR/logs/}.
 */
public final class Dl4jBench {
    private Dl4jBench() {
    }

    public static void main(String[] args) throws IOException {
        int rounds = 5;
        int warmups = 2;
        int samples = 20480;
        int batch = 64;
        Path out = Path.of("benchmarks/target/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup-rounds" -> warmups = Integer.parseInt(args[++i]);
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: [--rounds N] [--warmup-rounds N] [--samples N] [--batch N] [--out DIR]");
            }
        }
        Path logs = Files.createDirectories(out.resolve("logs"));
        String load = loadAverage();
        List<DataSet> examples = examples(samples);
        List<DataSet> batches = new ArrayList<>();
        for (int i = 0; i < samples; i += batch) {
            batches.add(DataSet.merge(examples.subList(i, Math.min(samples, i + batch))));
        }
        final int n = samples;
        final int k = batch;
        final int timed = rounds;
        String ring = "arrowshm-dl4jbench-" + ProcessHandle.current().pid();
        Map<String, double[]> figures = new LinkedHashMap<>(); // label -> samples/s per timed round
        Map<String, double[]> cpu = new LinkedHashMap<>(); // label -> this JVM's CPU µs per sample, per timed round
        Map<String, double[]> feedWall = new LinkedHashMap<>(); // label -> median µs per batch inside the feed
        Map<String, double[]> feedCpu = new LinkedHashMap<>(); // label -> median thread CPU µs per batch inside it
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < warmups + rounds; r++) {
            List<Supplier<TrainingFeed>> feeds = new ArrayList<>(List.of(
                    () -> TrainingFeed.batches(batches),
                    () -> TrainingFeed.examples(examples, k),
                    () -> TrainingFeed.ring(ring, n, k, false, true, logs.resolve("dl4j-producer.log")),
                    () -> TrainingFeed.ring(ring, n, k, true, true, logs.resolve("dl4j-producer.log")),
                    () -> TrainingFeed.ring(ring, n, k, false, false, logs.resolve("dl4j-producer.log")),
                    () -> TrainingFeed.ring(ring, n, k, true, false, logs.resolve("dl4j-producer.log"))));
            Collections.rotate(feeds, r); // no feed always runs first or last
            for (Supplier<TrainingFeed> made : feeds) {
                try (TrainingFeed feed = made.get()) {
                    MultiLayerNetwork network = SmallNetwork.create(7);
                    TimedIterator clocked = new TimedIterator(feed.iterator(), n / k + 1);
                    long cpuStart = os.getProcessCpuTime();
                    long start = System.nanoTime();
                    network.fit(clocked);
                    double rate = n / ((System.nanoTime() - start) / 1e9);
                    double cpuPerSample = (os.getProcessCpuTime() - cpuStart) / 1e3 / n;
                    if (r >= warmups) {
                        figures.computeIfAbsent(feed.label(), key -> new double[timed])[r - warmups] = rate;
                        cpu.computeIfAbsent(feed.label(), key -> new double[timed])[r - warmups] = cpuPerSample;
                        feedWall.computeIfAbsent(feed.label(), key -> new double[timed])[r - warmups] =
                                clocked.medianWallMicros();
                        feedCpu.computeIfAbsent(feed.label(), key -> new double[timed])[r - warmups] =
                                clocked.medianCpuMicros();
                    }
                    System.out.println(String.format(Locale.ROOT, "[dl4j-bench] round %d%s, %s: %.0f samples/s, %.1f"
                            + " CPU µs per sample; in the feed per batch: %.1f µs, %.1f CPU µs", r,
                            r < warmups ? " (warm-up)" : "", feed.label(), rate, cpuPerSample, clocked.medianWallMicros(),
                            clocked.medianCpuMicros()));
                }
            }
        }
        List<String> report = new ArrayList<>();
        report.add("# DL4J training throughput: a ring beside an in-memory ListDataSetIterator");
        report.add("");
        report.add(String.format(Locale.ROOT, "%s; %d cores, load average %s at the start and %s at the end; JDK %s;"
                        + " OMP_NUM_THREADS=%s; network %s; %d samples (float32, %d features, %d classes) per epoch,"
                        + " batches of %d; one epoch per feed and round, feeds rotated; median of %d rounds after %d"
                        + " warm-up rounds.", LocalDateTime.now().withNano(0), Runtime.getRuntime().availableProcessors(),
                load, loadAverage(), System.getProperty("java.version"), System.getenv().getOrDefault("OMP_NUM_THREADS",
                        "unset"), "16-32-4 (SmallNetwork)", samples, SyntheticSamples.FEATURES, SyntheticSamples.CLASSES,
                batch, rounds, warmups));
        report.add("");
        report.add("| feed | samples/s (median) | min – max | vs ready batches | trainer CPU µs per sample | vs ready"
                + " batches | in the feed per batch: µs, CPU µs | feed's share of a batch's time |");
        report.add("|---|---:|---:|---:|---:|---:|---:|---:|");
        String ready = "ListDataSetIterator, ready batches";
        double baseline = median(figures.get(ready));
        double cpuBaseline = median(cpu.get(ready));
        for (Map.Entry<String, double[]> e : figures.entrySet()) {
            double[] sorted = e.getValue().clone();
            Arrays.sort(sorted);
            double m = median(e.getValue());
            double c = median(cpu.get(e.getKey()));
            double fw = median(feedWall.get(e.getKey()));
            double fc = median(feedCpu.get(e.getKey()));
            double perBatch = 1e6 * batch / m; // µs a batch took, feed and training step
            report.add(String.format(Locale.ROOT, "| %s | %.0f | %.0f – %.0f | %.3f | %.1f | %+.1f %% | %.1f, %.1f |"
                    + " %.1f %% |", e.getKey(), m, sorted[0], sorted[sorted.length - 1], m / baseline, c,
                    (c / cpuBaseline - 1) * 100, fw, fc, 100 * fw / perBatch));
        }
        report.add("");
        report.add("samples/s is wall-clock time of fit(); the CPU column is this JVM's process CPU time during fit()"
                + " (os.getProcessCpuTime: the training thread, GC and JIT; not the producer process). \"In the feed\""
                + " is the median, over the epoch's batches, of the time the training thread spent in the feed's"
                + " hasNext() and next() for one batch (wall, and the thread's CPU time): the feed's own cost where it"
                + " is paid, which a busy machine's preemptions disturb least; its share is that median over the"
                + " median time of a whole batch (1e6 × batch / samples/s).");
        report.add("");
        report.add("Per-round figures (samples/s): " + figures.entrySet().stream()
                .map(e -> e.getKey() + " " + Arrays.toString(Arrays.stream(e.getValue()).map(Math::rint).toArray()))
                .toList());
        report.add("");
        report.add("Per-round CPU µs per sample: " + cpu.entrySet().stream()
                .map(e -> e.getKey() + " " + Arrays.toString(Arrays.stream(e.getValue())
                        .map(v -> Math.rint(v * 10) / 10).toArray())).toList());
        Files.write(out.resolve("dl4j.md"), report);
        System.out.println();
        System.out.println(String.join("\n", report));
        System.out.println("\n[dl4j-bench] results: " + out.resolve("dl4j.md").toAbsolutePath());
    }

    /** The samples SampleProducer writes (seed 42), one single-example DataSet each. */
    private static List<DataSet> examples(int samples) {
        SyntheticSamples problem = new SyntheticSamples(42);
        float[] sample = new float[SyntheticSamples.WIDTH];
        float[][] features = new float[samples][SyntheticSamples.FEATURES];
        float[][] labels = new float[samples][SyntheticSamples.CLASSES];
        for (int i = 0; i < samples; i++) {
            problem.sample(i, sample);
            System.arraycopy(sample, 0, features[i], 0, SyntheticSamples.FEATURES);
            System.arraycopy(sample, SyntheticSamples.FEATURES, labels[i], 0, SyntheticSamples.CLASSES);
        }
        return new DataSet(Nd4j.create(features), Nd4j.create(labels)).asList();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /** The 1-minute load average: on a shared machine, what the figures must be read against. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }
}

package io.arrowshm.benchmarks;

import java.time.Duration;

/**
 * How long each part of a run measures. {@link #QUICK} is a smoke test that every case runs
 * and yields a figure (about two minutes on a 2-core machine); its numbers are rough.
 * {@link #FULL} is the run whose figures are reported.
 */
public enum RunMode {
    QUICK(new Jmh(0, 1, Duration.ofMillis(100), 1, Duration.ofMillis(200), 0, Duration.ofMillis(100), 1,
            Duration.ofMillis(100)),
            new Python(0.05, 0.3, 5, 1_000_000),
            new PingPong(1, Duration.ofMillis(300), 0, Duration.ofMillis(500), 200, 200_000),
            new Throughput(1, Duration.ofMillis(300), false, Duration.ofMillis(300), 20)),
    FULL(new Jmh(1, 3, Duration.ofSeconds(1), 5, Duration.ofSeconds(1), 1, Duration.ofSeconds(2), 3,
            Duration.ofSeconds(2)),
            new Python(0.5, 4.0, 31, 2_000_000),
            new PingPong(3, Duration.ofMillis(1500), 5_000, Duration.ofSeconds(3), 2_000, 2_000_000),
            new Throughput(3, Duration.ofSeconds(2), true, Duration.ofSeconds(2), 200));

    /**
     * JMH iterations: one set for the frames up to 1000x1000, a shorter one for the 400 MB
     * frame whose single operation takes a good fraction of a second. {@code forks = 0} runs
     * the benchmarks inside the (already separate) JMH child JVM.
     */
    public record Jmh(int forks, int warmups, Duration warmupTime, int iterations, Duration iterationTime,
            int hugeWarmups, Duration hugeWarmupTime, int hugeIterations, Duration hugeIterationTime) {
    }

    /**
     * The pyshmem micro-benchmarks: warm-up seconds per case, seconds a case may take at most,
     * batches wanted (the median of their per-op times is the figure), and the nanoseconds a
     * batch should last so that timer overhead vanishes.
     */
    public record Python(double warmupSeconds, double maxSecondsPerCase, int batches, long batchNanos) {
    }

    /**
     * Ping-pong: in each of {@code rounds} passes over all cases (fresh processes every time),
     * a warm-up of {@code warmup} and, for a Java client, at least {@code minWarmup} round trips
     * (a loaded machine otherwise measures code the JIT has not compiled yet), then a calibrated
     * number of round trips filling {@code measure}, at least {@code minSamples} and at most
     * {@code maxSamples}. Rounds interleave the cases, so a spell of load on a shared machine
     * does not land on one case alone.
     */
    public record PingPong(int rounds, Duration warmup, int minWarmup, Duration measure, int minSamples,
            int maxSamples) {
    }

    /**
     * Lossless throughput: in each of {@code rounds} passes over all cases (fresh processes every
     * time), the writer sends for {@code warmup} (and, with {@code warmupFrames}, at least the
     * frame size's warm-up frames, so the JIT has compiled the code measured), then is measured
     * sending for {@code measure} and at least {@code minFrames} frames.
     */
    public record Throughput(int rounds, Duration warmup, boolean warmupFrames, Duration measure, long minFrames) {
    }

    private final Jmh jmh;
    private final Python python;
    private final PingPong pingPong;
    private final Throughput throughput;

    RunMode(Jmh jmh, Python python, PingPong pingPong, Throughput throughput) {
        this.jmh = jmh;
        this.python = python;
        this.pingPong = pingPong;
        this.throughput = throughput;
    }

    public Jmh jmh() {
        return jmh;
    }

    public Python python() {
        return python;
    }

    public PingPong pingPong() {
        return pingPong;
    }

    public Throughput throughput() {
        return throughput;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

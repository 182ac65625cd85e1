package io.arrowshm.benchmarks.onnx;

import io.arrowshm.Ring;
import io.arrowshm.RingFrame;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.SharedMemory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The producer and result reader of OnnxBench's Java-producer table, in a JVM of its own, so that
 * streams and rings are compared with the same producer and the figures are the Java side's (a
 * Python producer would add pyshmem's and arrow_shm's own costs, which differ). Opens what the
 * worker made, prints "ready", waits for "go" on stdin, then sends WARMUP + COUNT float32 frames
 * and reads each result, and prints "done P50_US P99_US FRAMES_PER_S" for the timed frames.
 *
 * <pre>{@code
 * java ... JavaPipelineProducer stream|ring|ring-pipelined INPUT OUTPUT WARMUP COUNT
 * }</pre>
 * stream and ring are lock-step (a frame's time runs from just before its write to the moment
 * its result was read; the next frame is written after that). ring-pipelined writes as fast as the
 * input ring lets it (BLOCK: the worker's cursor holds it back) while the main thread reads the
 * results; a frame's time runs from just before its write to the moment its result was taken.
 */
public final class JavaPipelineProducer {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private JavaPipelineProducer() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int warmup = Integer.parseInt(args[3]);
        int count = Integer.parseInt(args[4]);
        long[] times = new long[count];
        long elapsed;
        if (mode.equals("stream")) {
            try (SharedMemory input = SharedMemory.open(args[1]); SharedMemory output = SharedMemory.open(args[2])) {
                float[][] frames = frames(Math.toIntExact(input.size() / 4));
                float[] result = new float[Math.toIntExact(output.size() / 4)];
                awaitGo();
                long base = output.count();
                long started = 0;
                for (int i = 0; i < warmup + count; i++) {
                    if (i == warmup) {
                        started = System.nanoTime();
                    }
                    long t0 = System.nanoTime();
                    input.write(frames[i % 4], i + 1);
                    output.waitForCount(base + i, TIMEOUT);
                    output.readInto(result);
                    if (i >= warmup) {
                        times[i - warmup] = System.nanoTime() - t0;
                    }
                }
                elapsed = System.nanoTime() - started;
            }
        } else {
            try (Ring input = Ring.open(args[1]); Ring output = Ring.open(args[2]);
                 RingWriter writer = input.writer(TIMEOUT); RingReader results = output.reader("results")) {
                float[][] frames = frames(Math.toIntExact(input.size() / 4));
                float[] result = new float[Math.toIntExact(output.size() / 4)];
                awaitGo();
                if (mode.equals("ring")) {
                    long started = 0;
                    for (int i = 0; i < warmup + count; i++) {
                        if (i == warmup) {
                            started = System.nanoTime();
                        }
                        long t0 = System.nanoTime();
                        writer.write(frames[i % 4], i, TIMEOUT);
                        results.readInto(result, TIMEOUT);
                        if (i >= warmup) {
                            times[i - warmup] = System.nanoTime() - t0;
                        }
                    }
                    elapsed = System.nanoTime() - started;
                } else {
                    elapsed = pipelined(writer, results, frames, warmup, count, times);
                }
            }
        }
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        System.out.println(String.format(Locale.ROOT, "done %.1f %.1f %.0f", percentile(sorted, 0.5),
                percentile(sorted, 0.99), count / (elapsed / 1e9)));
    }

    /** Writes on a thread of its own, as fast as the ring allows; reads every result here. */
    private static long pipelined(RingWriter writer, RingReader results, float[][] frames, int warmup, int count,
                                  long[] times) throws InterruptedException {
        int total = warmup + count;
        long[] written = new long[total];
        Throwable[] failed = new Throwable[1];
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    written[i] = System.nanoTime();
                    writer.write(frames[i % 4], i, TIMEOUT);
                }
            } catch (Throwable t) {
                failed[0] = t;
            }
        }, "sender");
        sender.start();
        long started = 0;
        long last = 0;
        for (int i = 0; i < total; i++) {
            try (RingFrame f = results.take(TIMEOUT)) {
                last = System.nanoTime();
                int p = Math.toIntExact(f.frameId()); // the worker stamps each result with its input's position
                if (p != i) {
                    throw new IllegalStateException("result " + i + " is frame " + p + "'s");
                }
                if (i == warmup) {
                    started = written[i];
                }
                if (i >= warmup) {
                    times[i - warmup] = last - written[i];
                }
            }
        }
        sender.join();
        if (failed[0] != null) {
            throw new IllegalStateException("the sender failed", failed[0]);
        }
        return last - started;
    }

    private static float[][] frames(int elements) {
        float[][] frames = new float[4][elements];
        for (int k = 0; k < 4; k++) {
            Random random = new Random(k);
            for (int j = 0; j < elements; j++) {
                frames[k][j] = (float) random.nextGaussian();
            }
        }
        return frames;
    }

    private static void awaitGo() throws Exception {
        System.out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) {
            throw new IllegalStateException("expected 'go' on stdin");
        }
    }

    private static double percentile(long[] sorted, double q) {
        int index = Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)); // nearest rank
        return sorted[index] / 1e3;
    }
}

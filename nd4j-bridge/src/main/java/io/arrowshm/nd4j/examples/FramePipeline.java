package io.arrowshm.nd4j.examples;

import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.nd4j.Nd4jStreams;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Java worker of a frame pipeline: a producer (for instance Python with pyshmem)
 * publishes 64×64 float32 frames to one stream; this process computes
 * {@code relu(frame · W)} with fixed 64×16 weights on each new frame, straight from the
 * shared memory through an ND4J view, and publishes the 64×16 result to a second stream.
 *
 * <pre>{@code
 * # Python, owner of both streams (see src/test/python/frame_pipeline.py):
 * frames = pyshmem.create("frames", shape=(64, 64), dtype=np.float32)
 * features = pyshmem.create("features", shape=(64, 16), dtype=np.float32)
 *
 * # Java, the worker:
 * java -cp ... io.arrowshm.nd4j.examples.FramePipeline frames features 100
 * }</pre>
 *
 * <p>The streams must exist when it starts. It processes {@code count} frames and exits;
 * the producer owns and unlinks the streams.
 */
public final class FramePipeline {
    public static final int SIDE = 64;
    public static final int FEATURES = 16;
    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(60);

    private FramePipeline() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: FramePipeline <input stream> <output stream> <frames>");
            System.exit(2);
        }
        int frames = Integer.parseInt(args[2]);
        try (SharedMemory input = SharedMemory.open(args[0]); SharedMemory output = SharedMemory.open(args[1])) {
            INDArray frame = Nd4jStreams.view(input); // held for the whole run: no copy, no per-frame set-up
            INDArray weights = weights();
            long seen = 0; // a frame published before this process attached is processed at once
            System.out.println("ready");
            for (int i = 0; i < frames; i++) {
                seen = awaitNewFrame(input, seen);
                INDArray features = Nd4jStreams.readZeroCopy(input, frame, f -> infer(f, weights));
                Nd4jStreams.write(output, features);
            }
            System.out.println("done " + frames);
        }
    }

    /** The fixed weights, W[i][j] = ((31 i + 17 j) mod 13 - 6) / 32: small exact values any language can rebuild. */
    public static INDArray weights() {
        float[][] w = new float[SIDE][FEATURES];
        for (int i = 0; i < SIDE; i++) {
            for (int j = 0; j < FEATURES; j++) {
                w[i][j] = ((i * 31 + j * 17) % 13 - 6) / 32f;
            }
        }
        return Nd4j.create(w).castTo(DataType.FLOAT);
    }

    /** relu(frame · W): a new array, so the live frame is only read. */
    public static INDArray infer(INDArray frame, INDArray weights) {
        return Transforms.relu(frame.mmul(weights), false);
    }

    /**
     * Waits for the publication count to pass {@code seen}. The core has no level-triggered
     * wait yet (pyshmem's {@code wait_for_count}); a count check is cheap, so it polls with
     * short parks.
     */
    private static long awaitNewFrame(SharedMemory input, long seen) {
        long deadline = System.nanoTime() + FRAME_TIMEOUT.toNanos();
        for (int spins = 0; ; spins++) {
            long count = input.count();
            if (count > seen) {
                return count;
            }
            if (System.nanoTime() > deadline) {
                throw new StreamTimeoutException("no new frame on '" + input.name() + "' within " + FRAME_TIMEOUT
                        + " (last count " + seen + "); is the producer running?", null);
            }
            if (spins < 1_000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
    }
}

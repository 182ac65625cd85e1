package io.arrowshm.benchmarks.jmh;

import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingLease;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.benchmarks.Shape;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One thread's own cost of each ring operation, nothing running beside it: a BLOCK ring with one
 * live blocking cursor, its slots filled (or emptied) outside the timed part. Every invocation
 * reads, leases or writes a whole ring's worth of frames ({@link #FRAMES}), so JMH's untimed
 * per-invocation refill is spread over enough work to vanish. {@link RingPipeOps} has the same
 * writes with a reader on another thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RingOps {
    /** Frames per invocation, and the ring's capacity: 100 KB of 97-float frames, 16 MiB of 64 KiB ones. */
    static final int FRAMES = 256;
    private static final Duration PATIENCE = Duration.ofSeconds(5);

    /** A BLOCK ring of {@link #FRAMES} slots with its writer and one live blocking cursor, and a frame's array. */
    public abstract static class OneRing {
        Ring ring;
        RingWriter writer;
        RingReader reader;
        float[] frame;

        void open(Shape shape) {
            ring = BenchRings.create(shape, FRAMES, Overflow.BLOCK);
            reader = ring.reader("bench");
            writer = ring.writer();
            frame = BenchStreams.frame(shape);
        }

        @TearDown(Level.Trial)
        public void close() {
            BenchRings.remove(ring);
        }
    }

    @State(Scope.Thread)
    public static class Filled extends OneRing {
        /** 97 float32, and 128x128 float32 = 64 KiB. */
        @Param({"97", "128x128"})
        public String shape;

        @Setup(Level.Trial)
        public void open() {
            open(Shape.parse(shape));
        }

        /** The reader has taken everything: write a ring's worth for the next invocation to read. */
        @Setup(Level.Invocation)
        public void fill() {
            for (int i = 0; i < FRAMES; i++) {
                writer.write(frame, i, PATIENCE);
            }
        }
    }

    @State(Scope.Thread)
    public static class Drained extends OneRing {
        @Setup(Level.Trial)
        public void open() {
            open(Shape.TINY);
        }

        /** The writer has filled the ring: the reader takes everything, so the next invocation has room. */
        @Setup(Level.Invocation)
        public void drain() {
            while (reader.available() > 0) {
                reader.readInto(frame, PATIENCE);
            }
        }
    }

    /** write(float[]) of 97 float32 while a live blocking cursor is attached (it never holds the writer back here). */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void ringWrite(Drained s) {
        for (int i = 0; i < FRAMES; i++) {
            s.writer.write(s.frame, i, PATIENCE);
        }
    }

    /** readInto(float[]): find the slot, copy it out, validate its stamp, store the cursor's position. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long ringReadInto(Filled s) {
        long last = 0;
        for (int i = 0; i < FRAMES; i++) {
            last = s.reader.readInto(s.frame, PATIENCE);
        }
        return last;
    }

    /** A zero-copy lease of the next slot, one element read from it, and its close (which moves the cursor). */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public float ringLease(Filled s) {
        float sum = 0;
        for (int i = 0; i < FRAMES; i++) {
            try (RingLease lease = s.reader.lease(PATIENCE)) {
                sum += lease.buffer().getFloat(0);
            }
        }
        return sum;
    }
}

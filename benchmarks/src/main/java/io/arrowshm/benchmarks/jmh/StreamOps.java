package io.arrowshm.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * The data path of one handle in one JVM, no other process involved: what a publication and
 * each kind of read cost for a given frame size. The write lock is uncontended, so these are
 * the library's own costs on top of the copy.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StreamOps {
    /** A static reader, so the benchmark measures the seqlock bracket, not a capturing lambda. */
    private static final Function<ArrowBuf, Float> FIRST_ELEMENT = view -> view.getFloat(0);

    /** Lock, seqlock bracket, copy from a float[], unlock. */
    @Benchmark
    public void write(StreamWithFrame s) {
        s.shm.write(s.frame);
    }

    /** Consistent copy into a freshly allocated ArrowBuf (allocation and first touch included). */
    @Benchmark
    public float read(PublishedStream s) {
        try (ArrowBuf copy = s.shm.read()) {
            return copy.getFloat(0);
        }
    }

    /** Consistent copy into the caller's float[]: no allocation. */
    @Benchmark
    public void readInto(StreamWithFrame s) {
        s.shm.readInto(s.frame);
    }

    /** Consistent zero-copy read of one element: should not depend on the frame size. */
    @Benchmark
    public Float readZeroCopy(PublishedStream s) {
        return s.shm.readZeroCopy(FIRST_ELEMENT);
    }

    /** The live view (retain, slice, release): should not depend on the frame size. */
    @Benchmark
    public float buffer(PublishedStream s) {
        try (ArrowBuf view = s.shm.buffer()) {
            return view.getFloat(0);
        }
    }
}

package io.arrowshm.benchmarks.jmh;

import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.Shape;
import io.arrowshm.nd4j.Nd4jStreams;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An INDArray view of a 4 MB frame ({@code Nd4jStreams.view}), and beside it ND4J's own cost of
 * an array over memory it already has a buffer for, the floor under any view. Needs ND4J and a
 * backend on the class path: the benchmark jar leaves them out, run.sh adds
 * {@code benchmarks/target/nd4j-lib/}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Nd4jViewOps {
    @State(Scope.Thread)
    public static class Stream {
        SharedMemory shm;
        INDArray existing;

        @Setup(Level.Trial)
        public void setUp() {
            shm = BenchStreams.published(Shape.MEDIUM);
            existing = Nd4jStreams.view(shm);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shm.unlink();
        }
    }

    /** The whole view: lease on the mapping, a data buffer over it, the array, the lease's cleaner. */
    @Benchmark
    public INDArray nd4jView(Stream s) {
        return Nd4jStreams.view(s.shm);
    }

    /** ND4J alone: a new array over the data buffer of an existing view (shape info, registration). */
    @Benchmark
    public INDArray nd4jArrayOverBuffer(Stream s) {
        return org.nd4j.linalg.factory.Nd4j.create(s.existing.data(), s.existing.shape(), s.existing.stride(), 0,
                'c', s.existing.dataType());
    }
}

package io.arrowshm.benchmarks.jmh;

import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.Shape;
import java.util.concurrent.TimeUnit;
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
 * A live counter of the header: what a reader polling {@code count()} pays per look. It does
 * not depend on the frame: one acquire load, the handle's use count and the fault barrier
 * that turns a SIGBUS on a truncated segment into an exception.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CounterOps {
    @State(Scope.Thread)
    public static class Stream {
        SharedMemory shm;

        @Setup(Level.Trial)
        public void setUp() {
            shm = BenchStreams.published(Shape.TINY);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            shm.unlink();
        }
    }

    @Benchmark
    public long count(Stream s) {
        return s.shm.count();
    }
}

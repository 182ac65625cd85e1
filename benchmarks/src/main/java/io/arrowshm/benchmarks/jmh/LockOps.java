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

/** The uncontended cross-process write lock (flock plus the owner words); its cost does not depend on the frame. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LockOps {
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
    public void acquireRelease(Stream s) {
        s.shm.acquire();
        s.shm.release();
    }
}

package io.arrowshm.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * A live counter of the header: what a reader polling {@code count()} pays per look. It does
 * not depend on the frame: one acquire load, the handle's use count and the fault barrier
 * that turns a SIGBUS on a truncated segment into an exception.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CounterOps {
    @Benchmark
    public long count(LockOps.Stream s) { // the lock benchmark's stream: one publication, 97 floats
        return s.shm.count();
    }
}

package io.arrowshm.benchmarks.jmh;

import io.arrowshm.benchmarks.posix.BareLibC;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * Two costs that bound a small ring write from below, measured beside it so a missed target can
 * be explained from the same run: a trivial native call through JNA direct mapping (the core's
 * fault barrier, which a write and a read each make twice on JDK 17; on JDK 22+ the core makes it
 * through FFM instead, which this JNA figure does not show), and {@code Instant.now()}, the wall
 * clock a write stamps into its slot.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RingFloors {
    @Benchmark
    public int jnaDirectCall() {
        return BareLibC.abs(0);
    }

    @Benchmark
    public Instant instantNow() {
        return Instant.now();
    }
}

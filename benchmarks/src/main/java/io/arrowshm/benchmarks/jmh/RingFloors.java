package io.arrowshm.benchmarks.jmh;

import io.arrowshm.benchmarks.posix.BareLibC;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What a small ring write is made of besides its copy, each measured alone beside it so a missed
 * target can be explained from the same run: a trivial native call through JNA direct mapping
 * (the core's fault barrier, which a write and a read each make twice on JDK 17; on JDK 22+ the
 * core makes it through FFM instead, which this JNA figure does not show), {@code Instant.now()}
 * (the write time stamped into each slot), an uncontended atomic increment (an operation guard
 * makes two per call) and a full fence (a write makes one after publishing its position, a
 * blocking reader one after storing its cursor's).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RingFloors {
    @State(Scope.Thread)
    public static class Counter {
        final AtomicLong uses = new AtomicLong();
    }

    @Benchmark
    public int jnaDirectCall() {
        return BareLibC.abs(0);
    }

    @Benchmark
    public Instant instantNow() {
        return Instant.now();
    }

    @Benchmark
    public long atomicIncrement(Counter counter) {
        return counter.uses.getAndIncrement();
    }

    @Benchmark
    public void fullFence() {
        VarHandle.fullFence();
    }
}

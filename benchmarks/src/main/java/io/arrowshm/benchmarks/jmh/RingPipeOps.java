package io.arrowshm.benchmarks.jmh;

import io.arrowshm.Overflow;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Control;

/**
 * A ring with one live reader, as an application has it: one thread writes 97-float32 frames,
 * another takes every one with {@code readInto(float[])}, both at full speed. Each method's
 * time per operation is its thread's: the write figure is what a write costs while a reader
 * consumes on the other core (the cache lines of slots, stamps and positions move between the
 * two), and under BLOCK it includes any wait for the reader. The OVERWRITE group's writer never
 * waits; its reader may be lapped and then counts what it lost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RingPipeOps {
    @State(Scope.Group)
    public static class Block extends RingPipe {
        public Block() {
            super(Overflow.BLOCK);
        }
    }

    @State(Scope.Group)
    public static class Overwrite extends RingPipe {
        public Overwrite() {
            super(Overflow.OVERWRITE);
        }
    }

    @Benchmark
    @Group("block")
    public void ringWriteBlock(Block pipe, Control control) {
        pipe.write(control);
    }

    @Benchmark
    @Group("block")
    public long ringReadBlock(Block pipe, Control control) {
        return pipe.read(control);
    }

    @Benchmark
    @Group("overwrite")
    public void ringWriteOverwrite(Overwrite pipe, Control control) {
        pipe.write(control);
    }

    @Benchmark
    @Group("overwrite")
    public long ringReadOverwrite(Overwrite pipe, Control control) {
        return pipe.read(control);
    }
}

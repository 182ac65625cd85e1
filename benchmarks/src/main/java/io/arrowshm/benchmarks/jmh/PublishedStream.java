package io.arrowshm.benchmarks.jmh;

import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.Shape;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A stream with one publication and no Java array beside it (reads that allocate or only look). */
@State(Scope.Thread)
public class PublishedStream {
    @Param({"97", "128x128", "1000x1000", "10000x10000"})
    public String shape;

    SharedMemory shm;

    @Setup(Level.Trial)
    public void setUp() {
        shm = BenchStreams.published(Shape.parse(shape));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        shm.unlink();
    }
}

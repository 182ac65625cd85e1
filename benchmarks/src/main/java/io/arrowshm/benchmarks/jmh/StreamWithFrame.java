package io.arrowshm.benchmarks.jmh;

import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.Shape;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A stream and a float[] of its size: the source of {@code write} and the target of
 * {@code readInto}. Separate from {@link PublishedStream} so the 400 MB array exists only in
 * the benchmarks that use it.
 */
@State(Scope.Thread)
public class StreamWithFrame {
    @Param({"97", "128x128", "1000x1000", "10000x10000"})
    public String shape;

    SharedMemory shm;
    float[] frame;

    @Setup(Level.Trial)
    public void setUp() {
        Shape parsed = Shape.parse(shape);
        shm = BenchStreams.published(parsed);
        frame = BenchStreams.frame(parsed);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        shm.unlink();
        frame = null;
    }
}

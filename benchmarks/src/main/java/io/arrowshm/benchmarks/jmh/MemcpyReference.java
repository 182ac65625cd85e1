package io.arrowshm.benchmarks.jmh;

import io.arrowshm.benchmarks.Shape;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.arrowshm.benchmarks.posix.BareLibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Single-thread memory bandwidth on this machine, measured in the same run as the library:
 * the yardstick for "a write or safe read costs about one memcpy". Both buffers are touched
 * in setup, so no page faults land in the measurement.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MemcpyReference {
    @State(Scope.Thread)
    public static class DirectPair {
        @Param({"97", "128x128", "1000x1000", "10000x10000"})
        public String shape;

        ByteBuffer source;
        ByteBuffer target;
        long sourceAddress;
        long targetAddress;
        int bytes;

        @Setup(Level.Trial)
        public void setUp() {
            bytes = Math.toIntExact(Shape.parse(shape).bytes());
            source = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            target = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            for (int i = 0; i < bytes; i += 4096) {
                source.put(i, (byte) i);
                target.put(i, (byte) 0);
            }
            sourceAddress = Pointer.nativeValue(Native.getDirectBufferPointer(source));
            targetAddress = Pointer.nativeValue(Native.getDirectBufferPointer(target));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            source = null;
            target = null;
        }
    }

    @State(Scope.Thread)
    public static class HeapPair {
        @Param({"97", "128x128", "1000x1000", "10000x10000"})
        public String shape;

        float[] source;
        float[] target;

        @Setup(Level.Trial)
        public void setUp() {
            source = BenchStreams.frame(Shape.parse(shape));
            target = new float[source.length];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            source = null;
            target = null;
        }
    }

    /** Off-heap to off-heap bulk copy (Unsafe.copyMemory underneath, as the library's copies). */
    @Benchmark
    public void directToDirect(DirectPair p) {
        p.target.put(0, p.source, 0, p.bytes);
    }

    /**
     * glibc's {@code memcpy} between the same two direct buffers, called address to address (no
     * array pinning): the copy NumPy's {@code copyto} and pyshmem use, usually the fastest one thread has.
     */
    @Benchmark
    public void glibcMemcpy(DirectPair p) {
        BareLibC.memcpy(p.targetAddress, p.sourceAddress, p.bytes);
    }

    @Benchmark
    public void heapToHeap(HeapPair p) {
        System.arraycopy(p.source, 0, p.target, 0, p.source.length);
    }
}

package io.arrowshm.benchmarks.jmh;

import io.arrowshm.SharedMemory;
import io.arrowshm.benchmarks.Shape;
import io.arrowshm.benchmarks.posix.BareLibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The uncontended cross-process write lock (flock plus the owner words); its cost does not
 * depend on the frame. Beside it, the bare {@code flock} pair through {@link BareLibC}, bound
 * the way the core binds {@code flock}: the floor under the lock and so under every write.
 */
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

    @State(Scope.Thread)
    public static class LockFileDescriptor {
        Path file;
        int fd;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            file = Files.createTempFile("arrowshm-bench-flock", ".lock");
            fd = BareLibC.open(file.toString(), BareLibC.O_RDWR | BareLibC.O_CLOEXEC, 0);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            BareLibC.close(fd);
            Files.deleteIfExists(file);
        }
    }

    @Benchmark
    public void acquireRelease(Stream s) {
        s.shm.acquire();
        s.shm.release();
    }

    @Benchmark
    public void flockPair(LockFileDescriptor f) {
        BareLibC.flock(f.fd, BareLibC.LOCK_EX);
        BareLibC.flock(f.fd, BareLibC.LOCK_UN);
    }
}

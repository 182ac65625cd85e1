package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.stream.Allocators;
import io.arrowshm.testing.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;

/**
 * Create/open/write/read/close/unlink cycles (short 1,000, long 10,000): file descriptors,
 * mappings, /dev/shm files and Arrow memory all return to where they started.
 */
class LeakTest {
    @Test
    void cyclesLeaveNoDescriptorMappingFileOrBuffer() throws Exception {
        int cycles = Scale.pick(1_000, 10_000);
        String prefix = Names.unique("leak");
        Snapshot before = Snapshot.take();
        for (int i = 0; i < cycles; i++) {
            String name = prefix + "-" + (i % 7);
            try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 64, 64);
                 SharedMemory reader = SharedMemory.open(name, OpenOptions.readOnly());
                 SharedMemory other = SharedMemory.open(name)) {
                shm.write(new float[64 * 64], i);
                try (ArrowBuf copy = reader.read(); Publication p = reader.readPublication();
                     ArrowBuf view = other.buffer()) {
                    assertEquals(copy.capacity(), p.payload().capacity());
                    assertEquals(view.capacity(), copy.capacity());
                }
                reader.readInto(new float[64 * 64]);
                other.unlink();
            }
        }
        Snapshot after = Snapshot.take();
        assertEquals(before, after, "resources after " + cycles + " cycles");
        System.out.println("leaks after " + cycles + " cycles: none (" + after + ")");
    }

    /** What a leak would grow: open descriptors, /dev/shm mappings and files of ours, Arrow's allocated bytes. */
    private record Snapshot(long descriptors, long shmMappings, long shmFiles, long arrowBytes) {
        static Snapshot take() throws IOException {
            System.gc(); // nothing here depends on GC; it only keeps unrelated JDK buffers out of the count
            return new Snapshot(count(Path.of("/proc/self/fd")),
                    Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("/dev/shm/ps_")).count(),
                    count(Path.of("/dev/shm")), Allocators.root().getAllocatedMemory());
        }

        private static long count(Path directory) throws IOException {
            try (Stream<Path> entries = Files.list(directory)) {
                return entries.count();
            }
        }
    }
}

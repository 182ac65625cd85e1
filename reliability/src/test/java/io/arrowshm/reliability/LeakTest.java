package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.stream.Allocators;
import io.arrowshm.testing.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        List<String> ours = java.util.stream.IntStream.range(0, 7)
                .mapToObj(i -> StreamNames.of(prefix + "-" + i).dataSegment()).toList();
        // One-time set-up (libffi's trampoline file, a JDK socket) happens in the first cycles; leaks grow with cycles.
        for (int i = 0; i < 20; i++) {
            cycle(prefix, i);
        }
        Snapshot before = Snapshot.take(ours);
        for (int i = 0; i < cycles; i++) {
            cycle(prefix, i);
        }
        Snapshot after = Snapshot.take(ours);
        assertEquals(before, after, "resources after " + cycles + " cycles");
        System.out.println("leaks after " + cycles + " cycles: none (" + after + ")");
    }

    private static void cycle(String prefix, int i) {
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

    /** What a leak would grow: open descriptors, /dev/shm mappings and files of ours, Arrow's allocated bytes. */
    private record Snapshot(long descriptors, long shmMappings, long shmFiles, long arrowBytes) {
        /** Files of the streams named {@code bases} count, not the rest of /dev/shm, which other processes change. */
        static Snapshot take(List<String> bases) throws IOException {
            System.gc(); // nothing here depends on GC; it only keeps unrelated JDK buffers out of the count
            long files;
            try (Stream<Path> entries = Files.list(Path.of("/dev/shm"))) {
                files = entries.filter(f -> bases.stream().anyMatch(b -> f.getFileName().toString().startsWith(b)))
                        .count();
            }
            return new Snapshot(fileDescriptors(),
                    Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("/dev/shm/ps_")).count(),
                    files, Allocators.root().getAllocatedMemory());
        }

        /**
         * Descriptors of files (segments, lock files, directories): what the library opens. The
         * test runner's own sockets and pipes come and go with its reporting, not with our cycles.
         */
        private static long fileDescriptors() throws IOException {
            try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
                return entries.filter(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString().startsWith("/");
                    } catch (IOException gone) {
                        return false; // the listing's own descriptor, closed already
                    }
                }).count();
            }
        }
    }
}

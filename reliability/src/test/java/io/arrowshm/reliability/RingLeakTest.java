package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.DType;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingFrame;
import io.arrowshm.RingLease;
import io.arrowshm.RingOptions;
import io.arrowshm.RingReader;
import io.arrowshm.RingWriter;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.ring.RingNames;
import io.arrowshm.internal.stream.Allocators;
import io.arrowshm.testing.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * 10,000 ring create/attach/write/read/close/unlink cycles (100,000 in the long form): file
 * descriptors, mappings, /dev/shm files, lock files and Arrow memory return to where they started.
 */
class RingLeakTest {
    @Test
    void cyclesLeaveNoDescriptorMappingFileLockOrBuffer() throws Exception {
        int cycles = Scale.pick(10_000, 100_000);
        String prefix = Names.unique("ring-leak");
        List<String> segments = IntStream.range(0, 5).mapToObj(i -> RingNames.of(prefix + "-" + i).segment()).toList();
        for (int i = 0; i < 50; i++) {
            cycle(prefix, i);
        }
        Snapshot before = Snapshot.take(segments);
        for (int i = 0; i < cycles; i++) {
            cycle(prefix, i);
        }
        Snapshot after = Snapshot.take(segments);
        assertEquals(before, after, "resources after " + cycles + " cycles");
        System.out.println("ring leaks after " + cycles + " cycles: none (" + after + ")");
    }

    private static void cycle(String prefix, int i) {
        String name = prefix + "-" + (i % 5);
        try (Ring ring = Ring.create(name, RingOptions.of(DType.FLOAT32, 16).capacity(4));
             Ring other = Ring.open(name);
             RingWriter writer = ring.writer();
             RingReader reader = other.reader("r" + (i % 3))) {
            writer.write(new float[16], i);
            writer.write(new float[16], i);
            writer.write(new float[16], i);
            try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
                assertEquals(0, f.position());
            }
            try (RingLease lease = reader.lease(Duration.ofSeconds(1))) {
                lease.valid();
            }
            try (RingBatch batch = reader.leaseBatch(4, Duration.ofSeconds(1))) {
                assertEquals(1, batch.count());
            }
            if (i % 2 == 0) {
                ring.cursors();
            }
            other.unlink();
        }
    }

    /** Open descriptors of files, ring mappings, our rings' files and lock files, Arrow's allocated bytes. */
    private record Snapshot(long openFiles, long mappings, long shmFiles, long lockFiles, long arrowBytes) {
        static Snapshot take(List<String> segments) throws IOException {
            System.gc();
            long files;
            try (Stream<Path> entries = Files.list(Path.of("/dev/shm"))) {
                files = entries.filter(f -> segments.stream().anyMatch(s -> f.getFileName().toString().startsWith(s)))
                        .count();
            }
            long locks;
            try (Stream<Path> entries = Files.list(StreamNames.lockDirectory())) {
                locks = entries.filter(f -> segments.stream().anyMatch(s -> f.getFileName().toString().startsWith(s)))
                        .count();
            }
            long mappings = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("/dev/shm/arrowshm_ring_")).count();
            return new Snapshot(descriptors(), mappings, files, locks, Allocators.root().getAllocatedMemory());
        }

        private static long descriptors() throws IOException {
            try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
                return entries.filter(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString().startsWith("/");
                    } catch (IOException gone) {
                        return false;
                    }
                }).count();
            }
        }
    }
}

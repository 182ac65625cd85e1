package io.arrowshm.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.internal.format.StreamNames;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.testing.Names;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A full /dev/shm, segments truncated under an open handle by another process, and no file descriptors left. */
class ResourceLimitsTest {
    private final String name = Names.unique("limits");

    @AfterEach
    void removeStream() {
        SharedMemory.unlink(name);
    }

    @Test
    void aStreamLargerThanShmFailsAtCreateAndLeavesNothing() throws Exception {
        // Larger than the whole tmpfs: the kernel refuses before allocating a page (checked: 0.01 ms).
        long total = Files.getFileStore(Segments.SHM_DIR).getTotalSpace();
        SharedMemoryException full = assertThrows(SharedMemoryException.class,
                () -> SharedMemory.create(name, DType.UINT8, total + (1L << 30)));
        assertTrue(full.getMessage().contains("/dev/shm is full"), full.getMessage());
        StreamNames names = StreamNames.of(name);
        assertFalse(Files.exists(Segments.path(names.dataSegment())), "no data segment left behind");
        assertFalse(Files.exists(Segments.path(names.metaSegment())), "no metadata segment left behind");
    }

    @Test
    void aDataSegmentTruncatedByAnotherProcessGivesClearErrors() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 1024, 1024);
             SharedMemory reader = SharedMemory.open(name)) {
            shm.write(new float[1024 * 1024]);
            truncate(StreamNames.of(name).dataSegment());
            float[] frame = new float[1024 * 1024];
            SharedMemoryException read = assertThrows(SharedMemoryException.class, () -> reader.readInto(frame));
            assertTrue(read.getMessage().contains("no longer backed"), read.getMessage());
            SharedMemoryException write = assertThrows(SharedMemoryException.class, () -> shm.write(frame));
            assertTrue(write.getMessage().contains("no longer backed"), write.getMessage());
            assertEquals(1, shm.count(), "the faulted write was not published");
            assertTrue(shm.writeSequence() < 0, "it was aborted instead");
            assertThrows(SharedMemoryException.class, () -> reader.read().close());
        }
    }

    @Test
    void aMetadataSegmentTruncatedByAnotherProcessGivesClearErrors() throws Exception {
        try (SharedMemory shm = SharedMemory.create(name, DType.FLOAT32, 256)) {
            shm.write(new float[256]);
            truncate(StreamNames.of(name).metaSegment());
            for (int round = 0; round < 3; round++) { // compiled code reports faults too, not only the interpreter
                assertThrows(SharedMemoryException.class, () -> shm.readInto(new float[256]));
                assertThrows(SharedMemoryException.class, () -> shm.write(new float[256]));
                assertThrows(SharedMemoryException.class, shm::count);
            }
        }
    }

    @Test
    void exhaustedFileDescriptorsGiveAClearError() throws Exception {
        String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("bash", "-c", "ulimit -n 256 && exec \"$0\" \"$@\"", javaBinary,
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ReliabilityPeer.class.getName(), "fd-exhaust", name)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start(); // JVM warnings are not data
        String output = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        List<String> lines = output.lines().toList();
        assertEquals(0, child.exitValue(), output);
        assertTrue(lines.get(2).matches("SharedMemoryIoException: cannot (create|open) .*Too many open files \\(errno 24\\)"),
                output);
        assertEquals("nothing left behind", lines.get(3), output);
    }

    private static void truncate(String segment) throws Exception {
        Process truncate = new ProcessBuilder("truncate", "-s", "0", Segments.path(segment).toString())
                .inheritIO().start();
        assertTrue(truncate.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, truncate.exitValue());
    }
}

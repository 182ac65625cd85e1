package io.arrowshm.gpuseam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.PeerProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two JVMs with the host-memory test seam. They cannot share device memory (the seam is
 * private host memory), so this covers what crosses the process boundary without a GPU:
 * metadata flags, the lock, the CPU mirror and the _gpu record. Device memory shared
 * between processes is the device check's job (gpu/device-check.sh), not run here.
 */
class GpuSeamCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<String> streams = new ArrayList<>();

    private String name() {
        String name = Names.unique("gpuseam-xp");
        streams.add(name);
        return name;
    }

    @BeforeEach
    @AfterEach
    void reset() {
        HostMemoryGpuSupport.reset();
        streams.forEach(SharedMemory::unlink);
    }

    private static String run(String... args) {
        try (PeerProcess peer = PeerProcess.java(GpuSeamPeer.class, args)) {
            return String.join("\n", peer.finish(WAIT));
        }
    }

    @Test
    void anotherJvmSeesTheFlagsTheRecordAndTheMirror() throws Exception {
        String name = name();
        try (SharedMemory shm = GpuStreams.create(name, true)) {
            shm.write(new float[] {1, 2, 3, 4, 5, 6});
            assertEquals("available true", run("gpu-available"));
            assertEquals("stat true cuda:0 true 1", run("stat", name));
            String record = HexFormat.of().formatHex(Files.readAllBytes(GpuStreams.gpu(name)));
            assertEquals("record " + record, run("record", name));
            assertEquals("mirror [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] count 1 device none", run("read-mirror", name));
            String attach = run("attach", name);
            assertTrue(attach.startsWith("error UnsupportedOperationException: the host-memory test seam cannot share"
                    + " memory between processes (record from pid " + ProcessHandle.current().pid() + ")"), attach);
            String write = run("write-cpu-only", name);
            assertTrue(write.contains("through a CPU-only handle"), write);
            assertEquals(1, shm.count());
        }
    }

    @Test
    void anotherJvmWithoutAMirrorGetsMetadataAndLocksButNoPayload() {
        String name = name();
        try (SharedMemory shm = GpuStreams.create(name, false)) {
            shm.write(new float[6]);
            String read = run("read-mirror", name);
            assertTrue(read.startsWith("error SharedMemoryException: cannot read the payload of '" + name
                    + "' through a CPU-only handle: it is a GPU stream on cuda:0 without a CPU mirror; attach it with"
                    + " a device (OpenOptions.gpuDevice(\"cuda:0\")) or recreate it with CreateOptions.cpuMirror(true)"),
                    read);
            try (PeerProcess peer = PeerProcess.java(GpuSeamPeer.class, "lock-and-count", name, "3000")) {
                assertEquals("locked 1", peer.nextLine(WAIT));
                long start = System.nanoTime();
                try {
                    shm.write(new float[6]); // blocks on the other JVM's lock
                } finally {
                    assertTrue(System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(1000),
                            "the write waited for the other process's lock");
                }
                peer.finish(WAIT);
            }
            assertEquals(2, shm.count());
            try (PeerProcess peer = PeerProcess.java(GpuSeamPeer.class, "lock-and-count", name, "2000")) {
                assertEquals("locked 2", peer.nextLine(WAIT));
                org.junit.jupiter.api.Assertions.assertThrows(StreamTimeoutException.class,
                        () -> shm.acquire(Duration.ofMillis(200)));
                peer.finish(WAIT);
            }
        }
    }

    @Test
    void withoutTheGpuModuleTheErrorSaysWhatIsMissing() throws Exception {
        String name = name();
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("device-seam"))
                .collect(Collectors.joining(File.pathSeparator));
        try (SharedMemory shm = GpuStreams.create(name, true)) {
            shm.write(new float[] {1, 2, 3, 4, 5, 6});
            assertEquals("available false", runWithout(classPath, "gpu-available"));
            String create = runWithout(classPath, "create", name + "-other");
            assertTrue(create.startsWith("error UnsupportedOperationException: GPU streams need the arrow-shm gpu"
                    + " module (io.arrowshm:arrow-shm-gpu) on the class path (requested cuda:0 to create"), create);
            String attach = runWithout(classPath, "attach", name);
            assertTrue(attach.startsWith("error UnsupportedOperationException: GPU streams need the arrow-shm gpu"
                    + " module"), attach);
            assertEquals("mirror [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] count 1 device none",
                    runWithout(classPath, "read-mirror", name), "CPU-only access needs no module");
        }
    }

    private static String runWithout(String classPath, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED"));
        command.addAll(PeerProcess.QUIET_JVM_FLAGS);
        command.addAll(List.of("-cp", classPath, GpuSeamPeer.class.getName()));
        command.addAll(List.of(args));
        // stdout only: JDK 24+ prints native-access and Unsafe warnings (and blank lines) on stderr.
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}

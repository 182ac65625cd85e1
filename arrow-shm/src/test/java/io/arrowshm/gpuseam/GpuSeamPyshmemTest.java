package io.arrowshm.gpuseam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.arrowshm.SharedMemory;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.testing.Names;
import io.arrowshm.testing.Python;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real pyshmem 1.4.0 (no torch in the venv) reading GPU streams that Java made through the
 * host-memory seam: it checks the flags and device index ({@code stat}, {@code open}), reads
 * a mirrored stream through its CPU path, and refuses a stream without a mirror, as the
 * spec says (§5 step 5). pyshmem's refusal of arrow-shm's real GPU record is tested in the
 * gpu module (PyshmemReadsRecordTest).
 */
class GpuSeamPyshmemTest {
    private final List<String> streams = new ArrayList<>();

    @BeforeEach
    @AfterEach
    void reset() {
        HostMemoryGpuSupport.reset();
        streams.forEach(SharedMemory::unlink);
    }

    private String name() {
        String name = Names.unique("gpuseam-py");
        streams.add(name);
        return name;
    }

    private static String python(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Python.executable(), "-c", script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void pyshmemReadsTheFlagsAndTheMirrorOfAJavaGpuStream() throws Exception {
        String name = name();
        try (SharedMemory shm = GpuStreams.create(name, true)) {
            shm.write(new float[] {1.5f, 2, 3, 4, 5, 6.25f}, 9);
            String out = python(String.join("\n",
                    "import sys, pyshmem",
                    "n = sys.argv[1]",
                    "s = pyshmem.stat(n)",
                    "print('stat', s['gpu_enabled'], s['gpu_device'], s['cpu_mirror'], s['count'])",
                    "print('gpu_available', pyshmem.gpu_available())",
                    "h = pyshmem.open(n)",  // default mode: no torch here, so CPU-only through the mirror
                    "print('default', h.gpu_enabled, h.gpu_device, h.cpu_mirror, h.read().tolist())",
                    "h.close()",
                    "h = pyshmem.open(n, gpu_device=False)",
                    "p = h.read_publication()",
                    "print('cpu', p.count, p.frame_id, p.payload.tolist())",
                    "h.close()"), name);
            assertEquals(String.join("\n",
                    "stat True cuda:0 True 1",
                    "gpu_available False",
                    "default True None True [[1.5, 2.0, 3.0], [4.0, 5.0, 6.25]]",
                    "cpu 1 9 [[1.5, 2.0, 3.0], [4.0, 5.0, 6.25]]"), out);
        }
    }

    @Test
    void pyshmemRefusesAJavaGpuStreamWithoutAMirrorButStatsIt() throws Exception {
        String name = name();
        try (SharedMemory shm = GpuStreams.create(name, false)) {
            shm.write(new float[6]);
            String out = python(String.join("\n",
                    "import sys, pyshmem",
                    "n = sys.argv[1]",
                    "s = pyshmem.stat(n)",
                    "print('stat', s['gpu_enabled'], s['gpu_device'], s['cpu_mirror'])",
                    "for kw in ({}, {'gpu_device': False}):",
                    "    try:",
                    "        pyshmem.open(n, **kw)",
                    "        print('opened')",
                    "    except (RuntimeError, ValueError) as e:",
                    "        print(type(e).__name__, str(e).split(';')[0])"), name);
            List<String> lines = out.lines().toList();
            assertEquals("stat True cuda:0 False", lines.get(0));
            assertTrue(lines.get(1).startsWith("RuntimeError '" + name + "' is a GPU stream on cuda:0 but CUDA is not"
                    + " available in this process"), out);
            assertEquals("ValueError '" + name + "' is a GPU stream without a CPU mirror", lines.get(2), out);
        }
    }

    @Test
    void aPyshmemCpuHandleOfAMirroredGpuStreamHoldsTheSameLock() throws Exception {
        String name = name();
        try (SharedMemory shm = GpuStreams.create(name, true)) {
            Process p = new ProcessBuilder(Python.executable(), "-u", "-c", String.join("\n",
                    "import sys, time, pyshmem",
                    "h = pyshmem.open(sys.argv[1], gpu_device=False)",
                    "with h.locked():",
                    "    print('locked', flush=True)",
                    "    time.sleep(2)",
                    "h.close()"), name).redirectErrorStream(true).start();
            try {
                String first = new String(p.getInputStream().readNBytes(7), StandardCharsets.UTF_8);
                assertEquals("locked\n", first);
                org.junit.jupiter.api.Assertions.assertThrows(StreamTimeoutException.class,
                        () -> shm.acquire(Duration.ofMillis(200)));
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                shm.write(new float[6]);
                assertEquals(1, shm.count());
            } finally {
                p.destroyForcibly();
            }
        }
    }
}

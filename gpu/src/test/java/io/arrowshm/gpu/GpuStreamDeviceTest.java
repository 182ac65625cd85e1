package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.CreateOptions;
import io.arrowshm.DType;
import io.arrowshm.OpenOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.gpu.check.DeviceCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GPU streams through the core's device seam on a real device (JCuda). Without a CUDA driver
 * and device each test is reported skipped with the probe's reason; none can pass without
 * running. gpu/device-check.sh runs the round trip on a GPU host with JUnit's console launcher.
 */
class GpuStreamDeviceTest {

    @BeforeEach
    void needsAGpu() {
        CudaStatus status = CudaDriver.status();
        assumeTrue(status.available(), () -> "needs a CUDA driver and device: " + status.detail());
    }

    @Test
    void aGpuStreamRoundTripsThroughTheDeviceAndTheMirror() {
        String name = "arrowshm-test-gpu-" + ProcessHandle.current().pid();
        try (SharedMemory shm = SharedMemory.create(name, CreateOptions.of(DType.FLOAT32, 2, 3).gpuDevice("cuda:0")
                .cpuMirror(true))) {
            assertEquals("cuda:0", shm.gpuDevice().orElseThrow());
            shm.write(new float[] {1, 2, 3, 4, 5, 6});
            try (SharedMemory again = SharedMemory.open(name, OpenOptions.gpuDevice("cuda:0"));
                 DeviceCheck.Buffers buffers = new DeviceCheck.Buffers(shm.size())) {
                assertEquals(shm.deviceView().pointer(), again.deviceView().pointer(), "the creator reuses its pointer");
                again.readIntoDevice(buffers.device);
                float[] host = new float[6];
                buffers.toHost(host);
                assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, host);
                buffers.fromHost(new float[] {6, 5, 4, 3, 2, 1});
                again.writeFromDevice(buffers.device);
            }
            try (SharedMemory cpu = SharedMemory.open(name)) {
                float[] mirror = new float[6];
                cpu.readInto(mirror);
                assertArrayEquals(new float[] {6, 5, 4, 3, 2, 1}, mirror);
            }
        } finally {
            SharedMemory.unlink(name);
        }
    }

    @Test
    void theDeviceCheckPasses() throws Exception {
        Process check = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Dsun.misc.unsafe.memory.access=allow", "-cp", System.getProperty("java.class.path"),
                DeviceCheck.class.getName(), "report", Path.of("src", "test", "python").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        assertTrue(check.waitFor(8, TimeUnit.MINUTES), "the device check took more than 8 minutes");
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.exitValue(), report);
        assertTrue(List.of(report.split("\n")).stream().noneMatch(l -> l.contains(": FAIL")), report);
    }
}

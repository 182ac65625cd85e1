package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUipcMemHandle;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks that need a CUDA driver and a device. Without them each test here is reported
 * skipped with the probe's reason; none of them can pass without running. gpu/device-check.sh
 * runs them on a GPU host with JUnit's console launcher.
 */
class GpuDeviceTest {

    @BeforeEach
    void needsAGpu() {
        CudaStatus status = CudaDriver.status();
        assumeTrue(status.available(), () -> "needs a CUDA driver and device: " + status.detail());
    }

    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new AssertionError(call + " failed with " + CUresult.stringFor(result));
        }
    }

    @Test
    void theProbeSeesADeviceAndSharedMemoryAgrees() {
        CudaStatus status = CudaDriver.status();
        assertTrue(status.deviceCount() > 0);
        assertTrue(status.driverVersion() >= 12000, "JCuda 12.6 needs a CUDA 12 driver, got " + status.detail());
        assertTrue(SharedMemory.gpuAvailable());
        assertEquals(status, CudaDriver.require("run a GPU test"));
    }

    @Test
    void aChildJvmReadsAnAllocationThroughTheGpuRecord() throws Exception {
        CUdevice device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, 0), "cuDeviceGet");
        CUcontext context = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(JCudaDriver.cuCtxPushCurrent(context), "cuCtxPushCurrent");
        CUdeviceptr allocation = new CUdeviceptr();
        try {
            float[] values = {1.5f, -2f, 3f, 4.25f, 5f, 6f};
            long bytes = (long) values.length * Float.BYTES;
            check(JCudaDriver.cuMemAlloc(allocation, GpuRecord.allocationSizeFor(bytes)), "cuMemAlloc");
            check(JCudaDriver.cuMemcpyHtoD(allocation, Pointer.to(values), bytes), "cuMemcpyHtoD");
            CUipcMemHandle exported = new CUipcMemHandle();
            check(JCudaDriver.cuIpcGetMemHandle(exported, allocation), "cuIpcGetMemHandle");
            GpuRecord record = GpuRecord.forPayload(0, DType.FLOAT32, new long[] {2, 3}, reserved(exported),
                    ProcessHandle.current().pid());

            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    IpcChild.class.getName(),
                    HexFormat.of().formatHex(record.encode()))
                    .redirectErrorStream(true).start();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();

            assertEquals(0, child.exitValue(), out);
            assertEquals("[1.5, -2.0, 3.0, 4.25, 5.0, 6.0]", out);
        } finally {
            JCudaDriver.cuMemFree(allocation);
            JCudaDriver.cuCtxPopCurrent(new CUcontext());
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }

    private static byte[] reserved(CUipcMemHandle handle) throws ReflectiveOperationException {
        Field f = CUipcMemHandle.class.getDeclaredField("reserved");
        f.setAccessible(true);
        return ((byte[]) f.get(handle)).clone();
    }
}

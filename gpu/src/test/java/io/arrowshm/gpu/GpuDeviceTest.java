package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.arrowshm.SharedMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checks that need a CUDA driver and a device. Without them each test here is reported skipped with
 * the probe's reason; none of them can pass without running.
 */
class GpuDeviceTest {

    @BeforeEach
    void needsAGpu() {
        CudaStatus status = CudaDriver.status();
        assumeTrue(status.available(), () -> "needs a CUDA driver and device: " + status.detail());
    }

    @Test
    void theProbeSeesADeviceAndSharedMemoryAgrees() {
        CudaStatus status = CudaDriver.status();
        assertTrue(status.deviceCount() > 0);
        assertTrue(status.driverVersion() >= 12000, "JCuda 12.6 needs a CUDA 12 driver, got " + status.detail());
        assertTrue(SharedMemory.gpuAvailable());
        assertEquals(status, CudaDriver.require("run a GPU test"));
    }
}

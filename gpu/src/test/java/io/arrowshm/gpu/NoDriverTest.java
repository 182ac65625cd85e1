package io.arrowshm.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import com.sun.jna.NativeLibrary;
import io.arrowshm.SharedMemory;
import io.arrowshm.spi.GpuSupport;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real module on a host without an NVIDIA driver (this build host, CI): the SPI is
 * found, reports false with the reason, JCuda's own failure is contained, and GPU
 * operations fail with a clear exception. On a host with a driver these checks are
 * skipped, saying so; the GPU tests cover that host.
 */
class NoDriverTest {

    @BeforeEach
    void onlyWithoutADriver() {
        try {
            NativeLibrary.getInstance("libcuda.so.1");
        } catch (UnsatisfiedLinkError expected) {
            return;
        }
        abort("libcuda.so.1 loads on this host, so the no-driver behaviour cannot be observed here;"
                + " GpuDeviceTest covers hosts with a driver");
    }

    @Test
    void theServiceLoaderFindsTheGpuModule() {
        assertTrue(ServiceLoader.load(GpuSupport.class).stream().anyMatch(p -> p.type() == JCudaGpuSupport.class));
    }

    @Test
    void sharedMemoryReportsNoGpuAndTheModuleSaysWhy() {
        assertFalse(SharedMemory.gpuAvailable());
        CudaStatus status = CudaDriver.status();
        assertFalse(status.available());
        assertTrue(status.detail().contains("libcuda.so.1 (the NVIDIA driver library) cannot be loaded"), status.detail());
        assertEquals(0, status.deviceCount());
    }

    @Test
    void jcudasOwnStaticInitializerFailureIsContainedAndStaysContained() {
        // Skip the library pre-check so JCudaDriver's static initializer really runs and fails.
        CudaProbe straightToJCuda = new CudaProbe(Optional::empty, JCudaDriverBinding::new);

        CudaStatus first = straightToJCuda.run();
        CudaStatus second = straightToJCuda.run(); // now NoClassDefFoundError: "Could not initialize class"

        assertFalse(first.available());
        assertTrue(first.detail().contains("UnsatisfiedLinkError"), first.detail());
        assertFalse(second.available());
        assertTrue(second.detail().contains("JCudaDriver"), second.detail());
    }

    @Test
    void openingAnIpcHandleFailsWithTheReason() {
        byte[] handle = new byte[64];
        handle[0] = 1;
        GpuRecord record = GpuRecord.forPayload(0, io.arrowshm.DType.FLOAT32, new long[] {2, 3}, handle, 1);

        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, () -> CudaIpcMapping.open(record));

        assertTrue(e.getMessage().startsWith("cannot open the CUDA IPC handle of a stream on cuda:0: CUDA is not"
                + " available in this process: libcuda.so.1"), e.getMessage());
    }

    @Test
    void gpuOperationsFailWithTheReasonAndWhatToDo() {
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> CudaDriver.require("attach 'frames' on cuda:0"));

        assertTrue(e.getMessage().startsWith("cannot attach 'frames' on cuda:0: CUDA is not available in this process: "
                + "libcuda.so.1"), e.getMessage());
        assertTrue(e.getMessage().contains("CPU mirror"), e.getMessage());
    }
}

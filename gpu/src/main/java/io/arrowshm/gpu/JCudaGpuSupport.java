package io.arrowshm.gpu;

import io.arrowshm.spi.GpuSupport;

/**
 * The gpu module's answer to {@code SharedMemory.gpuAvailable()}, found by
 * {@link java.util.ServiceLoader} through
 * {@code META-INF/services/io.arrowshm.spi.GpuSupport}. Why it is unavailable is in
 * {@link CudaDriver#status()}.
 *
 * <pre>{@code
 * boolean gpu = SharedMemory.gpuAvailable();        // false on a host without a driver
 * String why = CudaDriver.status().detail();        // e.g. "libcuda.so.1 (the NVIDIA driver library) cannot be loaded ..."
 * }</pre>
 */
public final class JCudaGpuSupport implements GpuSupport {

    /** Public and argument-free, as ServiceLoader requires. */
    public JCudaGpuSupport() {
    }

    @Override
    public boolean available() {
        return CudaDriver.status().available();
    }
}

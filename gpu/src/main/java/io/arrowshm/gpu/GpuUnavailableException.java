package io.arrowshm.gpu;

import io.arrowshm.SharedMemoryException;

/**
 * A GPU operation was asked for where CUDA cannot be used: no NVIDIA driver
 * ({@code libcuda.so.1}), no device, an unsupported platform, or JCuda missing. The message
 * carries {@link CudaDriver#status()}'s reason. Nothing was allocated or mapped.
 *
 * <pre>{@code
 * try (CudaIpcMapping m = CudaIpcMapping.open(handle)) { ... }
 * catch (GpuUnavailableException e) { ... read the stream's CPU mirror instead ... }
 * }</pre>
 */
public class GpuUnavailableException extends SharedMemoryException {
    private static final long serialVersionUID = 1L;

    public GpuUnavailableException(String message) {
        super(message);
    }
}

package io.arrowshm.spi;

/**
 * The seam through which the {@code gpu} module plugs CUDA streams into the core. The core
 * finds an implementation with {@link java.util.ServiceLoader}; without one, GPU streams
 * open only through their CPU mirror and {@code SharedMemory.gpuAvailable()} is false.
 */
public interface GpuSupport {
    /** Whether a CUDA driver and at least one device are usable in this process. */
    boolean available();
}

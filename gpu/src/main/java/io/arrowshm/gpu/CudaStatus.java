package io.arrowshm.gpu;

/**
 * Whether CUDA can be used in this process, and why not when it cannot.
 *
 * <pre>{@code
 * CudaStatus s = CudaDriver.status();
 * if (!s.available()) System.err.println("GPU streams disabled: " + s.detail());
 * }</pre>
 *
 * @param available a driver loaded, initialised and reported at least one device
 * @param detail when available, the driver version and device count; otherwise the reason
 * @param driverVersion {@code cuDriverGetVersion}, e.g. 12040 for 12.4; 0 when unknown
 * @param deviceCount {@code cuDeviceGetCount}; 0 when unavailable
 */
public record CudaStatus(boolean available, String detail, int driverVersion, int deviceCount) {

    static CudaStatus unavailable(String reason) {
        return new CudaStatus(false, reason, 0, 0);
    }
}

package io.arrowshm.gpu;

import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import io.arrowshm.spi.GpuSupport;
import java.nio.ByteBuffer;

/**
 * The gpu module's implementation of the core's device seam, found by
 * {@link java.util.ServiceLoader} through
 * {@code META-INF/services/io.arrowshm.spi.GpuSupport}: CUDA streams with the JCuda driver
 * API ({@link CudaDevicePayload}), on the paths {@link CudaPathOptions} chooses (the ones that ran
 * on a device unless an {@code arrowshm.gpu.*} property says otherwise). Without a driver, {@link #available()} is false, the reason
 * is {@link CudaDriver#status()}'s, and {@link #allocate}/{@link #attach} throw
 * {@link GpuUnavailableException} with it.
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

    @Override
    public String unavailableReason() {
        CudaStatus status = CudaDriver.status();
        return status.available() ? "" : status.detail();
    }

    /**
     * Allocates with the paths the system properties choose now ({@link CudaPathOptions}).
     *
     * @throws GpuUnavailableException without a driver or device; {@link CudaCallException} when a call fails
     * @throws IllegalArgumentException when a {@code arrowshm.gpu.*} property has a bad value
     */
    @Override
    public DevicePayload allocate(DeviceRequest request) {
        return CudaDevicePayload.allocate(request, CudaPathOptions.fromSystemProperties());
    }

    /**
     * Reads arrow-shm's {@link GpuRecord} or pyshmem's torch pickle ({@link GpuHandleSegment}),
     * checks it against the stream, and maps it.
     *
     * @throws GpuUnavailableException without a driver or device
     * @throws InvalidGpuHandleException for a record that is damaged, hostile, of another
     *     geometry, or pointing outside the allocation it names
     * @throws IllegalArgumentException when a {@code arrowshm.gpu.*} property has a bad value
     */
    @Override
    public DevicePayload attach(DeviceRequest request, ByteBuffer handleRecord) {
        return CudaDevicePayload.attach(request, handleRecord, CudaPathOptions.fromSystemProperties());
    }
}

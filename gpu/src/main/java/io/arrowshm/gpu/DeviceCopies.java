package io.arrowshm.gpu;

import jcuda.driver.JCudaDriver;

/**
 * The copies of one payload between the device and unpinned host memory or other device
 * memory, and the wait that completes them: {@link #contextSync} (what ran on a device) or
 * {@link #ownStream} (the {@value CudaPathOptions#EVENT_SYNC} option). Addresses are raw:
 * host addresses and device pointers of this process.
 */
interface DeviceCopies {
    void hostToDevice(long device, long host, long bytes);

    void deviceToHost(long host, long device, long bytes);

    void deviceToDevice(long target, long source, long bytes);

    /** Returns once every copy issued through this object is complete. */
    void synchronize();

    /**
     * The synchronous driver copies on the legacy default stream, completed with
     * {@code cuCtxSynchronize}: the path gpu/device-check.sh ran.
     */
    static DeviceCopies contextSync(PrimaryContext context) {
        return new DeviceCopies() {
            @Override
            public void hostToDevice(long device, long host, long bytes) {
                context.run(() -> JCudaDriver.cuMemcpyHtoD(DevicePointers.device(device), DevicePointers.host(host),
                        bytes), "cuMemcpyHtoD");
            }

            @Override
            public void deviceToHost(long host, long device, long bytes) {
                context.run(() -> JCudaDriver.cuMemcpyDtoH(DevicePointers.host(host), DevicePointers.device(device),
                        bytes), "cuMemcpyDtoH");
            }

            @Override
            public void deviceToDevice(long target, long source, long bytes) {
                context.run(() -> JCudaDriver.cuMemcpyDtoD(DevicePointers.device(target),
                        DevicePointers.device(source), bytes), "cuMemcpyDtoD");
            }

            @Override
            public void synchronize() {
                context.run(JCudaDriver::cuCtxSynchronize, "cuCtxSynchronize");
            }
        };
    }

    /** Asynchronous copies on {@code own}, completed by waiting for its event. */
    static DeviceCopies ownStream(PrimaryContext context, OwnStream own) {
        return new DeviceCopies() {
            @Override
            public void hostToDevice(long device, long host, long bytes) {
                context.run(() -> JCudaDriver.cuMemcpyHtoDAsync(DevicePointers.device(device),
                        DevicePointers.host(host), bytes, own.stream()), "cuMemcpyHtoDAsync");
            }

            @Override
            public void deviceToHost(long host, long device, long bytes) {
                context.run(() -> JCudaDriver.cuMemcpyDtoHAsync(DevicePointers.host(host),
                        DevicePointers.device(device), bytes, own.stream()), "cuMemcpyDtoHAsync");
            }

            @Override
            public void deviceToDevice(long target, long source, long bytes) {
                context.run(() -> JCudaDriver.cuMemcpyDtoDAsync(DevicePointers.device(target),
                        DevicePointers.device(source), bytes, own.stream()), "cuMemcpyDtoDAsync");
            }

            @Override
            public void synchronize() {
                own.awaitIssued();
            }
        };
    }
}

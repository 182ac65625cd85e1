package io.arrowshm.gpu;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA side of a {@link StagingPipeline}: two buffers of page-locked host memory
 * ({@code cuMemHostAlloc}, no flags: the host reads them back too, which write-combined memory
 * makes slow), asynchronous copies between them and the payload on the handle's
 * {@link OwnStream}, and one event per buffer that says when its last copy is done.
 */
final class CudaStaging implements StagingPipeline.Engine {
    private final PrimaryContext context;
    private final OwnStream stream;
    private final long payload;
    private final DevicePointers.HostAllocated[] buffers = new DevicePointers.HostAllocated[2];
    private final CUevent[] done = new CUevent[2];

    private CudaStaging(PrimaryContext context, OwnStream stream, long payload) {
        this.context = context;
        this.stream = stream;
        this.payload = payload;
    }

    /** Pins two buffers of {@code bufferBytes}; frees what it made if any call fails. */
    static CudaStaging open(PrimaryContext context, OwnStream stream, long payloadPointer, long bufferBytes) {
        CudaStaging staging = new CudaStaging(context, stream, payloadPointer);
        try {
            for (int i = 0; i < 2; i++) {
                DevicePointers.HostAllocated buffer = new DevicePointers.HostAllocated();
                context.run(() -> JCudaDriver.cuMemHostAlloc(buffer, bufferBytes, 0), "cuMemHostAlloc(" + bufferBytes
                        + " bytes of pinned staging; turn " + CudaPathOptions.PINNED_STAGING + " off, or lower "
                        + CudaPathOptions.STAGING_CHUNK_BYTES + ")");
                staging.buffers[i] = buffer;
                CUevent event = new CUevent();
                context.run(() -> JCudaDriver.cuEventCreate(event, CUevent_flags.CU_EVENT_DISABLE_TIMING),
                        "cuEventCreate");
                staging.done[i] = event;
            }
            return staging;
        } catch (RuntimeException e) {
            try {
                staging.release();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Override
    public long buffer(int index) {
        return buffers[index].address();
    }

    @Override
    public void startUpload(int index, long payloadOffset, long bytes) {
        context.run(() -> JCudaDriver.cuMemcpyHtoDAsync(DevicePointers.device(payload + payloadOffset), buffers[index],
                bytes, stream.stream()), "cuMemcpyHtoDAsync");
        context.run(() -> JCudaDriver.cuEventRecord(done[index], stream.stream()), "cuEventRecord");
    }

    @Override
    public void startDownload(int index, long payloadOffset, long bytes) {
        context.run(() -> JCudaDriver.cuMemcpyDtoHAsync(buffers[index], DevicePointers.device(payload + payloadOffset),
                bytes, stream.stream()), "cuMemcpyDtoHAsync");
        context.run(() -> JCudaDriver.cuEventRecord(done[index], stream.stream()), "cuEventRecord");
    }

    @Override
    public void await(int index) {
        context.run(() -> JCudaDriver.cuEventSynchronize(done[index]), "cuEventSynchronize");
    }

    @Override
    public void release() {
        RuntimeException failure = null;
        for (int i = 0; i < 2; i++) {
            int b = i;
            try {
                if (done[b] != null) {
                    context.run(() -> JCudaDriver.cuEventDestroy(done[b]), "cuEventDestroy");
                }
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
            try {
                if (buffers[b] != null) {
                    context.run(() -> JCudaDriver.cuMemFreeHost(buffers[b]), "cuMemFreeHost");
                }
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
            done[b] = null;
            buffers[b] = null;
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}

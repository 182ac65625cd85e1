package io.arrowshm.gpu;

import java.lang.reflect.Field;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUipcEventHandle;
import jcuda.driver.CUipcMemHandle;
import jcuda.driver.CUipcMem_flags;
import jcuda.driver.JCudaDriver;

/**
 * Another process's device allocation, opened from a stream's {@link GpuHandle} with
 * {@code cuIpcOpenMemHandle} in the device's primary context. It owns the mapping and the
 * context reference, and releases both on {@link #close()}.
 *
 * <p>Run on a device by gpu/device-check.sh and {@code GpuDeviceTest}; CI has no GPU and tests
 * only its failure without a driver. Known limits: the creating process cannot open its own
 * handle (CUDA refuses it); an expandable-segment torch handle is refused earlier, by
 * {@link CudaIpcHandle}.
 *
 * <pre>{@code
 * GpuHandle handle = GpuHandleSegment.decode(segment);
 * try (CudaIpcMapping mapping = CudaIpcMapping.open(handle)) {
 *     SeqlockedCopy.copy(sequence, () -> mapping.copyTo(myDeviceBuffer), Duration.ofSeconds(1), "frames");
 * }
 * }</pre>
 */
public final class CudaIpcMapping implements AutoCloseable {
    private final CUdevice device;
    private final CUcontext context;
    private final DevicePointers.Allocated base;
    private final CUdeviceptr payload;
    private final long payloadSize;
    private final long payloadOffset;
    /** Bytes the driver says the mapping spans from its base (cuMemGetAddressRange at open). */
    private long mappedBytes;
    private boolean closed;

    private CudaIpcMapping(CUdevice device, CUcontext context, DevicePointers.Allocated base, long payloadOffset,
                           long payloadSize) {
        this.device = device;
        this.context = context;
        this.base = base;
        this.payload = base.withByteOffset(payloadOffset);
        this.payloadOffset = payloadOffset;
        this.payloadSize = payloadSize;
    }

    /**
     * Opens {@code handle}'s allocation on its device and, for a torch handle that asks for
     * it, waits for the producer's event before returning.
     *
     * @throws GpuUnavailableException when CUDA cannot be used here (the probe's reason)
     * @throws CudaCallException when a driver call fails
     * @throws InvalidGpuHandleException {@code OUTSIDE_ALLOCATION} when the payload does not fit the
     *     mapped allocation
     */
    public static CudaIpcMapping open(GpuHandle handle) {
        CudaDriver.require("open the CUDA IPC handle of a stream on cuda:" + handle.deviceIndex());
        CUdevice device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, handle.deviceIndex()), "cuDeviceGet(" + handle.deviceIndex() + ")");
        CUcontext context = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        boolean opened = false;
        try {
            check(JCudaDriver.cuCtxPushCurrent(context), "cuCtxPushCurrent");
            try {
                DevicePointers.Allocated base = new DevicePointers.Allocated();
                check(JCudaDriver.cuIpcOpenMemHandle(base, memHandle(handle.ipcMemHandle()),
                        CUipcMem_flags.CU_IPC_MEM_LAZY_ENABLE_PEER_ACCESS), "cuIpcOpenMemHandle");
                CudaIpcMapping mapping = new CudaIpcMapping(device, context, base, handle.payloadOffsetBytes(),
                        handle.payloadSizeBytes());
                try {
                    mapping.checkBounds(handle);
                    if (handle instanceof TorchCudaHandle torch && torch.eventSyncRequired()) {
                        waitForProducer(torch.eventHandle());
                    }
                } catch (RuntimeException e) {
                    JCudaDriver.cuIpcCloseMemHandle(base);
                    throw e;
                }
                opened = true;
                return mapping;
            } finally {
                JCudaDriver.cuCtxPopCurrent(new CUcontext());
            }
        } finally {
            if (!opened) {
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
            }
        }
    }

    /** The first payload byte in this process's device address space. */
    public CUdeviceptr payload() {
        requireOpen();
        return payload;
    }

    /** The first payload byte as a raw device address in this process. */
    public long payloadAddress() {
        requireOpen();
        return base.address() + payloadOffset;
    }

    /** The mapped allocation's base as a raw device address in this process. */
    public long baseAddress() {
        requireOpen();
        return base.address();
    }

    /** Bytes of the payload. */
    public long payloadSize() {
        return payloadSize;
    }

    /**
     * Copies the whole payload to {@code destination} (device memory of at least
     * {@link #payloadSize()} bytes) and returns once the copy is complete, as
     * {@link SeqlockedCopy} needs.
     */
    public void copyTo(CUdeviceptr destination) {
        requireOpen();
        check(JCudaDriver.cuCtxPushCurrent(context), "cuCtxPushCurrent");
        try {
            check(JCudaDriver.cuMemcpyDtoD(destination, payload, payloadSize), "cuMemcpyDtoD");
            check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
        } finally {
            JCudaDriver.cuCtxPopCurrent(new CUcontext());
        }
    }

    /** Unmaps the allocation and releases the context reference; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        JCudaDriver.cuCtxPushCurrent(context);
        try {
            check(JCudaDriver.cuIpcCloseMemHandle(base), "cuIpcCloseMemHandle");
        } finally {
            JCudaDriver.cuCtxPopCurrent(new CUcontext());
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }

    /**
     * The driver's size of the mapping, from its base (the range's own base is not used: the
     * check as it ran on a device measured from the mapped base), and the handle's payload
     * checked against it.
     */
    private void checkBounds(GpuHandle handle) {
        long[] mappedSize = {0};
        check(JCudaDriver.cuMemGetAddressRange(new CUdeviceptr(), mappedSize, base), "cuMemGetAddressRange");
        mappedBytes = mappedSize[0];
        AllocationBounds.payloadPointer("a stream on cuda:" + handle.deviceIndex(), base.address(), mappedBytes,
                base.address(), handle.payloadOffsetBytes(), handle.payloadSizeBytes(), "the IPC mapping");
    }

    /**
     * The payload of {@code bytes} at {@code offset} from this mapping's base, checked against
     * the mapping's range. A second handle that shares this mapping brings its own record, so
     * its offset is checked here, not only the first handle's at open.
     *
     * @throws InvalidGpuHandleException {@code OUTSIDE_ALLOCATION} when it does not fit
     */
    long payloadAddress(String stream, long offset, long bytes) {
        requireOpen();
        return AllocationBounds.payloadPointer(stream, base.address(), mappedBytes, base.address(), offset, bytes,
                "the IPC mapping");
    }

    private static void waitForProducer(byte[] eventHandle) {
        CUevent event = new CUevent();
        check(JCudaDriver.cuIpcOpenEventHandle(event, eventHandle(eventHandle)), "cuIpcOpenEventHandle");
        try {
            // torch makes the consumer's stream wait; a host-side wait is simpler and is done once, at open.
            check(JCudaDriver.cuEventSynchronize(event), "cuEventSynchronize");
        } finally {
            JCudaDriver.cuEventDestroy(event);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the CUDA IPC mapping is closed; open the stream's handle again");
        }
    }

    private static void check(int result, String call) {
        CudaCallException.requireSuccess(result, call);
    }

    // JCuda 12.6.0 gives CUipcMemHandle and CUipcEventHandle no way to set their 64 bytes
    // (only the driver fills them), so the handle read from the segment is copied into the
    // private array the JNI code reads. This works on the class path; a JPMS build must open
    // the jcuda.driver package to this module.
    static CUipcMemHandle memHandle(byte[] bytes) {
        CUipcMemHandle handle = new CUipcMemHandle();
        fill(handle, bytes);
        return handle;
    }

    /** The 64 bytes of an exported handle. */
    static byte[] bytes(CUipcMemHandle handle) {
        try {
            Field reserved = handle.getClass().getDeclaredField("reserved");
            reserved.setAccessible(true);
            return ((byte[]) reserved.get(handle)).clone();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read an IPC handle from this JCuda version: use JCuda 12.6.0", e);
        }
    }

    static CUipcEventHandle eventHandle(byte[] bytes) {
        CUipcEventHandle handle = new CUipcEventHandle();
        fill(handle, bytes);
        return handle;
    }

    private static void fill(Object jcudaHandle, byte[] bytes) {
        try {
            Field reserved = jcudaHandle.getClass().getDeclaredField("reserved");
            reserved.setAccessible(true);
            byte[] target = (byte[]) reserved.get(jcudaHandle);
            if (target.length != bytes.length) {
                throw new IllegalStateException(jcudaHandle.getClass().getSimpleName() + " holds " + target.length
                        + " bytes, the handle has " + bytes.length);
            }
            System.arraycopy(bytes, 0, target, 0, bytes.length);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot pass an IPC handle to this JCuda version ("
                    + jcudaHandle.getClass().getName() + ".reserved is not accessible): use JCuda 12.6.0 on the"
                    + " class path", e);
        }
    }
}

package io.arrowshm.gpu;

import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * A GPU stream's payload for the core's device seam, with the JCuda driver API: either an
 * allocation made here ({@code cuMemAlloc}, rounded up to 2 MiB, exported with
 * {@code cuIpcGetMemHandle} and described by a {@link GpuRecord}), or another process's
 * allocation opened with {@code cuIpcOpenMemHandle} ({@link CudaIpcMapping}). In the creating
 * process a handle that opens the stream again reuses the original pointer (CUDA refuses to
 * open a process's own IPC handle); the memory is freed when the last handle here closes.
 *
 * <p>Every call runs in the device's primary context, pushed and popped around it, so any
 * thread may call. Copies between host and device are {@code cuMemcpyHtoD}/{@code DtoH}
 * (synchronous for pageable memory), device copies {@code cuMemcpyDtoD};
 * {@link #synchronize()} is {@code cuCtxSynchronize}.
 *
 * <p>Run on a device by gpu/device-check.sh (two JVMs, torch and pyshmem peers, the 381 MiB
 * read); CI has no GPU, so there the core's side of the seam is tested with a host-memory seam.
 */
final class CudaDevicePayload implements DevicePayload {
    /** Allocations this process made, by IPC handle (hex), with how many handles here use each. */
    private static final Map<String, Owned> LOCAL = new ConcurrentHashMap<>();
    /**
     * Other processes' allocations opened here, by IPC handle (hex): CUDA does not promise that
     * one handle can be opened twice in a process (torch keeps the same kind of cache), so a
     * second handle on the same allocation shares the mapping.
     */
    private static final Map<String, Mapped> MAPPED = new ConcurrentHashMap<>();

    private final DeviceRequest request;
    private final CUdevice device;
    private final CUcontext context;
    private final long pointer;
    private final byte[] record;
    private final Owned owned;
    private final Mapped mapping;
    private boolean closed;

    private CudaDevicePayload(DeviceRequest request, CUdevice device, CUcontext context, long pointer, byte[] record,
                              Owned owned, Mapped mapping) {
        this.request = request;
        this.device = device;
        this.context = context;
        this.pointer = pointer;
        this.record = record;
        this.owned = owned;
        this.mapping = mapping;
    }

    /** One mapping of another process's allocation, shared by the handles here. */
    private static final class Mapped {
        final CudaIpcMapping mapping;
        int users = 1;

        Mapped(CudaIpcMapping mapping) {
            this.mapping = mapping;
        }
    }

    /** One allocation made in this process. */
    private static final class Owned {
        final DevicePointers.Allocated base;
        final int deviceIndex;
        int users = 1;

        Owned(DevicePointers.Allocated base, int deviceIndex) {
            this.base = base;
            this.deviceIndex = deviceIndex;
        }
    }

    static CudaDevicePayload allocate(DeviceRequest request) {
        CudaDriver.require("allocate '" + request.stream() + "' on " + request.device());
        CUdevice device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, request.deviceIndex()), "cuDeviceGet(" + request.deviceIndex() + ")");
        CUcontext context = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        boolean done = false;
        DevicePointers.Allocated base = new DevicePointers.Allocated();
        boolean allocated = false;
        try {
            push(context);
            try {
                check(JCudaDriver.cuMemAlloc(base, GpuRecord.allocationSizeFor(request.size())), "cuMemAlloc");
                allocated = true;
                check(JCudaDriver.cuMemsetD8(base, (byte) 0, request.size()), "cuMemsetD8");
                jcuda.driver.CUipcMemHandle exported = new jcuda.driver.CUipcMemHandle();
                check(JCudaDriver.cuIpcGetMemHandle(exported, base), "cuIpcGetMemHandle");
                byte[] handle = CudaIpcMapping.bytes(exported);
                byte[] record = GpuRecord.forPayload(request.deviceIndex(), request.dtype(), request.shape(), handle,
                        ProcessHandle.current().pid()).encode();
                Owned owned = new Owned(base, request.deviceIndex());
                LOCAL.put(HexFormat.of().formatHex(handle), owned);
                CudaDevicePayload payload = new CudaDevicePayload(request, device, context, base.address(), record,
                        owned, null);
                done = true;
                return payload;
            } finally {
                if (!done && allocated) {
                    JCudaDriver.cuMemFree(base);
                }
                pop();
            }
        } finally {
            if (!done) {
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
            }
        }
    }

    static CudaDevicePayload attach(DeviceRequest request, java.nio.ByteBuffer segment) {
        CudaDriver.require("attach '" + request.stream() + "' on " + request.device());
        GpuHandle handle = GpuHandleSegment.decode(segment);
        handle.requireMatches(request.stream(), request.dtype(), request.shape(), request.deviceIndex());
        byte[] record = new byte[segment.remaining()];
        segment.duplicate().get(record);
        CUdevice device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, request.deviceIndex()), "cuDeviceGet(" + request.deviceIndex() + ")");
        CUcontext context = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        boolean done = false;
        try {
            CudaDevicePayload payload;
            if (handle instanceof GpuRecord r && r.creatorPid() == ProcessHandle.current().pid()) {
                Owned owned = LOCAL.get(HexFormat.of().formatHex(r.ipcMemHandle()));
                if (owned == null) {
                    throw new GpuUnavailableException("cannot reopen GPU stream '" + request.stream() + "' in the"
                            + " process that created it after all of its handles here were closed (CUDA cannot open"
                            + " a process's own IPC handle); recreate the stream");
                }
                synchronized (owned) {
                    owned.users++;
                }
                payload = new CudaDevicePayload(request, device, context, owned.base.address()
                        + r.payloadOffsetBytes(), record, owned, null);
            } else {
                Mapped mapped = mapped(handle);
                payload = new CudaDevicePayload(request, device, context,
                        mapped.mapping.baseAddress() + handle.payloadOffsetBytes(), record, null, mapped);
            }
            done = true;
            return payload;
        } finally {
            if (!done) {
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
            }
        }
    }

    private static Mapped mapped(GpuHandle handle) {
        String key = HexFormat.of().formatHex(handle.ipcMemHandle());
        synchronized (MAPPED) {
            Mapped existing = MAPPED.get(key);
            if (existing != null) {
                existing.users++;
                return existing;
            }
            Mapped opened = new Mapped(CudaIpcMapping.open(handle));
            MAPPED.put(key, opened);
            return opened;
        }
    }

    @Override
    public int deviceIndex() {
        return request.deviceIndex();
    }

    @Override
    public long devicePointer() {
        return pointer;
    }

    @Override
    public long size() {
        return request.size();
    }

    @Override
    public byte[] handleRecord() {
        return record.clone();
    }

    @Override
    public void copyFromHost(long hostAddress, long bytes) {
        run(() -> JCudaDriver.cuMemcpyHtoD(DevicePointers.device(pointer), DevicePointers.host(hostAddress),
                checked(bytes)), "cuMemcpyHtoD");
    }

    @Override
    public void copyToHost(long hostAddress, long bytes) {
        run(() -> JCudaDriver.cuMemcpyDtoH(DevicePointers.host(hostAddress), DevicePointers.device(pointer),
                checked(bytes)), "cuMemcpyDtoH");
    }

    @Override
    public void copyFromDevice(long sourcePointer, long bytes) {
        run(() -> JCudaDriver.cuMemcpyDtoD(DevicePointers.device(pointer), DevicePointers.device(sourcePointer),
                checked(bytes)), "cuMemcpyDtoD");
    }

    @Override
    public void copyToDevice(long targetPointer, long bytes) {
        run(() -> JCudaDriver.cuMemcpyDtoD(DevicePointers.device(targetPointer), DevicePointers.device(pointer),
                checked(bytes)), "cuMemcpyDtoD");
    }

    @Override
    public void synchronize() {
        run(JCudaDriver::cuCtxSynchronize, "cuCtxSynchronize");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (mapping != null) {
                boolean last;
                synchronized (MAPPED) {
                    last = --mapping.users == 0;
                    if (last) {
                        MAPPED.values().remove(mapping);
                    }
                }
                if (last) {
                    mapping.mapping.close();
                }
            } else {
                boolean free;
                synchronized (owned) {
                    free = --owned.users == 0;
                }
                if (free) {
                    LOCAL.values().remove(owned);
                    push(context);
                    try {
                        check(JCudaDriver.cuMemFree(owned.base), "cuMemFree");
                    } finally {
                        pop();
                    }
                }
            }
        } finally {
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }

    private long checked(long bytes) {
        if (bytes < 0 || bytes > request.size()) {
            throw new IllegalArgumentException(bytes + " bytes for the " + request.size() + "-byte payload of '"
                    + request.stream() + "'");
        }
        return bytes;
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the device payload of '" + request.stream() + "' is closed");
        }
    }

    private void run(java.util.function.IntSupplier call, String name) {
        requireOpen();
        push(context);
        try {
            check(call.getAsInt(), name);
        } finally {
            pop();
        }
    }

    private static void push(CUcontext context) {
        check(JCudaDriver.cuCtxPushCurrent(context), "cuCtxPushCurrent");
    }

    private static void pop() {
        JCudaDriver.cuCtxPopCurrent(new CUcontext());
    }

    private static void check(int result, String call) {
        CudaCallException.requireSuccess(result, call);
    }
}

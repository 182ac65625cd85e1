package io.arrowshm.gpu;

import io.arrowshm.spi.DevicePayload;
import io.arrowshm.spi.DeviceRequest;
import io.arrowshm.spi.HostMemory;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.JCudaDriver;

/**
 * A GPU stream's payload for the core's device seam, with the JCuda driver API: either an
 * allocation made here ({@code cuMemAlloc}, rounded up to 2 MiB, exported with
 * {@code cuIpcGetMemHandle} and described by a {@link GpuRecord}), or another process's
 * allocation opened with {@code cuIpcOpenMemHandle} ({@link CudaIpcMapping}). In the creating
 * process a handle that opens the stream again reuses the original pointer (CUDA refuses to
 * open a process's own IPC handle); the memory is freed when the last handle here closes.
 *
 * <p>The copies take the paths {@link CudaPathOptions} chose when the handle was made. By
 * default (what gpu/device-check.sh ran): {@code cuMemcpyHtoD}/{@code DtoH} straight between
 * the device and the data segment (pageable), {@code cuMemcpyDtoD}, and
 * {@link #synchronize()} as {@code cuCtxSynchronize}. With the options: host copies through
 * the handle's pinned staging ({@link StagingPipeline}), and copies on a stream of the handle's
 * own completed by an event ({@link OwnStream}).
 *
 * <p>Attaching checks where the payload is: in the creating process against the allocation
 * made here (always) and against the driver's {@code cuMemGetAddressRange} (option); from
 * another process against the range of the IPC mapping ({@link CudaIpcMapping}, always).
 * A close waits for copies in progress ({@link CloseGate}).
 *
 * <p>CI has no GPU: there the pure parts are tested (options, staging pipeline with a host
 * memory engine, bounds, close gate) and the core's side of the seam runs on a host-memory seam.
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
    private final PrimaryContext context;
    private final long pointer;
    private final byte[] record;
    private final Owned owned;
    private final Mapped mapping;
    private final OwnStream stream;
    private final DeviceCopies copies;
    private final StagingPipeline staging;
    private final CloseGate gate = new CloseGate();

    private CudaDevicePayload(DeviceRequest request, PrimaryContext context, long pointer, byte[] record, Owned owned,
                              Mapped mapping, CudaPathOptions options) {
        this.request = request;
        this.context = context;
        this.pointer = pointer;
        this.record = record;
        this.owned = owned;
        this.mapping = mapping;
        OwnStream own = options.eventSync() || options.pinnedStaging() ? OwnStream.create(context) : null;
        try {
            this.copies = options.eventSync() ? DeviceCopies.ownStream(context, own) : DeviceCopies.contextSync(context);
            this.staging = options.pinnedStaging()
                    ? new StagingPipeline(request.stream(), request.size(), options.stagingChunkBytes(),
                            bytes -> CudaStaging.open(context, own, pointer, bytes), HostMemory::copy)
                    : null;
        } catch (RuntimeException | Error e) {
            if (own != null) {
                own.close();
            }
            throw e;
        }
        this.stream = own;
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
        final long allocationBytes;
        int users = 1;

        Owned(DevicePointers.Allocated base, long allocationBytes) {
            this.base = base;
            this.allocationBytes = allocationBytes;
        }
    }

    static CudaDevicePayload allocate(DeviceRequest request, CudaPathOptions options) {
        CudaDriver.require("allocate '" + request.stream() + "' on " + request.device());
        PrimaryContext context = PrimaryContext.retain(request.deviceIndex());
        DevicePointers.Allocated base = new DevicePointers.Allocated();
        long allocationBytes = GpuRecord.allocationSizeFor(request.size());
        boolean allocated = false;
        String key = null;
        try {
            context.run(() -> JCudaDriver.cuMemAlloc(base, allocationBytes), "cuMemAlloc");
            allocated = true;
            context.run(() -> JCudaDriver.cuMemsetD8(base, (byte) 0, request.size()), "cuMemsetD8");
            jcuda.driver.CUipcMemHandle exported = new jcuda.driver.CUipcMemHandle();
            context.run(() -> JCudaDriver.cuIpcGetMemHandle(exported, base), "cuIpcGetMemHandle");
            byte[] handle = CudaIpcMapping.bytes(exported);
            byte[] record = GpuRecord.forPayload(request.deviceIndex(), request.dtype(), request.shape(), handle,
                    ProcessHandle.current().pid()).encode();
            Owned owned = new Owned(base, allocationBytes);
            key = HexFormat.of().formatHex(handle);
            LOCAL.put(key, owned);
            return new CudaDevicePayload(request, context, base.address(), record, owned, null, options);
        } catch (RuntimeException | Error e) {
            if (key != null) {
                LOCAL.remove(key);
            }
            if (allocated) {
                try {
                    context.run(() -> JCudaDriver.cuMemFree(base), "cuMemFree");
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            context.release();
            throw e;
        }
    }

    static CudaDevicePayload attach(DeviceRequest request, java.nio.ByteBuffer segment, CudaPathOptions options) {
        CudaDriver.require("attach '" + request.stream() + "' on " + request.device());
        GpuHandle handle = GpuHandleSegment.decode(segment);
        handle.requireMatches(request.stream(), request.dtype(), request.shape(), request.deviceIndex());
        byte[] record = new byte[segment.remaining()];
        segment.duplicate().get(record);
        PrimaryContext context = PrimaryContext.retain(request.deviceIndex());
        try {
            if (handle instanceof GpuRecord r && r.creatorPid() == ProcessHandle.current().pid()) {
                return attachOwn(request, r, record, context, options);
            }
            Mapped mapped = mapped(handle);
            try {
                long payload = mapped.mapping.payloadAddress(request.stream(), handle.payloadOffsetBytes(),
                        request.size());
                return new CudaDevicePayload(request, context, payload, record, null, mapped, options);
            } catch (RuntimeException | Error e) {
                unmap(mapped);
                throw e;
            }
        } catch (RuntimeException | Error e) {
            context.release();
            throw e;
        }
    }

    /** In the creating process: the original pointer, once the record is checked against the allocation made here. */
    private static CudaDevicePayload attachOwn(DeviceRequest request, GpuRecord r, byte[] record,
                                               PrimaryContext context, CudaPathOptions options) {
        Owned owned = LOCAL.get(HexFormat.of().formatHex(r.ipcMemHandle()));
        if (owned == null) {
            throw new GpuUnavailableException("cannot reopen GPU stream '" + request.stream() + "' in the"
                    + " process that created it after all of its handles here were closed (CUDA cannot open"
                    + " a process's own IPC handle); recreate the stream");
        }
        long base = owned.base.address();
        if (r.allocationSizeBytes() != owned.allocationBytes) {
            throw new InvalidGpuHandleException(InvalidGpuHandleException.Kind.OUTSIDE_ALLOCATION, "the _gpu segment"
                    + " of '" + request.stream() + "' says its allocation is " + r.allocationSizeBytes() + " bytes;"
                    + " this process allocated " + owned.allocationBytes + " bytes under that IPC handle: the segment"
                    + " does not describe this allocation (planted or damaged): recreate the stream");
        }
        long payload = AllocationBounds.payloadPointer(request.stream(), base, owned.allocationBytes, base,
                r.payloadOffsetBytes(), request.size(), "the allocation this process made");
        if (options.checkAllocationRange()) {
            long[] range = driverRange(context, base);
            AllocationBounds.payloadPointer(request.stream(), range[0], range[1], base, r.payloadOffsetBytes(),
                    request.size(), "the allocation cuMemGetAddressRange reports");
        }
        synchronized (owned) {
            if (owned.users == 0) {
                throw new GpuUnavailableException("GPU stream '" + request.stream() + "' was freed in this process"
                        + " while it was reopened; recreate the stream");
            }
            owned.users++;
        }
        try {
            return new CudaDevicePayload(request, context, payload, record, owned, null, options);
        } catch (RuntimeException | Error e) {
            release(owned, context);
            throw e;
        }
    }

    /** {@code {base, bytes}} of the allocation that contains {@code pointer}, as the driver says. */
    static long[] driverRange(PrimaryContext context, long pointer) {
        DevicePointers.Allocated rangeBase = new DevicePointers.Allocated();
        long[] bytes = {0};
        context.run(() -> JCudaDriver.cuMemGetAddressRange(rangeBase, bytes, DevicePointers.device(pointer)),
                "cuMemGetAddressRange");
        return new long[] {rangeBase.address(), bytes[0]};
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

    private static void unmap(Mapped mapped) {
        boolean last;
        synchronized (MAPPED) {
            last = --mapped.users == 0;
            if (last) {
                MAPPED.values().remove(mapped);
            }
        }
        if (last) {
            mapped.mapping.close();
        }
    }

    private static void release(Owned owned, PrimaryContext context) {
        boolean free;
        synchronized (owned) {
            free = --owned.users == 0;
        }
        if (free) {
            LOCAL.values().remove(owned);
            context.run(() -> JCudaDriver.cuMemFree(owned.base), "cuMemFree");
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
        use(() -> {
            if (staging != null) {
                staging.upload(hostAddress, checked(bytes));
            } else {
                copies.hostToDevice(pointer, hostAddress, checked(bytes));
            }
        });
    }

    @Override
    public void copyToHost(long hostAddress, long bytes) {
        use(() -> {
            if (staging != null) {
                staging.download(hostAddress, checked(bytes));
            } else {
                copies.deviceToHost(hostAddress, pointer, checked(bytes));
            }
        });
    }

    @Override
    public void copyFromDevice(long sourcePointer, long bytes) {
        use(() -> copies.deviceToDevice(pointer, sourcePointer, checked(bytes)));
    }

    @Override
    public void copyToDevice(long targetPointer, long bytes) {
        use(() -> copies.deviceToDevice(targetPointer, pointer, checked(bytes)));
    }

    @Override
    public void synchronize() {
        use(copies::synchronize);
    }

    /** Waits for copies in progress, then releases staging, stream, memory and context; idempotent. */
    @Override
    public void close() {
        if (!gate.close()) {
            return;
        }
        try {
            if (staging != null) {
                staging.close();
            }
        } finally {
            try {
                if (stream != null) {
                    stream.close();
                }
            } finally {
                try {
                    if (mapping != null) {
                        unmap(mapping);
                    } else {
                        release(owned, context);
                    }
                } finally {
                    context.release();
                }
            }
        }
    }

    private long checked(long bytes) {
        if (bytes < 0 || bytes > request.size()) {
            throw new IllegalArgumentException(bytes + " bytes for the " + request.size() + "-byte payload of '"
                    + request.stream() + "'");
        }
        return bytes;
    }

    private void use(Runnable copy) {
        gate.run(copy, () -> "the device payload of '" + request.stream() + "' is closed");
    }

}

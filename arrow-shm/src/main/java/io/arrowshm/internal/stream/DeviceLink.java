package io.arrowshm.internal.stream;

import io.arrowshm.DeviceView;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.internal.format.StreamDescriptor;
import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.spi.DevicePayload;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a handle of a GPU stream reaches its payload; {@code null} in the parts of a CPU
 * stream. The writer and reader call it at fixed points of the protocol, which stays
 * theirs: after a write's copy and before the even store ({@link #afterTransfer}: host
 * data to the device, then synchronize), and for each read attempt inside the seqlock
 * ({@link #readHost}).
 *
 * <p>The data segment is the CPU mirror when the stream has one (the MIRROR flag); without
 * one it is only the writer's staging area under the lock, never read by anyone. A read of
 * a device-attached handle without a mirror stages through private host memory of its own.
 *
 * <p>A CPU-only handle of a GPU stream (no device attached) has a link too: metadata and
 * locks work, reads go through the mirror when there is one, and payload writes are refused
 * (they would reach the mirror but not the device).
 */
public final class DeviceLink {
    private static final AtomicLong STAGING = new AtomicLong();

    private final String name;
    private final StreamDescriptor descriptor;
    private final DevicePayload device;
    private final PayloadMapping host;
    private final Object stagingLock = new Object();
    private Mapping stagingMapping;
    private PayloadCodec staging;
    private boolean closed;

    private DeviceLink(String name, StreamDescriptor descriptor, DevicePayload device, PayloadMapping host) {
        this.name = name;
        this.descriptor = descriptor;
        this.device = device;
        this.host = host;
    }

    /** The link of a handle with {@code device} attached ({@code null}: a CPU-only handle of a GPU stream). */
    static DeviceLink of(String name, StreamDescriptor descriptor, DevicePayload device, PayloadMapping host) {
        return new DeviceLink(name, descriptor, device, host);
    }

    public boolean attached() {
        return device != null;
    }

    private boolean mirror() {
        return descriptor.cpuMirror();
    }

    private String deviceName() {
        return "cuda:" + descriptor.deviceIndex();
    }

    // ------------------------------------------------------------------ writes

    /** Before a write takes the lock: refuses payload writes from a CPU-only handle. */
    void checkWrite() {
        if (device == null) {
            throw new SharedMemoryException("cannot write to '" + name + "' through a CPU-only handle: it is a GPU"
                    + " stream on " + deviceName() + " and a host write would not reach the device; open it with"
                    + " OpenOptions.gpuDevice(\"" + deviceName() + "\") to write");
        }
    }

    /**
     * Inside a publication, after the copy and before the even store: a host copy (into the
     * data segment) goes on to the device; then everything is synchronized. Throwing here
     * aborts the publication.
     */
    void afterTransfer(PayloadTransfer<?> transfer) {
        if (!(transfer instanceof DeviceTransfer)) {
            // The device copy may read the segment with the driver's own memcpy (pageable CUDA
            // copies do), where a fault ends the JVM: a fault in the copy in must surface first.
            FaultBarrier.deliverPending();
            device.copyFromHost(host.address(), host.size());
        }
        device.synchronize();
    }

    /** The transfer of a write whose source is device memory on this stream's device. */
    public PayloadTransfer<Long> fromDevice() {
        requireDevice("write device memory to");
        return (DeviceTransfer<Long>) (codec, pointer) -> {
            device.copyFromDevice(pointer, host.size());
            if (mirror()) {
                // Nothing here has touched the mirror yet, and the device copy may write it with the
                // driver's own memcpy, where SIGBUS ends the JVM. A truncation has taken the last
                // page, so probing it turns one that came before into an exception here. (One during
                // the copy is what the gpu module's pinned staging closes.)
                codec.probeLastByte();
                FaultBarrier.deliverPending();
                device.copyToHost(host.address(), host.size());
            }
        };
    }

    // ------------------------------------------------------------------ reads

    /** One read attempt's copy, inside the seqlock: from the mirror, or through private staging. */
    <T> void readHost(PayloadCodec codec, PayloadTransfer<T> transfer, T target) {
        if (transfer instanceof DeviceTransfer || mirror()) {
            transfer.apply(codec, target);
            return;
        }
        if (device == null) {
            throw noMirror("read the payload of");
        }
        synchronized (stagingLock) {
            PayloadCodec stage = staging();
            device.copyToHost(stagingMapping.address(), host.size());
            device.synchronize();
            transfer.apply(stage, target);
        }
    }

    /** The transfer of a read into device memory on this stream's device (complete when it returns). */
    public PayloadTransfer<Long> toDevice() {
        requireDevice("read into device memory from");
        return (DeviceTransfer<Long>) (codec, pointer) -> {
            device.copyToDevice(pointer, host.size());
            device.synchronize();
        };
    }

    /** Before handing out a host view: only the mirror is a host copy of the payload. */
    void checkHostView(String operation) {
        if (!mirror()) {
            throw noMirror(operation);
        }
    }

    /** The live device payload. */
    public DeviceView view() {
        requireDevice("take a device view of");
        return new DeviceView(device.devicePointer(), device.size(), descriptor.dtype(), descriptor.shape(),
                device.deviceIndex());
    }

    /** The device this handle attached, or null. */
    public String attachedDevice() {
        return device == null ? null : "cuda:" + device.deviceIndex();
    }

    private void requireDevice(String operation) {
        if (device == null) {
            throw new SharedMemoryException("cannot " + operation + " '" + name + "' through a CPU-only handle;"
                    + " open it with OpenOptions.gpuDevice(\"" + deviceName() + "\")");
        }
    }

    private SharedMemoryException noMirror(String operation) {
        return new SharedMemoryException("cannot " + operation + " '" + name + "' through a CPU-only handle: it is a"
                + " GPU stream on " + deviceName() + " without a CPU mirror; attach it with a device"
                + " (OpenOptions.gpuDevice(\"" + deviceName() + "\")) or recreate it with"
                + " CreateOptions.cpuMirror(true)");
    }

    /** Private host memory for staged reads: a segment unlinked as soon as it is mapped. */
    private PayloadCodec staging() {
        if (closed) {
            throw new IllegalStateException("shared memory '" + name + "' is closed");
        }
        if (staging == null) {
            String segment = "arrowshm-staging-" + Processes.currentPid() + "-" + STAGING.incrementAndGet();
            Mapping mapping = Segments.create(segment, host.size());
            Segments.delete(segment);
            stagingMapping = mapping;
            staging = new PayloadCodec(mapping, host.size(), descriptor.dtype().javaArrayType());
        }
        return staging;
    }

    /** Releases the device payload and the staging memory; called once, when the handle's parts are released. */
    void release() {
        synchronized (stagingLock) {
            closed = true;
            if (stagingMapping != null) {
                stagingMapping.close();
                stagingMapping = null;
                staging = null;
            }
        }
        if (device != null) {
            device.close();
        }
    }
}

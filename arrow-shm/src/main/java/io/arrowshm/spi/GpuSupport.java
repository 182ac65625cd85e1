package io.arrowshm.spi;

import java.nio.ByteBuffer;

/**
 * The device seam: how the core drives a GPU stream's payload without knowing CUDA. The
 * {@code gpu} module implements it with JCuda; the core finds implementations with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.arrowshm.spi.GpuSupport}) and
 * uses the first one that is {@link #available()}.
 *
 * <p>The core keeps everything that is not device memory: the write lock, the seqlock
 * (odd store, copy, counters, even store), futex notify, frame ids, missed-write accounting,
 * the CPU mirror in the data segment, the {@code _gpu} segment's file and the stream's
 * lifecycle. An implementation only allocates, copies, synchronizes, describes its
 * allocation as the bytes of the {@code _gpu} segment, and attaches from those bytes.
 *
 * <p>Without any implementation, {@code SharedMemory.create}/{@code open} with a GPU device
 * fail saying the {@code gpu} module is missing; with one that is not available, its
 * {@link #allocate} and {@link #attach} throw its own exception with the reason.
 */
public interface GpuSupport {
    /** Whether a driver and at least one device are usable in this process. */
    boolean available();

    /** Why {@link #available()} is false (the empty string when it is true). */
    default String unavailableReason() {
        return available() ? "" : getClass().getName() + " reports no usable device";
    }

    /**
     * Allocates the device payload of a new stream (called while the core holds the name's
     * lock, after the data segment exists and before the {@code _gpu} segment and metadata
     * are written). Its {@link DevicePayload#handleRecord()} becomes the {@code _gpu} segment.
     *
     * @throws RuntimeException the implementation's own, e.g. when no device is usable; nothing
     *     stays allocated then
     */
    DevicePayload allocate(DeviceRequest request);

    /**
     * Attaches the device payload that a stream's {@code _gpu} segment describes, possibly
     * created by another process (or by pyshmem with torch). The implementation checks the
     * record against {@code request} (geometry, device) before mapping anything.
     *
     * @param handleRecord the whole {@code _gpu} segment, read-only, position 0
     */
    DevicePayload attach(DeviceRequest request, ByteBuffer handleRecord);
}

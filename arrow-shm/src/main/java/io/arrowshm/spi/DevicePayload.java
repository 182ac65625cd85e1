package io.arrowshm.spi;

/**
 * One stream's payload in device memory, as this process sees it: allocated by
 * {@link GpuSupport#allocate} or attached by {@link GpuSupport#attach}. The core calls the
 * copies inside its publication protocol; it never calls two of them at once on one payload
 * from a write (a write holds the stream's lock), but reads from several threads may run
 * concurrently, so implementations must be thread-safe.
 *
 * <p>Copies may be asynchronous with respect to the host; {@link #synchronize()} returns once
 * every copy issued before it is complete. The core synchronizes before the publishing even
 * store and before validating a read, so an even, unchanged sequence always means a complete
 * payload (pyshmem's GPU writers synchronize the same way).
 *
 * <p>Addresses are raw: host addresses of this process's memory, device pointers in this
 * process's address space on {@link #deviceIndex()}. Every method throws the
 * implementation's own unchecked exception on failure; a failure inside a publication aborts
 * it (readers then raise until the next complete write).
 */
public interface DevicePayload extends AutoCloseable {
    /** CUDA ordinal of the memory. */
    int deviceIndex();

    /** Device pointer of the first payload byte, in this process. */
    long devicePointer();

    /** Payload bytes: prod(shape) * itemsize. */
    long size();

    /**
     * The bytes of the stream's {@code _gpu} segment that describe this allocation to other
     * processes (what {@link GpuSupport#attach} reads back). For an attached payload, the
     * record it was attached from.
     */
    byte[] handleRecord();

    /** Copies {@code bytes} from host memory at {@code hostAddress} to the payload's start. */
    void copyFromHost(long hostAddress, long bytes);

    /** Copies {@code bytes} from the payload's start to host memory at {@code hostAddress}. */
    void copyToHost(long hostAddress, long bytes);

    /** Copies {@code bytes} from device memory at {@code sourcePointer} (same device) to the payload. */
    void copyFromDevice(long sourcePointer, long bytes);

    /** Copies {@code bytes} of the payload to device memory at {@code targetPointer} (same device). */
    void copyToDevice(long targetPointer, long bytes);

    /** Returns once every copy issued on this payload is complete. */
    void synchronize();

    /** Releases this process's use of the memory (frees it when this process allocated it and nothing else here uses it). Idempotent. */
    @Override
    void close();
}

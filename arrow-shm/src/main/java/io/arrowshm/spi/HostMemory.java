package io.arrowshm.spi;

import io.arrowshm.internal.stream.AddressCopy;

/**
 * Host copies for {@link DevicePayload} implementations that stage through memory of their
 * own (pinned buffers, say). The host addresses the core passes to
 * {@link DevicePayload#copyFromHost} and {@link DevicePayload#copyToHost} are usually a
 * stream's mapped data segment, which another process can truncate; a native copy from a
 * truncated mapping (a driver's own {@code memcpy}) takes SIGBUS outside Java and ends the
 * JVM. This copy is the core's own: the fault becomes an exception thrown here, which the
 * core's guard turns into a {@code SharedMemoryException} naming the stream, and large copies
 * are split across the library's copy threads like the core's payload copies.
 *
 * <pre>{@code
 * public void copyFromHost(long hostAddress, long bytes) {
 *     HostMemory.copy(hostAddress, pinnedBuffer, bytes);   // a truncated mirror throws here
 *     dmaToDevice(pinnedBuffer, bytes);                    // the driver reads only our memory
 * }
 * }</pre>
 */
public final class HostMemory {
    private HostMemory() {
    }

    /**
     * Copies {@code bytes} between two host ranges of this process that do not overlap, both
     * mapped for the whole call.
     *
     * @throws InternalError when either range has lost pages (another process truncated the
     *     segment); thrown from this call, never later
     * @throws IllegalArgumentException for a negative size, a zero address, or overlapping ranges
     */
    public static void copy(long sourceAddress, long targetAddress, long bytes) {
        AddressCopy.copy(sourceAddress, targetAddress, bytes);
    }
}

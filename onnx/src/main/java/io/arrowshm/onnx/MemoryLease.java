package io.arrowshm.onnx;

import org.apache.arrow.memory.ArrowBuf;

/**
 * Memory whose lifetime this object holds: {@link #memory()} is valid from the lease's creation
 * until {@link #close()}. A {@link LeasedTensor} is built over a lease and closes it when the
 * tensor is released, so ONNX Runtime never holds a pointer into memory nobody keeps alive.
 *
 * <p>The leases: a stream's payload view ({@code SharedMemory.buffer()}, which the
 * {@link OnnxStreams} methods take for you), a ring's {@code RingLease} or {@code RingBatch}
 * ({@link OnnxRings}: the memory is the slots, and ending the lease moves the reader's cursor
 * past them), and any {@link ArrowBuf} a caller owns, such as a private copy from
 * {@code readInto} ({@link #of}).
 *
 * <pre>{@code
 * ArrowBuf copy = allocator.buffer(shm.size());
 * shm.readInto(copy);                                        // a private snapshot
 * try (LeasedTensor x = LeasedTensor.over(env, MemoryLease.of(copy, "a copy of 'frames'"),
 *         shm.dtype(), shm.shape())) {                        // x owns the copy now
 *     ...
 * }
 * }</pre>
 */
public interface MemoryLease extends AutoCloseable {
    /** The leased memory, valid until {@link #close()}; the lease owns it, so never close it yourself. */
    ArrowBuf memory();

    /** Where the memory comes from, for messages, e.g. {@code "stream 'frames'"}. */
    String origin();

    /** Ends the lease: from now on the memory may be unmapped or reused. Closing twice is harmless. */
    @Override
    void close();

    /**
     * A lease that owns {@code memory}, one reference the caller hands over (a fresh
     * {@code SharedMemory.buffer()} view, a buffer from an allocator): closing the lease closes it,
     * once. The caller must not close it too, since Arrow's count is shared by every object over
     * the same reference.
     *
     * @throws IllegalArgumentException when {@code memory} was already closed
     */
    static MemoryLease of(ArrowBuf memory, String origin) {
        return new OwnedBuffer(memory, origin);
    }
}

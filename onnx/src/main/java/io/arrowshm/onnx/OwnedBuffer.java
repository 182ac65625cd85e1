package io.arrowshm.onnx;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.ArrowBuf;

/** {@link MemoryLease#of}: one Arrow reference, closed exactly once when the lease ends. */
final class OwnedBuffer implements MemoryLease {
    private final ArrowBuf memory;
    private final String origin;
    private final AtomicBoolean closed = new AtomicBoolean();

    OwnedBuffer(ArrowBuf memory, String origin) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.origin = Objects.requireNonNull(origin, "origin");
        if (memory.refCnt() == 0) {
            throw new IllegalArgumentException("cannot lease " + origin + ": its ArrowBuf is already closed;"
                    + " lease a live buffer (a new SharedMemory.buffer() view, or a buffer you have not closed)");
        }
    }

    @Override
    public ArrowBuf memory() {
        return memory;
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            memory.close();
        }
    }

    @Override
    public String toString() {
        return "MemoryLease[" + origin + (closed.get() ? ", closed]" : "]");
    }
}

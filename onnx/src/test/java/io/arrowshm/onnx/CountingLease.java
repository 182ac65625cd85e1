package io.arrowshm.onnx;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts how often a lease is closed, passing every call on to it. */
final class CountingLease implements MemoryLease {
    private final MemoryLease lease;
    private final AtomicInteger closes = new AtomicInteger();

    CountingLease(MemoryLease lease) {
        this.lease = lease;
    }

    int closes() {
        return closes.get();
    }

    @Override
    public org.apache.arrow.memory.ArrowBuf memory() {
        return lease.memory();
    }

    @Override
    public String origin() {
        return lease.origin();
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        lease.close();
    }
}

package io.arrowshm.flight;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The frame memory the server's {@code DoGet}s may hold at once, handed out before a call starts.
 * A call's share is the rows gRPC may hold for a client that is behind: a row is taken only while
 * less than the per-client threshold is queued, and a queued row counts whole until it is written,
 * so at most {@code threshold / frame + 1} rows (the one being loaded among them). A stream's share
 * is its cache's snapshot and the copy that replaces it, and its validity bits; a ring's call
 * reserves the two batches it may hold. A reservation is granted
 * while it fits, and always when nothing is reserved (a stream's frames may be larger than the whole
 * budget). The frame memory's limit is kept at the budget, or at what was reserved when that is
 * more, so what admission promised is also what the allocator enforces.
 */
final class SendBudget {
    /** Room for a row's IPC header and scalar columns beside its tensor bytes. */
    static final long ROW_OVERHEAD_BYTES = 4096;

    private final long maxBytes;
    private final long clientQueueBytes;
    private final BufferAllocator memory;
    private final AtomicLong reserved = new AtomicLong();

    /** Budgets {@code memory} (the frame memory; its limit is set here from now on). */
    SendBudget(long maxBytes, long clientQueueBytes, BufferAllocator memory) {
        this.maxBytes = maxBytes;
        this.clientQueueBytes = clientQueueBytes;
        this.memory = memory;
        memory.setLimit(maxBytes);
    }

    /** What one call may hold: the rows its client's queue may hold. */
    long callShare(long frameBytes) {
        return rowsPerCall(frameBytes) * row(frameBytes);
    }

    /** The rows a call may hold: as many as start below the queue threshold, the last one whole. */
    long rowsPerCall(long frameBytes) {
        return clientQueueBytes / Math.max(1, frameBytes) + 1;
    }

    /** What a stream's cache holds for all its calls: the latest snapshot and the one being copied. */
    long streamShare(long frameBytes) {
        return saturatedSum(2 * row(frameBytes), frameBytes / 8 + 8);
    }

    /**
     * Reserves {@code bytes} (a stream call's shares, or what a ring's call says it may hold);
     * false when they do not fit beside what is reserved.
     */
    boolean reserveBytes(long bytes) {
        while (true) {
            long now = reserved.get();
            if (now > 0 && bytes > maxBytes - now) {
                return false;
            }
            if (reserved.compareAndSet(now, saturatedSum(now, bytes))) {
                limitMemory();
                return true;
            }
        }
    }

    void releaseBytes(long bytes) {
        reserved.addAndGet(-bytes);
        limitMemory();
    }

    private synchronized void limitMemory() {
        memory.setLimit(Math.max(maxBytes, reserved.get()));
    }

    long maxBytes() {
        return maxBytes;
    }

    /** A frame's snapshot as the allocator sizes it, and its row's overhead. */
    private long row(long frameBytes) {
        long rounded = frameBytes >= Integer.MAX_VALUE ? frameBytes : memory.getRoundingPolicy().getRoundedSize(frameBytes);
        return saturatedSum(rounded, ROW_OVERHEAD_BYTES);
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}

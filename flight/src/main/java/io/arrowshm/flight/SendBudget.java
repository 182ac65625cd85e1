package io.arrowshm.flight;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The frame bytes the server's {@code DoGet}s may hold at once. A call whose client is behind
 * holds up to {@value #FRAMES_PER_CALL} of its frames: the publication copied out of shared
 * memory, gRPC's copy waiting for the client, and the allocator's spare. A call is admitted while
 * its share fits, and one call always is (a stream's frames may be larger than the whole budget).
 */
final class SendBudget {
    /** Frames one {@code DoGet} may hold while its client is behind. */
    static final int FRAMES_PER_CALL = 3;

    private final long maxBytes;
    private final AtomicLong reserved = new AtomicLong();

    SendBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Reserves a call's share for frames of {@code frameBytes}; false when it does not fit. */
    boolean reserve(long frameBytes) {
        return reserveBytes(share(frameBytes));
    }

    void release(long frameBytes) {
        releaseBytes(share(frameBytes));
    }

    /** Reserves {@code share} bytes for a call that says itself what it may hold (a ring's feed); false when they do not fit. */
    boolean reserveBytes(long share) {
        while (true) {
            long now = reserved.get();
            if (now > 0 && share > maxBytes - now) {
                return false;
            }
            if (reserved.compareAndSet(now, now + share)) {
                return true;
            }
        }
    }

    void releaseBytes(long share) {
        reserved.addAndGet(-share);
    }

    private static long share(long frameBytes) {
        return frameBytes > Long.MAX_VALUE / FRAMES_PER_CALL ? Long.MAX_VALUE : frameBytes * FRAMES_PER_CALL;
    }
}

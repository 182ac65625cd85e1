package io.arrowshm.internal.posix;

/**
 * Makes the JVM report a fault on mapped memory now rather than later.
 *
 * <p>When another process truncates a segment, touching the lost pages raises SIGBUS. HotSpot
 * survives it for Unsafe-based accesses (which NIO buffers, VarHandles and Arrow use) but
 * delivers the resulting {@link InternalError} asynchronously, at the thread's next native
 * transition or safepoint. Without a barrier a writer could publish a copy that faulted and
 * only fail afterwards, and a reader could return a garbage copy as a consistent one. Calling
 * a trivial native function (no syscall: one JNI transition, tens of nanoseconds) before
 * publishing or returning delivers any pending fault inside the caller's error handling.
 */
public final class FaultBarrier {
    private FaultBarrier() {
    }

    /** Throws the pending {@link InternalError} of an earlier faulting access on this thread, if any. */
    public static void deliverPending() {
        HotCalls.barrier();
    }
}

package io.arrowshm.onnx;

/**
 * Who is using one tensor: runs in flight, and whether it was closed. Closing while runs are in
 * flight only marks it; the last run to finish then releases it, so ONNX Runtime never reads
 * memory that a concurrent {@code close()} gave back. Exactly one caller is told to release.
 */
final class TensorUses {
    private int active;
    private boolean closed;
    private boolean released;

    /** Starts one use; false once closed. */
    synchronized boolean enter() {
        if (closed) {
            return false;
        }
        active++;
        return true;
    }

    /** Ends one use; true when this caller must now release the tensor. */
    synchronized boolean exit() {
        active--;
        return releaseIfIdle();
    }

    /** Refuses further uses; true when this caller must now release the tensor. */
    synchronized boolean close() {
        closed = true;
        return releaseIfIdle();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    private boolean releaseIfIdle() {
        if (closed && active == 0 && !released) {
            released = true;
            return true;
        }
        return false;
    }
}

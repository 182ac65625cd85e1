package io.arrowshm.internal.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a handle's operations in flight so that closing it never unmaps memory under a
 * running operation: {@link #close} marks the handle closed, and the release action runs
 * exactly once, when the handle is closed and the last operation has left.
 */
final class UseCounter {
    private static final long CLOSED = 1L << 62;
    private static final long RELEASED = 1L << 61;
    private static final long COUNT_MASK = RELEASED - 1;

    private final AtomicLong state = new AtomicLong();
    private final Runnable release;

    public UseCounter(Runnable release) {
        this.release = release;
    }

    /**
     * Enters an operation; false when the handle is closed (the caller throws). One atomic
     * increment rather than a read and a compare-and-set: counters such as {@code count()} go
     * through here on every call. An operation that enters after {@link #close} counts itself
     * out again at once, and releases if it was the last one.
     */
    public boolean enter() {
        if ((state.getAndIncrement() & CLOSED) != 0) {
            exit();
            return false;
        }
        return true;
    }

    /** Leaves an operation entered with {@link #enter}. */
    public void exit() {
        long now = state.decrementAndGet();
        if (now == CLOSED) {
            releaseOnce();
        }
    }

    /** Marks closed; returns false if it already was. Releases at once when nothing is in flight. */
    public boolean close() {
        long before = state.getAndUpdate(s -> s | CLOSED);
        if ((before & CLOSED) != 0) {
            return false;
        }
        if ((before & COUNT_MASK) == 0) {
            releaseOnce();
        }
        return true;
    }

    public boolean closed() {
        return (state.get() & CLOSED) != 0;
    }

    private void releaseOnce() {
        long current = state.get();
        if ((current & RELEASED) == 0 && (current & COUNT_MASK) == 0
                && state.compareAndSet(current, current | RELEASED)) {
            release.run();
        }
    }
}

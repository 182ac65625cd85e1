package io.arrowshm.gpu;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Lets any number of calls use a resource at once and closes it only between them: a close
 * waits for the calls in progress, and calls after it fail. So device memory, streams and
 * pinned buffers are never freed under a copy that still uses them.
 */
final class CloseGate {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /**
     * Runs {@code use} unless closed.
     *
     * @throws IllegalStateException with {@code closedMessage}'s text when closed
     */
    void run(Runnable use, Supplier<String> closedMessage) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(closedMessage.get());
            }
            use.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Waits for the calls in progress and closes; true the first time (the caller then frees
     * the resource: no call can start any more), false after.
     */
    boolean close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean closed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }
}

package io.arrowshm.internal.stream;

import io.arrowshm.StreamTimeoutException;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Processes;

/**
 * Decides whether an odd generation that a reader keeps seeing belongs to a writer that died.
 * A live writer holds the lock from its odd store to its even store, so if the lock can be
 * taken and the sequence still shows the same odd value, its writer is gone. A writable
 * handle then marks the generation invalid, as pyshmem does; a read-only one only reports it
 * (pyshmem raises PermissionError there instead). The recorded owner PID is only a fast
 * path: alive means "still writing" during the first second of a wait, after which the lock
 * decides (the PID may have been reused, or reset by a later lock user).
 */
final class DeadWriterCheck {
    /** How long a waiting reader believes a live owner PID before asking the lock itself. */
    private static final long PID_TRUST_NANOS = 1_000_000_000L;

    private final HeaderWords words;
    private final SeqlockWriter writer;
    private final LockFile lock;
    private final boolean readOnly;
    private final String name;

    DeadWriterCheck(HeaderWords words, SeqlockWriter writer, LockFile lock, boolean readOnly, String name) {
        this.words = words;
        this.writer = writer;
        this.lock = lock;
        this.readOnly = readOnly;
        this.name = name;
    }

    /** Whether the odd generation {@code observed}, seen since {@code sinceNanos}, was abandoned. */
    boolean abandoned(long observed, long sinceNanos) {
        if (lock.heldByCurrentThread()) {
            // Re-entering would "repair" our own open write: the odd value is this thread's view.
            throw new IllegalStateException("cannot wait for a stable write of '" + name + "' while this thread"
                    + " holds its write lock with a write view open; publish or close the WriteView first");
        }
        long owner = words.lockOwnerPid();
        if (owner > 0 && System.nanoTime() - sinceNanos < PID_TRUST_NANOS && Processes.isAlive(owner)) {
            return false;
        }
        try {
            lock.lock(System.nanoTime(), name);
        } catch (StreamTimeoutException busy) {
            return false; // someone holds the lock: a live writer, or another reader repairing
        }
        try {
            if (readOnly) {
                long current = words.sequencePlain();
                return current == observed || current < 0;
            }
            return writer.invalidateAbandoned(observed);
        } finally {
            lock.unlock();
        }
    }
}

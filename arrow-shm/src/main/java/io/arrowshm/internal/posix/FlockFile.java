package io.arrowshm.internal.posix;

import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One open file description of a lock file and its {@code flock(2)}: a lease held for as long
 * as its owner lives (a ring's writer, a cursor's reader) or for a moment (the cursor table).
 * Unlike {@link LockFile} there is no sharing and no re-entrancy: each holder opens its own
 * description, so two holders exclude each other even inside one JVM, and the kernel drops the
 * lock when the process dies. The file is opened as {@link LockFiles} opens lock files (this
 * user's 0700 directory, 0600 file, {@code O_NOFOLLOW}).
 *
 * <p>One thread at a time: callers that share an instance serialise on it.
 */
public final class FlockFile implements AutoCloseable {
    private static final int SPINS = 50;
    private static final long MAX_BACKOFF_NANOS = 1_000_000;

    private final String path;
    private final LockFiles.Opened file;
    private boolean locked;
    private boolean closed;

    private FlockFile(String path, LockFiles.Opened file) {
        this.path = path;
        this.file = file;
    }

    /**
     * Opens (creating) the lock file.
     *
     * @throws io.arrowshm.UntrustedFileException when the directory or file is not this user's own
     */
    public static FlockFile open(Path path) {
        return new FlockFile(path.toString(), LockFiles.open(path));
    }

    /** Opens the lock file only if it exists: null when it does not (nothing is created). */
    public static FlockFile openExisting(Path path) {
        LockFiles.Opened file = LockFiles.open(path, false);
        return file == null ? null : new FlockFile(path.toString(), file);
    }

    public String path() {
        return path;
    }

    /** One {@code flock(LOCK_EX | LOCK_NB)}: true when this description now holds the lock. */
    public boolean tryLock() {
        if (locked) {
            return true;
        }
        locked = LockFiles.tryFlock(file.fd(), path);
        return locked;
    }

    /**
     * Polls until the lock is held or {@code deadlineNanos} ({@link System#nanoTime()} based, or
     * {@link LockFile#FOREVER}) passes: brief spinning, then sleeps up to 1 ms, so deadlines and
     * interrupts are honoured.
     *
     * @param timeout the message of the timeout, built only when it happens
     * @throws StreamTimeoutException at the deadline
     * @throws StreamInterruptedException when the thread is interrupted while it waits
     */
    public void lock(long deadlineNanos, Supplier<String> timeout) {
        long backoff = 1_000;
        for (int tries = 1; !tryLock(); tries++) {
            if (Thread.interrupted()) {
                throw StreamInterruptedException.interrupted("waiting for the lock " + path);
            }
            long remaining = deadlineNanos == LockFile.FOREVER ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw new StreamTimeoutException(timeout.get(), null);
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(Math.min(backoff, remaining));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            }
        }
    }

    public boolean held() {
        return locked;
    }

    /** Releases the lock (if held); the description stays open for the next {@link #tryLock}. */
    public void unlock() {
        if (locked) {
            locked = false;
            LockFiles.unlockQuietly(file.fd());
        }
    }

    /** Whether the file still has a name: false once it was deleted (its ring was unlinked). */
    public boolean linked() {
        return LockFiles.linked(file, path);
    }

    /** Unlocks and closes the description; closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            unlock();
            LockFiles.closeQuietly(file.fd());
        }
    }
}

package io.arrowshm.internal.posix;

import com.sun.jna.LastErrorException;
import io.arrowshm.SharedMemoryIoException;
import io.arrowshm.StreamTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * pyshmem's cross-process lock: BSD {@code flock(2)} on a lock file (spec §1.2). Java's
 * {@code FileChannel.lock} takes fcntl record locks, which do not exclude {@code flock}, so
 * this calls {@code flock} itself.
 *
 * <p>One open descriptor per path per JVM, shared by every handle of the name and counted by
 * {@link #retain}/{@link #releaseReference}. Re-entrancy is per thread through a
 * {@link ReentrantLock}; the process holds the {@code flock} once, at depth 1 and above,
 * exactly as pyshmem's RLock plus depth counter does.
 */
public final class LockFile {
    private static final Map<String, LockFile> OPEN = new HashMap<>();
    /** Longest sleep between non-blocking tries while waiting with a deadline (pyshmem polls at 1 ms). */
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final String path;
    private final int fd;
    private final ReentrantLock mutex = new ReentrantLock();
    private int references;

    private LockFile(String path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** The JVM's lock file for {@code path}, opened (and its directory made) on first use. */
    public static LockFile retain(Path path) {
        String key = path.toString();
        synchronized (OPEN) {
            LockFile file = OPEN.get(key);
            if (file == null) {
                file = new LockFile(key, openLockFile(path));
                OPEN.put(key, file);
            }
            file.references++;
            return file;
        }
    }

    /** Drops one reference; the descriptor closes with the last one (never while held). */
    public void releaseReference() {
        synchronized (OPEN) {
            if (--references > 0 || mutex.isLocked()) {
                return;
            }
            OPEN.remove(path);
            try {
                LibC.close(fd);
            } catch (LastErrorException ignored) {
                // nothing to recover: the descriptor is gone either way
            }
        }
    }

    public String path() {
        return path;
    }

    /** Re-entrant depth of the calling thread: 0 when it does not hold the lock. */
    public int depth() {
        return mutex.getHoldCount();
    }

    public boolean heldByCurrentThread() {
        return mutex.isHeldByCurrentThread();
    }

    /** Blocks until the calling thread holds the lock. */
    public void lock() {
        mutex.lock();
        if (mutex.getHoldCount() > 1) {
            return;
        }
        try {
            while (true) {
                try {
                    LibC.flock(fd, LibC.LOCK_EX);
                    return;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw new SharedMemoryIoException("lock", path, e.getErrorCode());
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            mutex.unlock();
            throw e;
        }
    }

    /**
     * Takes the lock before {@code deadlineNanos} ({@link System#nanoTime()} based), one deadline
     * for the in-JVM wait and the {@code flock} wait.
     *
     * @throws StreamTimeoutException when the deadline passes first
     */
    public void lock(long deadlineNanos, String stream) {
        try {
            if (!mutex.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw timeout(stream);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamTimeoutException("interrupted while waiting for the write lock of stream '"
                    + stream + "'", e);
        }
        if (mutex.getHoldCount() > 1) {
            return;
        }
        try {
            long backoff = 1_000;
            int tries = 0;
            while (!tryFlock()) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    throw timeout(stream);
                }
                if (++tries < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(Math.min(backoff, remaining));
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                }
            }
        } catch (RuntimeException | Error e) {
            mutex.unlock();
            throw e;
        }
    }

    /** Releases one level; the {@code flock} goes with the last. */
    public void unlock() {
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("the write lock " + path + " is not held by this thread");
        }
        try {
            if (mutex.getHoldCount() == 1) {
                LibC.flock(fd, LibC.LOCK_UN);
            }
        } catch (LastErrorException e) {
            throw new SharedMemoryIoException("unlock", path, e.getErrorCode());
        } finally {
            mutex.unlock();
        }
    }

    private boolean tryFlock() {
        try {
            LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EAGAIN || e.getErrorCode() == LibC.EINTR) {
                return false;
            }
            throw new SharedMemoryIoException("lock", path, e.getErrorCode());
        }
    }

    private StreamTimeoutException timeout(String stream) {
        return new StreamTimeoutException("timed out waiting for the write lock of stream '" + stream
                + "' (" + path + "); another thread or process holds it", null);
    }

    private static int openLockFile(Path path) {
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the lock directory " + path.getParent(), e);
        }
        try {
            return LibC.open(path.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_APPEND | LibC.O_CLOEXEC, 0666);
        } catch (LastErrorException e) {
            throw new SharedMemoryIoException("open lock file", path.toString(), e.getErrorCode());
        }
    }
}

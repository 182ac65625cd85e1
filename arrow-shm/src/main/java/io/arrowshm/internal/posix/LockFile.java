package io.arrowshm.internal.posix;

import io.arrowshm.SharedMemoryIoException;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.nio.file.Path;

/**
 * pyshmem's cross-process lock: BSD {@code flock(2)} on a lock file (spec §1.2). Java's
 * {@code FileChannel.lock} takes fcntl record locks, which do not exclude {@code flock}, so
 * this calls {@code flock} itself.
 *
 * <p>One open descriptor per path per JVM, shared by every handle of the name and counted by
 * {@link #retain}/{@link #releaseReference}. Re-entrancy is per thread through a
 * {@link ReentrantLock}; the process holds the {@code flock} once, at depth 1 and above,
 * exactly as pyshmem's RLock plus depth counter does. The descriptor is used only by the
 * thread holding that mutex.
 *
 * <p>The file can be deleted or replaced behind our back (a /tmp cleaner, an old pyshmem's
 * unlink). Once the {@code flock} is held, the file must still have a link ({@code fstat}'s
 * {@code st_nlink}, the field pyshmem checks): one system call beside the lock pair, no path
 * lookup. Otherwise we move to the file the path names now. A file renamed away while keeping
 * its link is not noticed (nor by pyshmem); in the 0700 lock directory only this user can do
 * that. Moving is done carefully, because a process may still be about to
 * write under the old file: the old descriptor is kept and taken first, before the new one,
 * for {@link #RETIRED_GRACE_NANOS}, so that such a straggler and we still exclude each other.
 *
 * <p>Waits end on {@link Thread#interrupt()} with {@link StreamInterruptedException}; an
 * uncontended acquisition is one {@code flock(LOCK_EX|LOCK_NB)} plus the checks above.
 */
public final class LockFile {
    /** A deadline meaning "no deadline". */
    public static final long FOREVER = Long.MAX_VALUE;
    private static final Map<String, LockFile> OPEN = new HashMap<>();
    /** Longest sleep between non-blocking tries (pyshmem polls at 1 ms). */
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Non-blocking tries made back to back before sleeping between them. */
    private static final int SPINS = 100;
    /**
     * How long a replaced lock file is still taken: a pyshmem process that checked it just
     * before it went, or was waiting on it, takes it once more; it does so within
     * milliseconds of the file's next release.
     */
    static final long RETIRED_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final String path;
    private final ReentrantLock mutex = new ReentrantLock();
    private int references; // guarded by OPEN
    // The fields below belong to the mutex holder.
    private LockFiles.Opened current;
    /** Earlier files of this path, oldest first, still taken until their grace ends. */
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();
    /** How many of {@link #retired} this acquisition holds (they are released with {@link #current}). */
    private int retiredHeld;

    private LockFile(String path, LockFiles.Opened current) {
        this.path = path;
        this.current = current;
    }

    /**
     * The JVM's lock file for {@code path}, opened (and its directory made) on first use.
     *
     * @throws io.arrowshm.UntrustedFileException when the directory or file is not this user's own
     */
    public static LockFile retain(Path path) {
        String key = path.toString();
        synchronized (OPEN) {
            LockFile file = OPEN.get(key);
            if (file == null) {
                file = new LockFile(key, LockFiles.open(path));
                OPEN.put(key, file);
            }
            file.references++;
            return file;
        }
    }

    /** Drops one reference; the descriptors close with the last one (never while held). */
    public void releaseReference() {
        synchronized (OPEN) {
            if (--references > 0 || !mutex.tryLock()) {
                return;
            }
            try {
                OPEN.remove(path);
                LockFiles.closeQuietly(current.fd());
                retired.forEach(old -> LockFiles.closeQuietly(old.fd));
                retired.clear();
            } finally {
                mutex.unlock();
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

    /**
     * Blocks until the calling thread holds the lock.
     *
     * @throws StreamInterruptedException when the thread is interrupted while it waits
     */
    public void lock() {
        lock(FOREVER, null);
    }

    /**
     * Takes the lock before {@code deadlineNanos} ({@link System#nanoTime()} based, or
     * {@link #FOREVER}), one deadline for the in-JVM wait and the {@code flock} wait.
     *
     * @param stream the stream's name for messages, or null to name the file
     * @throws StreamTimeoutException when the deadline passes first
     * @throws StreamInterruptedException when the thread is interrupted while it waits
     */
    public void lock(long deadlineNanos, String stream) {
        enterMutex(deadlineNanos, stream);
        if (mutex.getHoldCount() > 1) {
            return;
        }
        try {
            acquireFiles(deadlineNanos, stream);
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
                releaseFiles();
            }
        } finally {
            mutex.unlock();
        }
    }

    /** The uncontended path costs no interrupt check, so an interrupted thread can still close and unlink. */
    private void enterMutex(long deadline, String stream) {
        if (mutex.tryLock()) {
            return;
        }
        try {
            if (deadline == FOREVER) {
                mutex.lockInterruptibly();
            } else if (!mutex.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw timeout(stream);
            }
        } catch (InterruptedException e) {
            throw StreamInterruptedException.interrupted(waitingFor(stream));
        }
    }

    /** Depth 0 → 1: every retired file still in its grace, oldest first, then the current one. */
    private void acquireFiles(long deadline, String stream) {
        while (true) {
            dropExpiredRetired();
            try {
                for (Retired old : retired) {
                    await(old.fd, deadline, stream);
                    retiredHeld++;
                }
                await(current.fd(), deadline, stream);
            } catch (RuntimeException | Error e) {
                releaseRetired();
                throw e;
            }
            if (LockFiles.linked(current, path)) {
                return;
            }
            // Deleted, or replaced by a rename over it, before or while we waited: that lock
            // excludes nobody who opens the path now. pyshmem checks the same st_nlink, before
            // taking the lock; checking after it also catches a deletion during our wait.
            releaseFiles();
            moveToCurrentFile();
        }
    }

    /** Opens what the path names now; the old file is retired, or reinstated if the path names it again. */
    private void moveToCurrentFile() {
        LockFiles.Opened fresh = LockFiles.open(Path.of(path));
        for (Retired old : retired) {
            if (old.device == fresh.device() && old.inode == fresh.inode()) {
                // Renamed back: a second descriptor of one file would flock against our own.
                LockFiles.closeQuietly(fresh.fd());
                retired.remove(old);
                fresh = new LockFiles.Opened(old.fd, old.device, old.inode);
                break;
            }
        }
        retired.addLast(new Retired(current, System.nanoTime() + RETIRED_GRACE_NANOS));
        current = fresh;
    }

    private void dropExpiredRetired() {
        long now = System.nanoTime();
        while (!retired.isEmpty() && now - retired.peekFirst().until > 0) {
            LockFiles.closeQuietly(retired.removeFirst().fd);
        }
    }

    /**
     * Waits for the {@code flock} on {@code fd}: non-blocking tries, spinning briefly, then
     * sleeping up to 1 ms between them, so that a deadline or an interrupt ends the wait.
     */
    private void await(int fd, long deadline, String stream) {
        long backoff = 1_000;
        for (int tries = 1; !LockFiles.tryFlock(fd, path); tries++) {
            if (Thread.interrupted()) {
                throw StreamInterruptedException.interrupted(waitingFor(stream));
            }
            long remaining = deadline == FOREVER ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (remaining <= 0) {
                throw timeout(stream);
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(Math.min(backoff, remaining));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            }
        }
    }

    private void releaseFiles() {
        try {
            int result = HotCalls.flock(current.fd(), LibC.LOCK_UN);
            if (result != 0) {
                throw new SharedMemoryIoException("unlock", path, -result);
            }
        } finally {
            releaseRetired();
        }
    }

    private void releaseRetired() {
        int released = 0;
        for (Retired old : retired) {
            if (released++ == retiredHeld) {
                break;
            }
            LockFiles.unlockQuietly(old.fd);
        }
        retiredHeld = 0;
    }

    private String waitingFor(String stream) {
        return "waiting for the write lock " + (stream == null ? path : "of stream '" + stream + "' (" + path + ")");
    }

    private StreamTimeoutException timeout(String stream) {
        return new StreamTimeoutException("timed out " + waitingFor(stream) + "; another thread or process holds it",
                null);
    }

    /** A lock file this path named before, and until when it is still taken. */
    private static final class Retired {
        final int fd;
        final long device;
        final long inode;
        final long until;

        Retired(LockFiles.Opened file, long until) {
            this.fd = file.fd();
            this.device = file.device();
            this.inode = file.inode();
            this.until = until;
        }
    }
}

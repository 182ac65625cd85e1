package io.arrowshm.internal.ring;

import static io.arrowshm.internal.ring.RingDescriptor.*;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.WaitStrategy;
import io.arrowshm.internal.posix.FlockFile;
import io.arrowshm.internal.posix.Futex;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.posix.Timespec;
import io.arrowshm.internal.stream.OperationGuard;
import java.lang.invoke.VarHandle;

/**
 * A reader's side of the protocol (ring-format §6, §7.1) for one attached cursor: finding the
 * next readable position (skipping abandoned ones, jumping when lapped, waiting otherwise),
 * validating a copy or a view after the fact, and storing the cursor's position, which wakes a
 * writer waiting for space. It keeps the exact counts of frames lost and positions abandoned.
 *
 * <p>One thread at a time.
 */
public final class RingCursor {
    private final RingNames names;
    private final String cursorName;
    private final RingWords words;
    private final OperationGuard guard;
    private final WaitStrategy strategy;
    private final int index;
    private final FlockFile lock;
    private final long capacity;
    /** Whether this cursor can hold the writer back: a BLOCK ring and a blocking cursor. */
    private final boolean gating;
    private final DataParker parker = new DataParker();

    private long position;
    private long lost;
    private long abandoned;
    /** Frames lost just before the frame being delivered. */
    private long lostBefore;
    private long frameId;
    private long writeNanos;

    public RingCursor(RingNames names, String cursorName, RingGeometry geometry, RingWords words, OperationGuard guard,
                      WaitStrategy strategy, CursorTable.Attachment attachment, boolean blocking) {
        this.names = names;
        this.cursorName = cursorName;
        this.words = words;
        this.guard = guard;
        this.strategy = strategy;
        this.index = attachment.index();
        this.lock = attachment.lock();
        this.capacity = geometry.capacity();
        this.gating = blocking && geometry.overflow() == io.arrowshm.Overflow.BLOCK;
        this.position = attachment.position();
        this.lost = attachment.lost();
        this.lostBefore = attachment.lost();
    }

    /** The next position this cursor delivers. */
    public long position() {
        return position;
    }

    public long lost() {
        return lost;
    }

    public long abandoned() {
        return abandoned;
    }

    public int index() {
        return index;
    }

    public FlockFile lock() {
        return lock;
    }

    /** Frames lost just before the position {@link #awaitReadable} found; restarts at each delivery. */
    public long lostBefore() {
        return lostBefore;
    }

    /** The frame id {@link #awaitReadable} read (valid once {@link #validate} agrees). */
    public long frameId() {
        return frameId;
    }

    public long writeNanos() {
        return writeNanos;
    }

    /**
     * Waits until {@link #position()} is readable and returns its slot: abandoned positions are
     * skipped, a lap jumps to the oldest retained frame (both counted). The caller copies or
     * views the slot, then calls {@link #validate}.
     *
     * @param deadline {@link System#nanoTime()} based, or {@link LockFile#FOREVER}; 0 tries once
     * @throws StreamTimeoutException when nothing becomes readable in time
     */
    public int awaitReadable(long deadline) {
        int round = 0;
        long seen = -1;
        try {
            while (true) {
                long p = position;
                int s = words.slot(p);
                long stamp = words.stampAcquire(s);
                if (stamp == written(p)) {
                    frameId = words.frameId(s);
                    writeNanos = words.writeNanos(s);
                    return s;
                }
                if (stamp == RingDescriptor.abandoned(p)) {
                    abandoned++;
                    store(p + 1);
                    continue;
                }
                if (stamp > written(p) || (stamp < 0 && -stamp > writing(p))) {
                    lapped(p);
                    continue;
                }
                long published = words.writePositionAcquire();
                if (published > p) {
                    // The writer stamps a slot before it publishes the position, so the stamp
                    // must show p (or later) by now.
                    if (words.stampAcquire(s) == stamp) {
                        throw new InconsistentStreamException("ring '" + names.name() + "' is inconsistent: position "
                                + p + " is published but slot " + s + " holds stamp " + stamp
                                + "; unlink and recreate the ring");
                    }
                    continue;
                }
                if (published != seen) {
                    seen = published;
                    round = 0;
                }
                guard.checkOpen("read from");
                if (Thread.currentThread().isInterrupted()) {
                    throw StreamInterruptedException.interrupted("waiting for a frame of ring '" + names.name() + "'");
                }
                long now = System.nanoTime();
                if (deadline != LockFile.FOREVER && now - deadline >= 0) {
                    throw timeout(p);
                }
                parker.arm(p, deadline);
                strategy.idle(round++, parker);
            }
        } finally {
            parker.disarm();
        }
    }

    /**
     * Whether the slot still holds position {@code p} after the caller read it: loads of the
     * copy are ordered before the stamp's re-load (§6.3).
     */
    public boolean validate(int slot, long p) {
        VarHandle.acquireFence();
        return words.stampAcquire(slot) == written(p);
    }

    /** How many of the {@code count} slots from position {@code p} (in slot order) still hold their frames, from the first. */
    public int intact(long p, int count) {
        VarHandle.acquireFence();
        for (int i = 0; i < count; i++) {
            if (words.stampAcquire(words.slot(p + i)) != written(p + i)) {
                return i;
            }
        }
        return count;
    }

    /** How many frames from {@code p} (at most {@code max}, not past the end of the slots) are complete now. */
    public int readableRun(long p, int max) {
        int limit = (int) Math.min(max, capacity - words.slot(p));
        int n = 0;
        while (n < limit && words.stampAcquire(words.slot(p + n)) == written(p + n)) {
            n++;
        }
        return n;
    }

    /** The frame ids and write times of {@code frameIds.length} frames from {@code p}. */
    public void frameFacts(long p, long[] frameIds, long[] writeNanos) {
        for (int i = 0; i < frameIds.length; i++) {
            int s = words.slot(p + i);
            frameIds[i] = words.frameId(s);
            writeNanos[i] = words.writeNanos(s);
        }
    }

    /** Delivered: frames up to {@code next} are consumed. */
    public void delivered(long next) {
        lostBefore = 0;
        store(next);
    }

    /**
     * A view of {@code count} frames from {@code p} was overwritten while held: its holder cannot
     * trust any of them, so all count as lost (§6.5), and the cursor moves past the view (and
     * further, when lapped again since).
     */
    public void overwritten(long p, int count) {
        long published = words.writePositionAcquire();
        long next = Math.max(p + count, published - capacity);
        lost += next - p;
        lostBefore = 0;
        store(next);
    }

    /** The slot held a later position: what was overwritten is lost; go on at the oldest retained frame (§6.4). */
    public void lapped(long p) {
        long published = words.writePositionAcquire();
        long next = Math.max(p + 1, published - capacity);
        lost += next - p;
        lostBefore += next - p;
        store(next);
    }

    /**
     * Stores the cursor's position (§6.6), waking a writer that waits for the space; a cursor that
     * can never gate the writer skips the fence and the check.
     */
    private void store(long next) {
        position = next;
        if (!gating) {
            words.cursorPositionRelease(index, next);
            return;
        }
        words.cursorPositionVolatile(index, next);
        if (words.writerWaiting() != 0) {
            words.bumpReadNotify();
            Futex.wakeAll(words.spaceFutexAddress());
        }
    }

    /** Wakes this reader if it is parked (close() from another thread). */
    public void wake() {
        Futex.wakeAll(words.dataFutexAddress());
    }

    private StreamTimeoutException timeout(long p) {
        long writer = words.writerPid();
        String writerState = writer == 0 ? "no writer holds the ring"
                : Processes.isAlive(writer) ? "writer pid " + writer + " is alive"
                : "its writer pid " + writer + " is gone";
        return new StreamTimeoutException("timed out waiting for frame " + p + " of ring '" + names.name()
                + "' (cursor '" + cursorName + "'; " + writerState + ")", null);
    }

    /**
     * Parks on the data futex word (§7.1): counts itself in reader_waiters, re-checks, and waits
     * while write_position still equals what it saw, at most 50 ms.
     */
    private final class DataParker implements WaitStrategy.Parker {
        private long p;
        private long deadline;
        private boolean announced;

        void arm(long p, long deadline) {
            this.p = p;
            this.deadline = deadline;
        }

        void disarm() {
            if (announced) {
                announced = false;
                words.cursorParked(index, 0);
                words.addReaderWaiters(-1);
            }
        }

        @Override
        public void park(long pollNanos) {
            if (!announced) {
                announced = true;
                words.addReaderWaiters(1);
                words.cursorParked(index, 1);
            }
            long published = words.writePositionAcquire();
            long stamp = words.stampAcquire(words.slot(p));
            if (published > p || stamp == written(p) || stamp == RingDescriptor.abandoned(p) || guard.closed()
                    || Thread.currentThread().isInterrupted()) {
                return;
            }
            long limit = MAX_PARK_NANOS;
            if (deadline != LockFile.FOREVER) {
                limit = Math.min(limit, deadline - System.nanoTime());
            }
            if (limit > 0) {
                // A Java interrupt does not end a futex wait; the cap bounds how late it is seen.
                Futex.await(words.dataFutexAddress(), (int) published, limit, Timespec.forCurrentThread());
            }
        }
    }
}

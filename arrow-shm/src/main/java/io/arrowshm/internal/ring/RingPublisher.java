package io.arrowshm.internal.ring;

import static io.arrowshm.internal.ring.RingDescriptor.*;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.WaitStrategy;
import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.FlockFile;
import io.arrowshm.internal.posix.Futex;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.posix.Processes;
import io.arrowshm.internal.posix.Timespec;
import io.arrowshm.internal.stream.OperationGuard;
import java.util.function.BooleanSupplier;

/**
 * The writer's side of the protocol (ring-format §5): the lease, recovery from a dead writer,
 * and each write's stamps, gating and wake-ups. A write is {@link #begin} (wait for space under
 * BLOCK, stamp the slot odd), the caller's copy into {@link #slot()}, then {@link #commit} (or
 * {@link #abandon} when the copy failed). No system call happens unless a reader is parked or
 * the writer must wait.
 *
 * <p>One thread at a time, the lease holder's.
 */
public final class RingPublisher {
    private final RingNames names;
    private final RingGeometry geometry;
    private final RingWords words;
    private final CursorTable table;
    private final FlockFile lease;
    private final OperationGuard guard;
    private final WaitStrategy strategy;
    private final boolean block;
    private final long capacity;
    private final SpaceParker parker = new SpaceParker();

    /** The next position to write: the writer is the only one to store write_position. */
    private long position;
    /** The lowest gating cursor position at the last scan; {@code Long.MAX_VALUE} when none gates. */
    private long gateMin = Long.MAX_VALUE;
    private int gateEpoch;
    /** The entry holding the writer back at the last scan, or -1. */
    private int blocker = -1;
    /** Entries past this one were FREE at the last epoch change (the scan stops here). */
    private int scanLimit;
    private int slot;
    private long beganNanos;
    private boolean writing;

    private RingPublisher(RingNames names, RingGeometry geometry, RingWords words, CursorTable table, FlockFile lease,
                          OperationGuard guard, WaitStrategy strategy) {
        this.names = names;
        this.geometry = geometry;
        this.words = words;
        this.table = table;
        this.lease = lease;
        this.guard = guard;
        this.strategy = strategy;
        this.block = geometry.overflow() == io.arrowshm.Overflow.BLOCK;
        this.capacity = geometry.capacity();
        this.scanLimit = geometry.maxCursors();
    }

    /**
     * Takes the writer lease before {@code deadline} and recovers from the previous writer
     * (§5.1, §5.2).
     *
     * @throws StreamTimeoutException naming the holder's pid when the lease stays taken
     * @throws InconsistentStreamException when the slot at write_position fits no writer's story
     */
    public static RingPublisher acquire(RingNames names, RingGeometry geometry, RingWords words, CursorTable table,
                                        OperationGuard guard, WaitStrategy strategy, BooleanSupplier ringLinked,
                                        long deadline) {
        FlockFile lease = FlockFile.open(names.writerLock(geometry.instanceId()));
        try {
            lease.lock(deadline, () -> {
                long holder = words.writerPid();
                return "timed out waiting for the writer lease of ring '" + names.name() + "': "
                        + (holder == 0 ? "another writer holds it" : (holder == Processes.currentPid() ? "this process"
                        : "pid " + holder) + (Processes.isAlive(holder) ? " (alive)" : " (not found)") + " is its writer")
                        + "; a ring has one writer at a time";
            });
            if (!ringLinked.getAsBoolean()) {
                throw new io.arrowshm.StreamNotFoundException("ring '" + names.name() + "' was unlinked; open it again");
            }
            RingPublisher publisher = new RingPublisher(names, geometry, words, table, lease, guard, strategy);
            publisher.recover();
            return publisher;
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
    }

    private void recover() {
        long p = words.writePositionAcquire();
        if (p < 0 || p >= POSITION_LIMIT) {
            throw RingHeader.invalid(names.name(), "write_position", "write_position " + Long.toUnsignedString(p)
                    + " is not below 2^62");
        }
        words.writerPid(Processes.currentPid());
        words.writerWaiting(0);
        int s = words.slot(p);
        long stamp = words.stampAcquire(s);
        if (stamp == writing(p)) {
            words.stampRelease(s, abandoned(p));
            publish(p + 1);
        } else if (stamp == written(p)) {
            publish(p + 1);
        } else {
            boolean expected = p < capacity ? stamp == 0 : stamp == written(p - capacity) || stamp == abandoned(p - capacity);
            if (!expected) {
                throw new InconsistentStreamException("ring '" + names.name() + "' is inconsistent: slot " + s
                        + " has stamp " + stamp + ", which no writer of position " + p + " leaves behind; unlink and"
                        + " recreate the ring");
            }
            position = p;
        }
        rescan();
    }

    /** The next position this writer writes. */
    public long position() {
        return position;
    }

    /** The slot {@link #begin} chose, where the caller copies the frame. */
    public int slot() {
        return slot;
    }

    /**
     * Starts writing {@link #position()}: under BLOCK waits until every gating cursor has
     * consumed what the slot holds, then stamps the slot odd.
     *
     * @throws StreamTimeoutException at {@code deadline}
     * @throws StreamInterruptedException on an interrupt while waiting
     * @throws IllegalStateException when the writer or its ring is closed while waiting
     */
    public int begin(long deadline) {
        long p = position;
        if (block && (p - gateMin >= capacity || words.cursorEpochAcquire() != gateEpoch)) {
            rescan();
            if (p - gateMin >= capacity) {
                awaitSpace(p, deadline);
            }
        }
        slot = words.slot(p);
        beganNanos = RingClock.epochNanos();
        words.stampWriting(slot, writing(p));
        writing = true;
        return slot;
    }

    /** Publishes the frame the caller copied into {@link #slot()}. */
    public void commit(long frameId) {
        long p = position;
        RingHooks.afterCopy(p);
        words.frame(slot, frameId, beganNanos);
        words.stampRelease(slot, written(p));
        writing = false;
        publish(p + 1);
    }

    /** Gives up the position begun: it is abandoned, as a dead writer's would be (§5.3), and the writer goes on. */
    public void abandon() {
        if (writing) {
            writing = false;
            words.stampRelease(slot, abandoned(position));
            publish(position + 1);
        }
    }

    private void publish(long next) {
        words.writePositionVolatile(next);
        position = next;
        if (words.readerWaiters() != 0) {
            Futex.wakeAll(words.dataFutexAddress());
        }
    }

    /** Gives the lease back: writer_pid is cleared first, so no one reads this pid after the lock is free. */
    public void close() {
        try {
            abandon();
            words.writerWaiting(0);
            words.writerPid(0);
            FaultBarrier.deliverPending();
        } catch (InternalError truncated) {
            // the ring's memory is gone (a truncated file): nothing left to tidy, the lease still goes
        } finally {
            lease.close();
        }
    }

    /** Wakes this writer if it is parked waiting for space (close() from another thread). */
    public void wake() {
        Futex.wakeAll(words.spaceFutexAddress());
    }

    // ------------------------------------------------------------------ gating

    private void rescan() {
        int epoch = words.cursorEpochAcquire();
        if (epoch != gateEpoch) {
            scanLimit = geometry.maxCursors();
        }
        gateEpoch = epoch;
        gateMin = scan();
    }

    /** The lowest position among gating cursors (§5.4); records the entry and shortens the next scans. */
    private long scan() {
        long min = Long.MAX_VALUE;
        int lowest = -1;
        int last = -1;
        for (int i = 0; i < scanLimit; i++) {
            int state = words.cursorState(i);
            if (state == CURSOR_FREE) {
                continue;
            }
            last = i;
            int flags = words.cursorFlags(i);
            if (state != CURSOR_ACTIVE || (flags & CURSOR_BLOCKING) == 0 || (flags & CURSOR_UNTETHERED) != 0) {
                continue;
            }
            long at = words.cursorPositionAcquire(i);
            if (at < min) {
                min = at;
                lowest = i;
            }
        }
        scanLimit = last + 1; // entries beyond stay FREE until the epoch moves
        blocker = lowest;
        return min;
    }

    private void awaitSpace(long p, long deadline) {
        long need = p - capacity + 1;
        long start = System.nanoTime();
        long nextProbe = start + PROBE_INTERVAL_NANOS;
        parker.arm(need, deadline);
        try {
            for (int round = 0; ; round++) {
                rescan();
                if (gateMin >= need) {
                    return;
                }
                guard.checkOpen("write to");
                if (Thread.currentThread().isInterrupted()) {
                    throw StreamInterruptedException.interrupted("waiting for space in ring '" + names.name() + "'");
                }
                long now = System.nanoTime();
                if (deadline != LockFile.FOREVER && now - deadline >= 0) {
                    throw spaceTimeout(p, now - start);
                }
                if (now - nextProbe >= 0) {
                    probeBlockers(need);
                    nextProbe = now + PROBE_INTERVAL_NANOS;
                    continue;
                }
                parker.nextProbe = nextProbe;
                strategy.idle(round, parker);
            }
        } finally {
            parker.disarm();
        }
    }

    /** Probes every gating cursor that still holds position {@code need} back. */
    private void probeBlockers(long need) {
        for (int i = 0; i < scanLimit; i++) {
            if (words.cursorState(i) != CURSOR_ACTIVE) {
                continue;
            }
            int flags = words.cursorFlags(i);
            if ((flags & CURSOR_BLOCKING) != 0 && (flags & CURSOR_UNTETHERED) == 0
                    && words.cursorPositionAcquire(i) < need) {
                table.probe(i);
            }
        }
    }

    private StreamTimeoutException spaceTimeout(long p, long waitedNanos) {
        String who = "a cursor";
        if (blocker >= 0) {
            byte[] name = words.cursorName(blocker);
            String text = name == null ? null : RingHeader.storedName(name, 0, name.length);
            long pid = words.cursorPid(blocker);
            who = "cursor '" + (text == null ? "#" + blocker : text) + "' ("
                    + (pid == 0 ? "detached, in its grace period" : "pid " + pid) + ") at position "
                    + words.cursorPositionAcquire(blocker);
        }
        return new StreamTimeoutException(String.format("timed out after %.3f s waiting for space in ring '%s'"
                + " (BLOCK, capacity %d) to write position %d: %s has not consumed the frame that slot holds",
                waitedNanos / 1e9, names.name(), capacity, p, who), null);
    }

    /**
     * Parks on the space futex word (§5.4): announces the wait, samples read_notify, rescans, then
     * waits for a reader's bump, at most until the next probe, the deadline or 50 ms.
     */
    private final class SpaceParker implements WaitStrategy.Parker {
        private long need;
        private long deadline;
        private long nextProbe;
        private boolean announced;

        void arm(long need, long deadline) {
            this.need = need;
            this.deadline = deadline;
        }

        void disarm() {
            if (announced) {
                announced = false;
                words.writerWaiting(0);
            }
        }

        @Override
        public void park(long pollNanos) {
            if (!announced) {
                announced = true;
                words.writerWaiting(1);
            }
            int observed = words.readNotifyAcquire();
            if (scan() >= need || Thread.currentThread().isInterrupted() || guard.closed()) {
                return;
            }
            long now = System.nanoTime();
            long limit = Math.min(MAX_PARK_NANOS, Math.max(0, nextProbe - now));
            if (deadline != LockFile.FOREVER) {
                limit = Math.min(limit, deadline - now);
            }
            if (limit > 0) {
                Futex.await(words.spaceFutexAddress(), observed, limit, Timespec.forCurrentThread());
            }
        }
    }
}

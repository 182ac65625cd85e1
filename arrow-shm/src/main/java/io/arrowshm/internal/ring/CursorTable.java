package io.arrowshm.internal.ring;

import static io.arrowshm.internal.ring.RingDescriptor.*;

import io.arrowshm.CursorInUseException;
import io.arrowshm.InvalidMetadataException;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.FlockFile;
import io.arrowshm.internal.posix.Processes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The cursor table's changes, each under the table lock (ring-format §6.1, §8.2): attaching and
 * detaching a reader, dropping a cursor, probing a cursor's liveness, and describing the table.
 * One instance per ring handle; its methods are synchronized because the table lock's open file
 * description is shared by the handle's threads (a {@code flock} does not exclude them).
 */
public final class CursorTable implements AutoCloseable {
    /** How long the table lock is waited for when the caller gave no deadline of its own. */
    private static final long TABLE_LOCK_WAIT_NANOS = 5_000_000_000L;

    private final RingNames names;
    private final RingGeometry geometry;
    private final RingWords words;
    private final BooleanSupplier ringLinked;
    private FlockFile tableLock;
    private boolean closed;

    /** @param ringLinked whether the ring's file is still linked at its name (checked at each attach) */
    public CursorTable(RingNames names, RingGeometry geometry, RingWords words, BooleanSupplier ringLinked) {
        this.names = names;
        this.geometry = geometry;
        this.words = words;
        this.ringLinked = ringLinked;
    }

    /** What {@link #attach} hands the reader: the entry, its held liveness lock, and the frames lost while away. */
    public record Attachment(int index, FlockFile lock, long lost, long position) {
    }

    /** One ACTIVE entry as {@link #describe} found it. */
    public record Entry(String name, int index, long position, long pid, boolean live, boolean blocking,
                        boolean untethered, long detachedNanos, long graceNanos, long attachCount) {
    }

    /**
     * Attaches this process to the cursor {@code name}, creating it at {@code start} if new.
     *
     * @param start where a new cursor starts: 0 oldest, 1 latest, 2 next
     * @throws CursorInUseException when another reader holds it
     */
    public synchronized Attachment attach(String name, int start, boolean blocking, long graceNanos, long deadline) {
        byte[] key = encodeName(name);
        lockTable(deadline);
        FlockFile lock = null;
        try {
            if (!ringLinked.getAsBoolean()) {
                throw new StreamNotFoundException("ring '" + names.name() + "' was unlinked; open it again");
            }
            long writePosition = checkedWritePosition();
            int index = find(key);
            boolean created = false;
            if (index < 0) {
                index = firstFree(name);
                created = true;
                words.clearCursor(index);
                words.cursorPositionVolatile(index, startPosition(start, writePosition));
                words.cursorName(index, key);
                words.cursorState(index, CURSOR_ACTIVE);
            }
            lock = FlockFile.open(names.cursorLock(geometry.instanceId(), index));
            if (!lock.tryLock()) {
                long holder = words.cursorPid(index);
                throw new CursorInUseException("cursor '" + name + "' of ring '" + names.name() + "' is in use by "
                        + (holder == Processes.currentPid() ? "this process" : "pid " + holder)
                        + " (" + (Processes.isAlive(holder) ? "alive" : "not found") + "); a cursor has one reader"
                        + " at a time: close that reader, or attach under another name", holder);
            }
            if (!ringLinked.getAsBoolean()) {
                throw new StreamNotFoundException("ring '" + names.name() + "' was unlinked; open it again");
            }
            long position = words.cursorPositionAcquire(index);
            if (!created) {
                checkEntry(index, position, writePosition);
            }
            long oldest = oldest(writePosition);
            long lost = Math.max(0, oldest - position);
            if (lost > 0) {
                position = oldest;
                words.cursorPositionVolatile(index, position);
            }
            repairParked(index);
            words.cursorPid(index, Processes.currentPid());
            words.cursorDetachedNanos(index, 0);
            words.cursorGraceNanos(index, graceNanos);
            words.cursorFlags(index, blocking ? CURSOR_BLOCKING : 0);
            words.cursorAttachCount(index, words.cursorAttachCount(index) + 1);
            words.bumpCursorEpoch();
            Attachment attachment = new Attachment(index, lock, lost, position);
            lock = null;
            return attachment;
        } finally {
            if (lock != null) {
                lock.close();
            }
            tableLock.unlock();
        }
    }

    /**
     * Detaches a reader that closes: the entry keeps its position and starts its grace. The
     * reader's liveness lock is released even when the table lock cannot be had (a probe then
     * finds it dead, with the same effect).
     */
    public synchronized void detach(int index, FlockFile lock) {
        try {
            if (tryLockTable(System.nanoTime() + TABLE_LOCK_WAIT_NANOS)) {
                try {
                    repairParked(index);
                    words.cursorPid(index, 0);
                    words.cursorDetachedNanos(index, RingClock.epochNanos());
                    FaultBarrier.deliverPending();
                } finally {
                    tableLock.unlock();
                }
            }
        } catch (InternalError truncated) {
            // the ring's memory is gone (a truncated file): the liveness lock still goes
        } finally {
            lock.close();
        }
    }

    /**
     * Removes the cursor {@code name}.
     *
     * @return false when there is no such cursor
     * @throws CursorInUseException when a live reader holds it
     */
    public synchronized boolean drop(String name, long deadline) {
        byte[] key = encodeName(name);
        lockTable(deadline);
        try {
            int index = find(key);
            if (index < 0) {
                return false;
            }
            if (live(index)) {
                long holder = words.cursorPid(index);
                throw new CursorInUseException("cursor '" + name + "' of ring '" + names.name() + "' is attached by pid "
                        + holder + "; close that reader before dropping the cursor", holder);
            }
            repairParked(index);
            words.cursorState(index, CURSOR_FREE);
            words.clearCursor(index);
            words.bumpCursorEpoch();
            return true;
        } finally {
            tableLock.unlock();
        }
    }

    /**
     * A BLOCK writer's probe of entry {@code index} (§8.2), only if the table lock is free right
     * now: a reader found dead is detached, a detached one past its grace untethered.
     *
     * @return whether the entry still holds the writer back
     */
    public synchronized boolean probe(int index) {
        if (!tryLockTableNow()) {
            return true;
        }
        try {
            return probeLocked(index, RingClock.epochNanos());
        } finally {
            tableLock.unlock();
        }
    }

    /** Every ACTIVE entry, each probed first. */
    public synchronized List<Entry> describe() {
        lockTable(System.nanoTime() + TABLE_LOCK_WAIT_NANOS);
        try {
            List<Entry> entries = new ArrayList<>();
            long now = RingClock.epochNanos();
            for (int i = 0; i < geometry.maxCursors(); i++) {
                if (words.cursorState(i) != CURSOR_ACTIVE) {
                    continue;
                }
                byte[] name = words.cursorName(i);
                String text = name == null ? null : RingHeader.storedName(name, 0, name.length);
                if (text == null) {
                    continue; // a damaged entry has no name to show
                }
                probeLocked(i, now);
                int flags = words.cursorFlags(i);
                long pid = words.cursorPid(i);
                entries.add(new Entry(text, i, words.cursorPositionAcquire(i), pid, pid != 0 && live(i),
                        (flags & CURSOR_BLOCKING) != 0, (flags & CURSOR_UNTETHERED) != 0,
                        words.cursorDetachedNanos(i), words.cursorGraceNanos(i), words.cursorAttachCount(i)));
            }
            return entries;
        } finally {
            tableLock.unlock();
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (tableLock != null) {
                tableLock.close();
            }
        }
    }

    // ------------------------------------------------------------------ under the table lock

    private boolean probeLocked(int index, long now) {
        if (words.cursorState(index) != CURSOR_ACTIVE) {
            return false;
        }
        int flags = words.cursorFlags(index);
        if ((flags & CURSOR_BLOCKING) == 0 || (flags & CURSOR_UNTETHERED) != 0) {
            return false;
        }
        if (words.cursorPid(index) != 0) {
            if (live(index)) {
                return true;
            }
            repairParked(index);
            words.cursorPid(index, 0);
            words.cursorDetachedNanos(index, now);
        }
        long grace = words.cursorGraceNanos(index);
        long detached = words.cursorDetachedNanos(index);
        if (now - detached >= grace) {
            words.cursorFlags(index, flags | CURSOR_UNTETHERED);
            return false;
        }
        return true;
    }

    /**
     * Whether a reader holds entry {@code index}'s liveness lock (a probe that gets it gives it
     * back at once). Nothing can be proven once the ring is unlinked: its lock files went with it,
     * and a reader still holds the old one, so opening the name again would find a new, unheld
     * file and take a live reader for dead (ring-format §8.2). The cursor counts as live then,
     * as it does when its lock file is missing.
     */
    private boolean live(int index) {
        if (!ringLinked.getAsBoolean()) {
            return true;
        }
        FlockFile probe = FlockFile.openExisting(names.cursorLock(geometry.instanceId(), index));
        if (probe == null) {
            return true;
        }
        try (probe) {
            return !probe.tryLock();
        }
    }

    /** A dead reader's count in reader_waiters is taken back (ring-format §7.1). */
    private void repairParked(int index) {
        if (words.cursorParked(index) != 0) {
            words.cursorParked(index, 0);
            words.addReaderWaiters(-1);
        }
    }

    private int find(byte[] key) {
        for (int i = 0; i < geometry.maxCursors(); i++) {
            int state = words.cursorState(i);
            if (state != CURSOR_FREE && state != CURSOR_ACTIVE) {
                throw invalid(i, "state", "state " + Integer.toUnsignedString(state) + " is neither 0 (free) nor 1");
            }
            if (state == CURSOR_ACTIVE && Arrays.equals(words.cursorName(i), key)) {
                return i;
            }
        }
        return -1;
    }

    private int firstFree(String name) {
        for (int i = 0; i < geometry.maxCursors(); i++) {
            if (words.cursorState(i) == CURSOR_FREE) {
                return i;
            }
        }
        throw new SharedMemoryException("ring '" + names.name() + "' has no free cursor entry for '" + name + "' (all "
                + geometry.maxCursors() + " are in use); drop a cursor you no longer need (Ring.dropCursor, or"
                + " arrow-shm cursor drop), or create the ring with a larger maxCursors");
    }

    private void checkEntry(int index, long position, long writePosition) {
        byte[] name = words.cursorName(index);
        if (name == null || RingHeader.storedName(name, 0, name.length) == null
                || RingHeader.storedName(name, 0, name.length).getBytes(StandardCharsets.UTF_8).length != name.length) {
            throw invalid(index, "name", "the name is not valid UTF-8 of 1..64 bytes without NUL");
        }
        int flags = words.cursorFlags(index);
        if ((flags & ~CURSOR_KNOWN_FLAGS) != 0) {
            throw invalid(index, "flags", String.format("unknown flag bits 0x%x", flags & ~CURSOR_KNOWN_FLAGS));
        }
        if (!words.cursorReservedClear(index)) {
            throw invalid(index, "reserved", "reserved bytes are not zero");
        }
        if (Long.compareUnsigned(position, writePosition) > 0) {
            throw invalid(index, "position", "position " + Long.toUnsignedString(position)
                    + " is ahead of write_position " + writePosition);
        }
    }

    private long checkedWritePosition() {
        long writePosition = words.writePositionAcquire();
        if (writePosition < 0 || writePosition >= POSITION_LIMIT) {
            throw RingHeader.invalid(names.name(), "write_position", "write_position "
                    + Long.toUnsignedString(writePosition) + " is not below 2^62");
        }
        return writePosition;
    }

    private long startPosition(int start, long writePosition) {
        long oldest = oldest(writePosition);
        return switch (start) {
            case 0 -> oldest;
            case 1 -> Math.max(oldest, writePosition - 1);
            default -> writePosition;
        };
    }

    private long oldest(long writePosition) {
        return Math.max(0, writePosition - geometry.capacity());
    }

    private InvalidMetadataException invalid(int index, String field, String detail) {
        return RingHeader.invalid(names.name(), "cursor_table[" + index + "]." + field, "cursor entry " + index + ": " + detail);
    }

    private void lockTable(long deadline) {
        FlockFile lock = tableLock();
        lock.lock(deadline, () -> "timed out waiting for the cursor table lock of ring '" + names.name() + "' ("
                + lock.path() + "); another process holds it");
    }

    private boolean tryLockTable(long deadline) {
        try {
            lockTable(deadline);
            return true;
        } catch (SharedMemoryException e) {
            return false;
        }
    }

    private boolean tryLockTableNow() {
        return tableLock().tryLock();
    }

    private FlockFile tableLock() {
        if (closed) {
            throw new IllegalStateException("the cursor table of ring '" + names.name() + "' is closed");
        }
        if (tableLock == null) {
            tableLock = FlockFile.open(names.tableLock(geometry.instanceId()));
        }
        return tableLock;
    }

    /**
     * A cursor name's bytes.
     *
     * @throws IllegalArgumentException for a blank name, a NUL, or more than 64 UTF-8 bytes
     */
    public static byte[] encodeName(String name) {
        if (name == null || name.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c == 0x85)) {
            throw new IllegalArgumentException("a cursor name must be a non-empty string, got "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a cursor name cannot contain NUL: '" + name + "'");
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_CURSOR_NAME_BYTES) {
            throw new IllegalArgumentException("cursor name '" + name + "' is " + bytes.length + " UTF-8 bytes; at most "
                    + MAX_CURSOR_NAME_BYTES + " fit");
        }
        return bytes;
    }
}

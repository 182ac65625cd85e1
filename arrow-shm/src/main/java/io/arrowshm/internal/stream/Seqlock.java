package io.arrowshm.internal.stream;

import java.lang.invoke.VarHandle;

/**
 * pyshmem's publication protocol on {@code write_sequence} (spec §3.2, §3.5): even is a
 * stable generation, odd a write in progress, negative an invalid payload.
 *
 * <p>Writer methods require the caller to hold the stream's write lock: only the holder
 * stores the sequence, so it reads its own value back with a plain load.
 */
public final class Seqlock {
    private final HeaderWords words;

    public Seqlock(HeaderWords words) {
        this.words = words;
    }

    /** Whether {@code sequence} names a complete, valid publication. */
    public static boolean stable(long sequence) {
        return sequence >= 0 && (sequence & 1) == 0;
    }

    /** The current sequence with acquire semantics. */
    public long sequence() {
        return words.sequenceAcquire();
    }

    /**
     * Opens a write: stores an odd value strictly above anything seen. From a negative value
     * (failed or dead write) that is a fresh generation above it; from an odd value found
     * while holding the lock (a writer died before anyone noticed) it skips past it, so the
     * stream cannot end up parity-inverted (spec §3.2 "Hazard").
     *
     * @return the odd value stored
     */
    public long beginWrite() {
        long current = words.sequencePlain();
        long magnitude = current < 0 ? (current == Long.MIN_VALUE ? Long.MAX_VALUE - 2 : -current) : current;
        long odd = (magnitude & 1) != 0 ? magnitude + 2 : magnitude + 1;
        words.sequenceBeginWrite(odd);
        return odd;
    }

    /** Completes the write opened as {@code odd}: time, frame id, count, then the releasing even store. */
    public void endWrite(long odd, double epochSeconds, boolean stampFrameId, long frameId) {
        words.writeTime(epochSeconds);
        if (stampFrameId) {
            words.frameId(frameId);
        }
        words.count(words.count() + 1);
        words.sequenceRelease(odd + 1);
    }

    /** Publishes an invalid generation after a failed copy; count, time and frame id stay. */
    public void abortWrite() {
        long current = words.sequencePlain();
        if (current >= 0) {
            words.sequenceRelease(-Math.max(current, 1));
        }
    }

    /**
     * Reader side: whether the generation {@code start} still holds after a payload copy.
     * The fence keeps the copy's plain loads before the re-load of the sequence.
     */
    public boolean validate(long start) {
        VarHandle.loadLoadFence();
        return words.sequenceAcquire() == start;
    }

    /**
     * Called by whoever has just taken the write lock (depth 1): an odd sequence now can
     * only be a write whose process died holding the lock, since a live writer keeps the lock
     * until its even store. It is marked invalid at once, so that neither a later lock user
     * (who resets lock_owner_pid, erasing the dead writer's PID) nor a pyshmem writer (which
     * would invert the parity) can hide it from readers.
     *
     * @return whether an abandoned write was found
     */
    public boolean invalidateIfAbandoned() {
        long current = words.sequencePlain();
        if (current > 0 && (current & 1) != 0) {
            words.sequenceRelease(-current);
            return true;
        }
        return false;
    }

    /**
     * Marks the odd generation {@code observed} invalid after its writer died; the caller
     * holds the write lock. Returns whether the stream is now invalid (it may already have
     * been), false when a live writer has moved it on.
     */
    public boolean invalidateAbandoned(long observed) {
        long current = words.sequencePlain();
        if (current == observed && current > 0 && (current & 1) != 0) {
            words.sequenceRelease(-current);
            return true;
        }
        return current < 0;
    }
}

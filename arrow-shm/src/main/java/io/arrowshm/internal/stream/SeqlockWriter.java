package io.arrowshm.internal.stream;

/**
 * The writer's half of pyshmem's publication protocol on {@code write_sequence} (spec §3.2,
 * §3.5): even is a stable generation, odd a write in progress, negative an invalid payload.
 *
 * <p>Every method requires the caller to hold the stream's write lock: only the holder
 * stores the sequence, so it reads its own value back with a plain load. Store order, which
 * the unit tests pin down: the odd store, a store-store fence, the payload, then time, frame
 * id and count, then the releasing even store.
 */
public final class SeqlockWriter {
    private final HeaderWords words;

    public SeqlockWriter(HeaderWords words) {
        this.words = words;
    }

    /**
     * Opens a write: stores an odd value strictly above anything seen. From a negative value
     * (failed or dead write) that is a fresh generation above it.
     *
     * @return the odd value stored
     * @throws IllegalStateException when a write is already open under this lock: a thread that
     *     holds the lock sees an odd sequence only while its own write view is open, because
     *     taking the lock marked any dead writer's odd sequence invalid
     *     ({@link #invalidateIfAbandoned})
     */
    public long beginWrite(String stream) {
        long current = words.sequencePlain();
        if (current > 0 && (current & 1) != 0) {
            throw new IllegalStateException("cannot write to '" + stream + "' while a write view of it is open on"
                    + " this thread; publish or close the WriteView first");
        }
        long magnitude = current < 0 ? (current == Long.MIN_VALUE ? Long.MAX_VALUE - 2 : -current) : current;
        long odd = (magnitude & 1) != 0 ? magnitude + 2 : magnitude + 1; // -odd (a dead write) steps over it
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
     * Called by whoever has just taken the write lock (depth 1): an odd sequence now can
     * only be a write whose process died holding the lock, since a live writer keeps the lock
     * until its even store. It is marked invalid at once, so that neither a later lock user
     * (who resets lock_owner_pid, erasing the dead writer's PID) nor a pyshmem writer (which
     * would invert the parity, spec §3.2 "Hazard") can hide it from readers.
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

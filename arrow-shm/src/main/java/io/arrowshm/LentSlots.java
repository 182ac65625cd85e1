package io.arrowshm;

import io.arrowshm.internal.posix.FaultBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.ArrowBuf;

/**
 * What a {@link RingLease} and a {@link RingBatch} share: consecutive slots of a ring lent to the
 * caller as one view holding its own reference to the mapping, checked for overwrites with
 * {@link #valid()}, and given back (the reader's cursor moving past them) by {@link #close()}.
 */
abstract class LentSlots implements AutoCloseable {
    private final RingReader reader;
    private final long firstPosition;
    private final int slot;
    private final int count;
    private final long lost;
    private final ArrowBuf view;
    private final AtomicBoolean closed = new AtomicBoolean();

    LentSlots(RingReader reader, long firstPosition, int slot, int count, long lost, ArrowBuf view) {
        this.reader = reader;
        this.firstPosition = firstPosition;
        this.slot = slot;
        this.count = count;
        this.lost = lost;
        this.view = view;
    }

    /** Frames the reader lost just before the first of these. */
    public long lost() {
        return lost;
    }

    /**
     * The slots, zero-copy, until {@link #close()}.
     *
     * @throws IllegalStateException when closed
     */
    public ArrowBuf buffer() {
        checkOpen("use");
        return view;
    }

    /**
     * Whether every slot still holds its frame (always true for a blocking cursor of a BLOCK
     * ring). Call it after reading the data: what was read is the frames if this says true.
     *
     * @throws IllegalStateException when closed
     */
    public boolean valid() {
        checkOpen("check");
        return reader.intact(firstPosition, slot, count) == count;
    }

    /**
     * Checks that the slots are still backed by the ring's file, before their address goes to
     * native code (which would die of SIGBUS on pages another process truncated away).
     *
     * @throws SharedMemoryException when the file was truncated under them
     * @throws IllegalStateException when closed
     */
    public void checkBacked() {
        checkOpen("check");
        try {
            view.getByte(0);
            view.getByte(view.capacity() - 1);
            FaultBarrier.deliverPending();
        } catch (InternalError e) {
            throw new SharedMemoryException("the slots of " + this + " are no longer backed (another process"
                    + " truncated the ring's file); unlink and recreate the ring", e);
        }
    }

    /**
     * Moves the reader's cursor past these frames (counting them lost if they were overwritten)
     * and gives the view back; closing twice, or from another thread, is harmless.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                reader.released(this, firstPosition, count);
            } finally {
                view.close();
            }
        }
    }

    final long first() {
        return firstPosition;
    }

    private void checkOpen(String what) {
        if (closed.get()) {
            throw new IllegalStateException("cannot " + what + " the closed " + this + "; lease the next frames from"
                    + " the reader");
        }
    }
}

package io.arrowshm;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.ArrowBuf;

/**
 * The next frame of a ring, lent without a copy by {@link RingReader#lease}: {@link #buffer()}
 * is the slot itself. The reader's cursor moves past the frame only when the lease closes, so
 * under {@link Overflow#BLOCK} a blocking cursor's lease keeps the writer off the slot for as
 * long as it is held. Without that protection ({@link Overflow#OVERWRITE}, or a non-blocking
 * cursor) the writer may reuse the slot while it is lent: check {@link #valid()} after using the
 * data, as a seqlock read does, and discard what you computed when it says false (closing the
 * lease then counts the frame as lost).
 *
 * <pre>{@code
 * try (RingLease lease = reader.lease(Duration.ofSeconds(1))) {
 *     ArrowBuf slot = lease.buffer();              // zero-copy, valid until close()
 *     double sum = 0;
 *     for (long i = 0; i < slot.capacity(); i += 4) {
 *         sum += slot.getFloat(i);
 *     }
 *     if (lease.valid()) {
 *         System.out.println(lease.position() + ": " + sum);
 *     }
 * }
 * }</pre>
 *
 * <p>The buffer holds its own reference to the mapping: closing the ring or the reader while a
 * lease is open never unmaps it. Using the buffer after the lease closed fails with an
 * {@link IllegalStateException} from Arrow, never a crash.
 */
public final class RingLease implements AutoCloseable {
    private final RingReader reader;
    private final long position;
    private final int slot;
    private final long frameId;
    private final long writeTimeNanos;
    private final long lost;
    private final ArrowBuf view;
    private final AtomicBoolean closed = new AtomicBoolean();

    RingLease(RingReader reader, long position, int slot, long frameId, long writeTimeNanos, long lost, ArrowBuf view) {
        this.reader = reader;
        this.position = position;
        this.slot = slot;
        this.frameId = frameId;
        this.writeTimeNanos = writeTimeNanos;
        this.lost = lost;
        this.view = view;
    }

    public long position() {
        return position;
    }

    public long frameId() {
        return frameId;
    }

    /** When the writer began the frame, nanoseconds since the UNIX epoch. */
    public long writeTimeNanos() {
        return writeTimeNanos;
    }

    /** Frames the reader lost just before this one. */
    public long lost() {
        return lost;
    }

    /**
     * The slot, zero-copy, until {@link #close()}.
     *
     * @throws IllegalStateException when the lease is closed
     */
    public ArrowBuf buffer() {
        checkOpen("use");
        return view;
    }

    /**
     * Whether the slot still holds this frame (always true for a blocking cursor of a BLOCK
     * ring). Call it after reading the data: what was read is the frame if this says true.
     *
     * @throws IllegalStateException when the lease is closed
     */
    public boolean valid() {
        checkOpen("check");
        return reader.intact(position, slot, 1) == 1;
    }

    int slot() {
        return slot;
    }

    /** Moves the reader's cursor past the frame and gives the view back; closing twice is harmless. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                reader.released(this, position, 1);
            } finally {
                view.close();
            }
        }
    }

    private void checkOpen(String what) {
        if (closed.get()) {
            throw new IllegalStateException("cannot " + what + " the closed lease of position " + position
                    + "; lease the next frame with reader.lease()");
        }
    }

    @Override
    public String toString() {
        return "RingLease[position=" + position + ", frameId=" + Long.toUnsignedString(frameId) + "]";
    }
}

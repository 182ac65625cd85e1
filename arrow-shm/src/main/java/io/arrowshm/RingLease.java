package io.arrowshm;

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
public final class RingLease extends LentSlots {
    private final long position;
    private final long frameId;
    private final long writeTimeNanos;

    RingLease(RingReader reader, long position, int slot, long frameId, long writeTimeNanos, long lost, ArrowBuf view) {
        super(reader, position, slot, 1, lost, view);
        this.position = position;
        this.frameId = frameId;
        this.writeTimeNanos = writeTimeNanos;
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

    @Override
    public String toString() {
        return "lease of position " + position;
    }
}

package io.arrowshm;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.ArrowBuf;

/**
 * One frame taken from a ring by {@link RingReader#take}: a copy the caller owns and closes,
 * with the position it had, the writer's frame id and write time, and how many frames the
 * reader lost just before it.
 *
 * <pre>{@code
 * try (RingFrame f = reader.take(Duration.ofSeconds(1))) {
 *     float first = f.buffer().getFloat(0);
 *     System.out.println(f.position() + " " + f.frameId() + " lost " + f.lost());
 * }
 * }</pre>
 */
public final class RingFrame implements AutoCloseable {
    private final long position;
    private final long frameId;
    private final long writeTimeNanos;
    private final long lost;
    private final ArrowBuf buffer;
    private final AtomicBoolean closed = new AtomicBoolean();

    RingFrame(long position, long frameId, long writeTimeNanos, long lost, ArrowBuf buffer) {
        this.position = position;
        this.frameId = frameId;
        this.writeTimeNanos = writeTimeNanos;
        this.lost = lost;
        this.buffer = buffer;
    }

    /** The frame's position in the ring: 0 for the first frame ever written, then 1, 2, ... */
    public long position() {
        return position;
    }

    /** The writer's token for the frame (0 unless the writer gave one). */
    public long frameId() {
        return frameId;
    }

    /** When the writer began the frame, nanoseconds since the UNIX epoch. */
    public long writeTimeNanos() {
        return writeTimeNanos;
    }

    /** The same instant as epoch seconds (as {@link SharedMemory#writeTime()} reports it). */
    public double writeTime() {
        return writeTimeNanos / 1e9;
    }

    /** Frames this reader lost (overwritten before it read them) just before this one. */
    public long lost() {
        return lost;
    }

    /** The copy: the slot's bytes, C-order, little-endian. Valid until {@link #close()}. */
    public ArrowBuf buffer() {
        return buffer;
    }

    /** Frees the copy; closing twice is harmless. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            buffer.close();
        }
    }

    @Override
    public String toString() {
        return "RingFrame[position=" + position + ", frameId=" + Long.toUnsignedString(frameId) + ", lost=" + lost + "]";
    }
}

package io.arrowshm;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Up to k consecutive frames of a ring lent as one contiguous buffer by
 * {@link RingReader#leaseBatch}: frame {@code i} is bytes {@code [i * slotSize, (i + 1) * slotSize)}
 * of {@link #buffer()}, so the batch is a {@code count()}-row Arrow {@code fixed_shape_tensor}
 * value buffer as it stands. A batch never crosses the end of the ring's slots (the next batch
 * starts at the first slot). The cursor moves past the batch when it closes; the protection and
 * {@link #valid()} rule are those of {@link RingLease}.
 *
 * <pre>{@code
 * try (RingBatch batch = reader.leaseBatch(32, Duration.ofSeconds(1))) {
 *     for (int i = 0; i < batch.count(); i++) {
 *         float first = batch.buffer().getFloat(i * ring.size());
 *         System.out.println(batch.position(i) + " " + first);
 *     }
 * }
 * }</pre>
 */
public final class RingBatch implements AutoCloseable {
    private final RingReader reader;
    private final long firstPosition;
    private final int slot;
    private final long[] frameIds;
    private final long[] writeTimes;
    private final long lost;
    private final ArrowBuf view;
    private final AtomicBoolean closed = new AtomicBoolean();

    RingBatch(RingReader reader, long firstPosition, int slot, long[] frameIds, long[] writeTimes, long lost,
              ArrowBuf view) {
        this.reader = reader;
        this.firstPosition = firstPosition;
        this.slot = slot;
        this.frameIds = frameIds;
        this.writeTimes = writeTimes;
        this.lost = lost;
        this.view = view;
    }

    /** The number of frames, at least 1. */
    public int count() {
        return frameIds.length;
    }

    /** The first frame's position. */
    public long firstPosition() {
        return firstPosition;
    }

    /** Frame {@code i}'s position: {@code firstPosition() + i}. */
    public long position(int i) {
        check(i);
        return firstPosition + i;
    }

    public long frameId(int i) {
        check(i);
        return frameIds[i];
    }

    /** When the writer began frame {@code i}, epoch nanoseconds. */
    public long writeTimeNanos(int i) {
        check(i);
        return writeTimes[i];
    }

    /** Frames the reader lost just before the first one. */
    public long lost() {
        return lost;
    }

    /**
     * The frames, zero-copy, {@code count() * slotSize} bytes, until {@link #close()}.
     *
     * @throws IllegalStateException when the batch is closed
     */
    public ArrowBuf buffer() {
        checkOpen("use");
        return view;
    }

    /** Whether every slot still holds its frame; see {@link RingLease#valid()}. */
    public boolean valid() {
        checkOpen("check");
        return reader.intact(firstPosition, slot, count()) == count();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                reader.released(this, firstPosition, count());
            } finally {
                view.close();
            }
        }
    }

    private void check(int i) {
        if (i < 0 || i >= frameIds.length) {
            throw new IndexOutOfBoundsException("frame " + i + " of a batch of " + frameIds.length);
        }
    }

    private void checkOpen(String what) {
        if (closed.get()) {
            throw new IllegalStateException("cannot " + what + " the closed batch at position " + firstPosition
                    + "; lease the next one with reader.leaseBatch()");
        }
    }

    @Override
    public String toString() {
        return "RingBatch[positions " + firstPosition + ".." + (firstPosition + count() - 1) + "]";
    }
}

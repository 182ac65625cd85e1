package io.arrowshm;

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
public final class RingBatch extends LentSlots {
    private final long[] frameIds;
    private final long[] writeTimes;

    RingBatch(RingReader reader, long firstPosition, int slot, long[] frameIds, long[] writeTimes, long lost,
              ArrowBuf view) {
        super(reader, firstPosition, slot, frameIds.length, lost, view);
        this.frameIds = frameIds;
        this.writeTimes = writeTimes;
    }

    /** The number of frames, at least 1. */
    public int count() {
        return frameIds.length;
    }

    /** The first frame's position. */
    public long firstPosition() {
        return first();
    }

    /** Frame {@code i}'s position: {@code firstPosition() + i}. */
    public long position(int i) {
        check(i);
        return first() + i;
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

    private void check(int i) {
        if (i < 0 || i >= frameIds.length) {
            throw new IndexOutOfBoundsException("frame " + i + " of a batch of " + frameIds.length);
        }
    }

    @Override
    public String toString() {
        return "batch of positions " + first() + ".." + (first() + count() - 1);
    }
}

package io.arrowshm;

import java.util.List;

/**
 * What {@link Ring#stat} reports about a ring: its immutable facts, where the writer is, and
 * every named cursor.
 *
 * <pre>{@code
 * RingInfo info = Ring.stat("frames");
 * System.out.println(info.writePosition() + " written; slowest cursor lags "
 *         + info.cursors().stream().mapToLong(CursorInfo::lag).max().orElse(0));
 * }</pre>
 *
 * @param slotSize bytes of one slot
 * @param writePosition positions written so far (the next one to be written)
 * @param writerPid the writer lease holder's pid, 0 when none
 * @param writerAlive whether that process is alive
 * @param instanceId this generation's 32 hex digits
 */
public record RingInfo(String name, DType dtype, long[] shape, long slotSize, long capacity, Overflow overflow,
                       int maxCursors, long writePosition, long writerPid, boolean writerAlive, long creatorPid,
                       boolean creatorAlive, String instanceId, long createdEpochNanos, List<CursorInfo> cursors) {

    public RingInfo {
        shape = shape.clone();
        cursors = List.copyOf(cursors);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The oldest position the ring still holds ({@code max(0, writePosition - capacity)}). */
    public long oldestPosition() {
        return Math.max(0, writePosition - capacity);
    }
}

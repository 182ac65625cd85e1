package io.arrowshm.internal.ring;

import static io.arrowshm.internal.ring.RingDescriptor.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The mutable words of a mapped ring (ring-format §2.2–2.4) with the memory orderings of §4:
 * hot header words, cursor entries and slot entries. Accesses go through VarHandles on a direct
 * buffer over the header and tables, so a fault on a truncated file is the JVM's protected
 * {@link InternalError}, never a crash.
 *
 * <p>Methods name their ordering where it matters: {@code Acquire} loads, {@code Release}
 * stores, {@code Volatile} stores (release plus a full fence), plain otherwise (single aligned
 * stores of their owner).
 */
public final class RingWords {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer tables;
    private final long address;
    private final int slotTable;
    private final long capacity;
    private final long mask;

    /**
     * @param tables a little-endian buffer over bytes [0, tablesEnd) of the mapping
     * @param address the mapping's base address (futex words are absolute addresses)
     */
    public RingWords(ByteBuffer tables, long address, RingGeometry geometry) {
        this.tables = tables;
        this.address = address;
        this.slotTable = Math.toIntExact(geometry.slotTableOffset());
        this.capacity = geometry.capacity();
        this.mask = Long.bitCount(capacity) == 1 ? capacity - 1 : -1;
    }

    /** The slot of {@code position}: {@code position mod capacity}. */
    public int slot(long position) {
        return (int) (mask >= 0 ? position & mask : position % capacity);
    }

    // ------------------------------------------------------------------ header

    public long writePositionAcquire() {
        return (long) LONGS.getAcquire(tables, WRITE_POSITION_OFFSET);
    }

    /** Release store, then a full fence, so the writer's next load of reader_waiters is ordered after it. */
    public void writePositionVolatile(long position) {
        LONGS.setVolatile(tables, WRITE_POSITION_OFFSET, position);
    }

    public long dataFutexAddress() {
        return address + WRITE_POSITION_OFFSET;
    }

    public int readerWaiters() {
        return (int) INTS.getVolatile(tables, READER_WAITERS_OFFSET);
    }

    /** Atomic add, a full fence on both sides (ring-format §4). */
    public void addReaderWaiters(int delta) {
        INTS.getAndAdd(tables, READER_WAITERS_OFFSET, delta);
    }

    public long writerPid() {
        return (long) LONGS.getOpaque(tables, WRITER_PID_OFFSET);
    }

    public void writerPid(long pid) {
        LONGS.setVolatile(tables, WRITER_PID_OFFSET, pid);
    }

    public int writerWaiting() {
        return (int) INTS.getVolatile(tables, WRITER_WAITING_OFFSET);
    }

    /** The writer's own flag; a volatile store, so its rescan after it cannot move before it. */
    public void writerWaiting(int waiting) {
        INTS.setVolatile(tables, WRITER_WAITING_OFFSET, waiting);
    }

    public int readNotifyAcquire() {
        return (int) INTS.getAcquire(tables, READ_NOTIFY_OFFSET);
    }

    public void bumpReadNotify() {
        INTS.getAndAdd(tables, READ_NOTIFY_OFFSET, 1);
    }

    public long spaceFutexAddress() {
        return address + READ_NOTIFY_OFFSET;
    }

    public int cursorEpochAcquire() {
        return (int) INTS.getAcquire(tables, CURSOR_EPOCH_OFFSET);
    }

    /** Under the table lock: the next value, stored, then a full fence. */
    public void bumpCursorEpoch() {
        INTS.setVolatile(tables, CURSOR_EPOCH_OFFSET, (int) INTS.get(tables, CURSOR_EPOCH_OFFSET) + 1);
    }

    // ------------------------------------------------------------------ slots

    private int slotEntry(int slot) {
        return slotTable + SLOT_ENTRY_SIZE * slot;
    }

    public long stampAcquire(int slot) {
        return (long) LONGS.getAcquire(tables, slotEntry(slot) + SLOT_STAMP);
    }

    /** The odd "writing" stamp, then a StoreStore fence: the payload stores that follow stay after it. */
    public void stampWriting(int slot, long stamp) {
        LONGS.setOpaque(tables, slotEntry(slot) + SLOT_STAMP, stamp);
        VarHandle.storeStoreFence();
    }

    public void stampRelease(int slot, long stamp) {
        LONGS.setRelease(tables, slotEntry(slot) + SLOT_STAMP, stamp);
    }

    public long frameId(int slot) {
        return (long) LONGS.get(tables, slotEntry(slot) + SLOT_FRAME_ID);
    }

    public long writeNanos(int slot) {
        return (long) LONGS.get(tables, slotEntry(slot) + SLOT_WRITE_NS);
    }

    public void frame(int slot, long frameId, long writeNanos) {
        int entry = slotEntry(slot);
        LONGS.set(tables, entry + SLOT_FRAME_ID, frameId);
        LONGS.set(tables, entry + SLOT_WRITE_NS, writeNanos);
    }

    // ------------------------------------------------------------------ cursors

    private static int cursorEntry(int index) {
        return CURSOR_TABLE_OFFSET + CURSOR_ENTRY_SIZE * index;
    }

    public int cursorState(int index) {
        return (int) INTS.getAcquire(tables, cursorEntry(index) + CURSOR_STATE);
    }

    public void cursorState(int index, int state) {
        INTS.setRelease(tables, cursorEntry(index) + CURSOR_STATE, state);
    }

    public int cursorFlags(int index) {
        return (int) INTS.getAcquire(tables, cursorEntry(index) + CURSOR_FLAGS);
    }

    public void cursorFlags(int index, int flags) {
        INTS.setRelease(tables, cursorEntry(index) + CURSOR_FLAGS, flags);
    }

    public long cursorPositionAcquire(int index) {
        return (long) LONGS.getAcquire(tables, cursorEntry(index) + CURSOR_POSITION);
    }

    /** A cursor that can never gate the writer publishes its position with a plain release store. */
    public void cursorPositionRelease(int index, long position) {
        LONGS.setRelease(tables, cursorEntry(index) + CURSOR_POSITION, position);
    }

    /** Release store, then a full fence: the reader's next load of writer_waiting is ordered after it (§6.6). */
    public void cursorPositionVolatile(int index, long position) {
        LONGS.setVolatile(tables, cursorEntry(index) + CURSOR_POSITION, position);
    }

    public long cursorPid(int index) {
        return (long) LONGS.getOpaque(tables, cursorEntry(index) + CURSOR_PID);
    }

    public void cursorPid(int index, long pid) {
        LONGS.setRelease(tables, cursorEntry(index) + CURSOR_PID, pid);
    }

    public long cursorDetachedNanos(int index) {
        return (long) LONGS.getOpaque(tables, cursorEntry(index) + CURSOR_DETACHED_NS);
    }

    public void cursorDetachedNanos(int index, long nanos) {
        LONGS.setRelease(tables, cursorEntry(index) + CURSOR_DETACHED_NS, nanos);
    }

    public long cursorGraceNanos(int index) {
        return (long) LONGS.getOpaque(tables, cursorEntry(index) + CURSOR_GRACE_NS);
    }

    public void cursorGraceNanos(int index, long nanos) {
        LONGS.setRelease(tables, cursorEntry(index) + CURSOR_GRACE_NS, nanos);
    }

    public long cursorAttachCount(int index) {
        return (long) LONGS.getOpaque(tables, cursorEntry(index) + CURSOR_ATTACH_COUNT);
    }

    public void cursorAttachCount(int index, long count) {
        LONGS.setRelease(tables, cursorEntry(index) + CURSOR_ATTACH_COUNT, count);
    }

    public int cursorParked(int index) {
        return (int) INTS.getVolatile(tables, cursorEntry(index) + CURSOR_PARKED);
    }

    public void cursorParked(int index, int parked) {
        INTS.setVolatile(tables, cursorEntry(index) + CURSOR_PARKED, parked);
    }

    /** The stored name's bytes, or null when its length field is outside 1..64. */
    public byte[] cursorName(int index) {
        int entry = cursorEntry(index);
        int length = Short.toUnsignedInt((short) SHORTS.getOpaque(tables, entry + CURSOR_NAME_LENGTH));
        if (length < 1 || length > MAX_CURSOR_NAME_BYTES) {
            return null;
        }
        byte[] name = new byte[length];
        tables.get(entry + CURSOR_NAME, name);
        return name;
    }

    /** Stores the name (NUL-padded) and its length; under the table lock, before the state goes ACTIVE. */
    public void cursorName(int index, byte[] name) {
        int entry = cursorEntry(index);
        byte[] padded = new byte[MAX_CURSOR_NAME_BYTES];
        System.arraycopy(name, 0, padded, 0, name.length);
        tables.put(entry + CURSOR_NAME, padded);
        SHORTS.setRelease(tables, entry + CURSOR_NAME_LENGTH, (short) name.length);
    }

    /** Zeroes the whole entry but its state word, which the caller stores last. */
    public void clearCursor(int index) {
        int entry = cursorEntry(index);
        tables.put(entry + CURSOR_FLAGS, new byte[CURSOR_ENTRY_SIZE - CURSOR_FLAGS]);
    }

    /** Whether the cursor's reserved bytes are zero (hostile-input checks). */
    public boolean cursorReservedClear(int index) {
        int entry = cursorEntry(index);
        if ((short) SHORTS.getOpaque(tables, entry + CURSOR_NAME_LENGTH + 2) != 0) {
            return false;
        }
        return (long) LONGS.getOpaque(tables, entry + CURSOR_PARKED + 4) == 0;
    }
}

package io.arrowshm.internal.stream;

import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.posix.Mapping;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The mutable header fields of a live metadata mapping, with the memory ordering the
 * seqlock needs. One subclass per layout: v3 typed slots, legacy v2 float64 slots.
 *
 * <p>Accesses go through VarHandles on a direct buffer over the mapping: acquire/release
 * where the protocol needs them, plain elsewhere, with no {@code Unsafe} of our own.
 */
public abstract class HeaderWords {
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle DOUBLES = MethodHandles.byteBufferViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    final ByteBuffer bytes;

    HeaderWords(ByteBuffer bytes) {
        this.bytes = bytes;
    }

    /** Words over a mapped metadata segment of the given layout version. */
    public static HeaderWords over(Mapping metadata, int version) {
        ByteBuffer bytes = metadata.byteBuffer(0, MetadataLayout.HEADER_LENGTH);
        return version == MetadataLayout.VERSION ? new V3(bytes, metadata.address()) : new V2(bytes);
    }

    /** The sequence with acquire semantics: loads after it see the publication it names. */
    public abstract long sequenceAcquire();

    /** The sequence as its owner (the lock holder) reads it back. */
    public abstract long sequencePlain();

    /** Publishes the odd "writing" value; later payload stores cannot move before it. */
    public abstract void sequenceBeginWrite(long odd);

    /** Publishes a final value with release semantics: earlier payload and counter stores are visible first. */
    public abstract void sequenceRelease(long value);

    public abstract long count();

    public abstract void count(long count);

    public abstract double writeTime();

    public abstract void writeTime(double epochSeconds);

    public abstract long frameId();

    public abstract void frameId(long frameId);

    public abstract long lockOwnerPid();

    /** Stores owner then depth: two plain stores, in pyshmem's order. */
    public abstract void lockOwner(long pid, int depth);

    /** Address of the 32-bit futex word (low half of write_sequence), or 0 where notify cannot work. */
    public abstract long futexAddress();

    /** v3: typed little-endian slots. */
    static final class V3 extends HeaderWords {
        private final long baseAddress;

        V3(ByteBuffer bytes, long baseAddress) {
            super(bytes);
            this.baseAddress = baseAddress;
        }

        @Override
        public long sequenceAcquire() {
            return (long) LONGS.getAcquire(bytes, MetadataLayout.WRITE_SEQUENCE_OFFSET);
        }

        @Override
        public long sequencePlain() {
            return (long) LONGS.get(bytes, MetadataLayout.WRITE_SEQUENCE_OFFSET);
        }

        @Override
        public void sequenceBeginWrite(long odd) {
            LONGS.setOpaque(bytes, MetadataLayout.WRITE_SEQUENCE_OFFSET, odd);
            VarHandle.storeStoreFence();
        }

        @Override
        public void sequenceRelease(long value) {
            LONGS.setRelease(bytes, MetadataLayout.WRITE_SEQUENCE_OFFSET, value);
        }

        @Override
        public long count() {
            return (long) LONGS.getAcquire(bytes, MetadataLayout.COUNT_OFFSET);
        }

        @Override
        public void count(long count) {
            LONGS.set(bytes, MetadataLayout.COUNT_OFFSET, count);
        }

        @Override
        public double writeTime() {
            return (double) DOUBLES.get(bytes, MetadataLayout.WRITE_TIME_OFFSET);
        }

        @Override
        public void writeTime(double epochSeconds) {
            DOUBLES.set(bytes, MetadataLayout.WRITE_TIME_OFFSET, epochSeconds);
        }

        @Override
        public long frameId() {
            return (long) LONGS.get(bytes, MetadataLayout.FRAME_ID_OFFSET);
        }

        @Override
        public void frameId(long frameId) {
            LONGS.set(bytes, MetadataLayout.FRAME_ID_OFFSET, frameId);
        }

        @Override
        public long lockOwnerPid() {
            return (long) LONGS.getOpaque(bytes, MetadataLayout.LOCK_OWNER_PID_OFFSET);
        }

        @Override
        public void lockOwner(long pid, int depth) {
            LONGS.setOpaque(bytes, MetadataLayout.LOCK_OWNER_PID_OFFSET, pid);
            INTS.setOpaque(bytes, MetadataLayout.LOCK_DEPTH_OFFSET, depth);
        }

        @Override
        public long futexAddress() {
            return baseAddress + MetadataLayout.WRITE_SEQUENCE_OFFSET;
        }
    }

    /**
     * Legacy v2: every field a float64. pyshmem 1.4.0 samples these under the flock (spec
     * §3.4); Java writers hold the flock for the whole write, and Java readers use acquire
     * loads and re-check, which is compatible with both.
     */
    static final class V2 extends HeaderWords {
        V2(ByteBuffer bytes) {
            super(bytes);
        }

        private static int at(int slot) {
            return MetadataLayout.v2Offset(slot);
        }

        @Override
        public long sequenceAcquire() {
            return (long) (double) DOUBLES.getAcquire(bytes, at(MetadataLayout.V2_WRITE_SEQUENCE));
        }

        @Override
        public long sequencePlain() {
            return (long) (double) DOUBLES.get(bytes, at(MetadataLayout.V2_WRITE_SEQUENCE));
        }

        @Override
        public void sequenceBeginWrite(long odd) {
            DOUBLES.setOpaque(bytes, at(MetadataLayout.V2_WRITE_SEQUENCE), (double) odd);
            VarHandle.storeStoreFence();
        }

        @Override
        public void sequenceRelease(long value) {
            DOUBLES.setRelease(bytes, at(MetadataLayout.V2_WRITE_SEQUENCE), (double) value);
        }

        @Override
        public long count() {
            return (long) (double) DOUBLES.getAcquire(bytes, at(MetadataLayout.V2_COUNT));
        }

        @Override
        public void count(long count) {
            DOUBLES.set(bytes, at(MetadataLayout.V2_COUNT), (double) count);
        }

        @Override
        public double writeTime() {
            return (double) DOUBLES.get(bytes, at(MetadataLayout.V2_WRITE_TIME));
        }

        @Override
        public void writeTime(double epochSeconds) {
            DOUBLES.set(bytes, at(MetadataLayout.V2_WRITE_TIME), epochSeconds);
        }

        @Override
        public long frameId() {
            return 0; // v2 has no frame id; pyshmem reads 0 and ignores writes
        }

        @Override
        public void frameId(long frameId) {
            // v2 has no slot for it
        }

        @Override
        public long lockOwnerPid() {
            return (long) (double) DOUBLES.getOpaque(bytes, at(MetadataLayout.V2_LOCK_OWNER_PID));
        }

        @Override
        public void lockOwner(long pid, int depth) {
            DOUBLES.setOpaque(bytes, at(MetadataLayout.V2_LOCK_OWNER_PID), (double) pid);
            DOUBLES.setOpaque(bytes, at(MetadataLayout.V2_LOCK_DEPTH), (double) depth);
        }

        @Override
        public long futexAddress() {
            return 0;
        }
    }
}

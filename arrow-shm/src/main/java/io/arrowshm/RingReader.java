package io.arrowshm;

import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.ring.RingCursor;
import io.arrowshm.internal.ring.RingMemory;
import io.arrowshm.internal.ring.SlotTransfer;
import io.arrowshm.internal.stream.Allocators;
import io.arrowshm.internal.stream.OperationGuard;
import io.arrowshm.internal.stream.PayloadCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A reader attached to one named, durable cursor of a ring, from {@link Ring#reader(String)}:
 * it delivers every frame in position order, each once. The cursor's position lives in the ring,
 * so a reader that closes, or whose process dies, and attaches again under the same name resumes
 * where it stopped; under {@link Overflow#BLOCK} the writer waits for it (and, once it is gone,
 * for its grace period), so nothing is lost. Under {@link Overflow#OVERWRITE}, or for a
 * non-blocking cursor, a reader a whole ring behind is lapped: {@link #lost()} and each frame's
 * {@code lost()} say exactly how many frames it missed.
 *
 * <pre>{@code
 * try (Ring ring = Ring.open("frames");
 *      RingReader reader = ring.reader("trainer")) {
 *     try (RingFrame f = reader.take(Duration.ofSeconds(1))) {      // a copy you own
 *         System.out.println(f.position() + " " + f.frameId() + " lost " + f.lost());
 *     }
 *     float[] frame = new float[(int) (ring.size() / 4)];
 *     long position = reader.readInto(frame, Duration.ofSeconds(1)); // into your array, no allocation
 *     System.out.println(position + " lost so far " + reader.lost());
 * }
 * }</pre>
 *
 * <p>Waits spin briefly, then park on a futex the writer wakes; they end at the deadline
 * ({@link StreamTimeoutException}), on interrupt ({@link StreamInterruptedException}, within
 * 50 ms) and when the reader or ring is closed ({@link IllegalStateException}). A null timeout
 * waits without limit. One thread at a time; {@link #close()} from any thread. While a
 * {@link RingLease} or {@link RingBatch} is open, the reader delivers nothing else.
 */
public final class RingReader implements AutoCloseable {
    private final Ring ring;
    private final String name;
    private final RingMemory memory;
    private final RingCursor cursor;
    private final OperationGuard guard;
    private final Arguments args;
    private final long slotSize;
    private final SlotTransfer<ByteBuffer> toBuffer;
    private final SlotTransfer<ArrowBuf> toArrow;
    private volatile LentSlots openView;
    /** Indices of what {@link #copyNext} reports about a frame. */
    private static final int FRAME_ID = 0;
    private static final int WRITE_NANOS = 1;
    private static final int LOST = 2;
    private static final int FACTS = 3;

    /** @param guard the reader's guard, whose release detaches the cursor (built by {@link Ring}) */
    RingReader(Ring ring, String name, RingMemory memory, RingCursor cursor, OperationGuard guard) {
        this.ring = ring;
        this.name = name;
        this.memory = memory;
        this.cursor = cursor;
        this.guard = guard;
        this.slotSize = memory.geometry().slotSize();
        this.args = new Arguments(ring.name(), ring.dtype(), ring.shape(), slotSize);
        this.toBuffer = (slots, at, buffer) -> slots.copyOut(at, slotSize, buffer);
        this.toArrow = (slots, at, buffer) -> slots.copyOut(at, slotSize, buffer);
    }

    /** The cursor's name. */
    public String name() {
        return name;
    }

    public Ring ring() {
        return ring;
    }

    /** The next position this reader delivers (every position below it is consumed). */
    public long position() {
        return cursor.position();
    }

    /** Frames this reader lost in all (overwritten before it read them), since it attached. */
    public long lost() {
        return cursor.lost();
    }

    /** Positions it skipped because a writer died while writing them (no frame ever existed there). */
    public long abandoned() {
        return cursor.abandoned();
    }

    /** Frames written that this reader has not consumed yet. */
    public long available() {
        guard.enter("read the lag of");
        try {
            long available = Math.max(0, memory.words().writePositionAcquire() - cursor.position());
            FaultBarrier.deliverPending();
            return available;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "read the lag of");
        } finally {
            guard.exit();
        }
    }

    /** The next frame as a copy, waiting without limit. */
    public RingFrame take() {
        return take(null, Allocators.root());
    }

    /** The next frame as a copy from the library's allocator, waiting at most {@code timeout}. */
    public RingFrame take(Duration timeout) {
        return take(timeout, Allocators.root());
    }

    /** The next frame as a copy in a buffer of {@code allocator}, waiting at most {@code timeout}. */
    public RingFrame take(Duration timeout, BufferAllocator allocator) {
        long deadline = deadline(timeout);
        guard.enter("take from");
        ArrowBuf copy = null;
        try {
            checkNoView();
            copy = allocator.buffer(slotSize);
            long[] facts = new long[FACTS];
            long p = copyNext(copy, toArrow, deadline, facts);
            RingFrame frame = new RingFrame(p, facts[FRAME_ID], facts[WRITE_NANOS], facts[LOST], copy);
            copy = null;
            return frame;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "take from");
        } finally {
            if (copy != null) {
                copy.close();
            }
            guard.exit();
        }
    }

    public long readInto(byte[] target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame into {@code target} (one whole frame), waiting at most {@code timeout}; returns its position. */
    public long readInto(byte[] target, Duration timeout) {
        return read(args.array(target, target.length, 1), PayloadCodec::copyOut, timeout);
    }

    public long readInto(short[] target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame into {@code target} (one whole frame), waiting at most {@code timeout}; returns its position. */
    public long readInto(short[] target, Duration timeout) {
        return read(args.array(target, target.length, 2), PayloadCodec::copyOut, timeout);
    }

    public long readInto(int[] target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame into {@code target} (one whole frame), waiting at most {@code timeout}; returns its position. */
    public long readInto(int[] target, Duration timeout) {
        return read(args.array(target, target.length, 4), PayloadCodec::copyOut, timeout);
    }

    public long readInto(long[] target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame into {@code target} (one whole frame), waiting at most {@code timeout}; returns its position. */
    public long readInto(long[] target, Duration timeout) {
        return read(args.array(target, target.length, 8), PayloadCodec::copyOut, timeout);
    }

    public long readInto(float[] target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame into {@code target} (one whole frame), waiting at most {@code timeout}; returns its position. */
    public long readInto(float[] target, Duration timeout) {
        return read(args.array(target, target.length, 4), PayloadCodec::copyOut, timeout);
    }

    public long readInto(double[] target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame into {@code target} (one whole frame), waiting at most {@code timeout}; returns its position. */
    public long readInto(double[] target, Duration timeout) {
        return read(args.array(target, target.length, 8), PayloadCodec::copyOut, timeout);
    }

    public long readInto(boolean[] target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame into {@code target} (one whole frame), waiting at most {@code timeout}; returns its position. */
    public long readInto(boolean[] target, Duration timeout) {
        return read(args.array(target, target.length, 1), PayloadCodec::copyOut, timeout);
    }

    public long readInto(ByteBuffer target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame to {@code target}'s position (which does not move); returns its position. */
    public long readInto(ByteBuffer target, Duration timeout) {
        return read(args.target(target), toBuffer, timeout);
    }

    public long readInto(ArrowBuf target) {
        return readInto(target, (Duration) null);
    }

    /** Copies the next frame into the first slot-size bytes of {@code target}; returns its position. */
    public long readInto(ArrowBuf target, Duration timeout) {
        return read(args.target(target), toArrow, timeout);
    }

    /** The next frame lent without a copy; see {@link RingLease}. Waits without limit. */
    public RingLease lease() {
        return lease(null);
    }

    /** The next frame lent without a copy, waiting at most {@code timeout}; see {@link RingLease}. */
    public RingLease lease(Duration timeout) {
        long deadline = deadline(timeout);
        guard.enter("lease from");
        try {
            checkNoView();
            int slot = cursor.awaitReadable(deadline);
            long p = cursor.position();
            long frameId = cursor.frameId();
            long written = cursor.writeNanos();
            FaultBarrier.deliverPending();
            RingLease lease = new RingLease(this, p, slot, frameId, written, cursor.lostBefore(), memory.view(slot, 1));
            openView = lease;
            return lease;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "lease from");
        } finally {
            guard.exit();
        }
    }

    /**
     * Up to {@code maxFrames} consecutive frames lent as one contiguous buffer, waiting at most
     * {@code timeout} for the first; it holds those already written, never crossing the end of the
     * ring's slots. See {@link RingBatch}.
     */
    public RingBatch leaseBatch(int maxFrames, Duration timeout) {
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be at least 1, got " + maxFrames);
        }
        long deadline = deadline(timeout);
        guard.enter("lease from");
        try {
            checkNoView();
            int slot = cursor.awaitReadable(deadline);
            long p = cursor.position();
            int n = Math.max(1, cursor.readableRun(p, maxFrames));
            long[] frameIds = new long[n];
            long[] writeTimes = new long[n];
            cursor.frameFacts(p, frameIds, writeTimes);
            FaultBarrier.deliverPending();
            RingBatch batch = new RingBatch(this, p, slot, frameIds, writeTimes, cursor.lostBefore(),
                    memory.view(slot, n));
            openView = batch;
            return batch;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "lease from");
        } finally {
            guard.exit();
        }
    }

    /** How many of {@code count} frames from {@code p} still hold their data (a lease's check). */
    int intact(long p, int slot, int count) {
        try {
            int intact = cursor.intact(p, count);
            FaultBarrier.deliverPending();
            return intact;
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "check a lease of");
        }
    }

    /**
     * A lease or batch closed: the cursor moves past it, unless the reader closed first (then the
     * frames come again). A close never throws: on a ring whose file was truncated under it the
     * cursor cannot move, and the reader's next operation reports the fault.
     */
    void released(LentSlots view, long p, int count) {
        if (!guard.tryEnter()) {
            return;
        }
        try {
            if (openView == view) {
                try {
                    if (cursor.intact(p, count) == count) {
                        cursor.delivered(p + count);
                    } else {
                        cursor.overwritten(p, count);
                    }
                } finally {
                    // Cleared last: a reader thread that sees no view open also sees the cursor moved,
                    // even when the lease was closed on another thread (a volatile write, then its read).
                    openView = null;
                }
            }
            FaultBarrier.deliverPending();
        } catch (InternalError truncated) {
            // see above: nothing can be stored in memory that is gone
        } finally {
            guard.exit();
        }
    }

    private <T> long read(T target, SlotTransfer<T> transfer, Duration timeout) {
        long deadline = deadline(timeout);
        guard.enter("read from");
        try {
            checkNoView();
            return copyNext(target, transfer, deadline, null);
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "read from");
        } finally {
            guard.exit();
        }
    }

    /**
     * Copies the next frame into {@code target}, retrying past laps, and moves the cursor past it;
     * {@code facts} (when given) receives its frame id, write time and the frames lost just before.
     */
    private <T> long copyNext(T target, SlotTransfer<T> transfer, long deadline, long[] facts) {
        while (true) {
            int slot = cursor.awaitReadable(deadline);
            long p = cursor.position();
            long frameId = cursor.frameId();
            long written = cursor.writeNanos();
            copy(target, transfer, slot);
            if (cursor.validate(slot, p)) {
                if (facts != null) {
                    facts[FRAME_ID] = frameId;
                    facts[WRITE_NANOS] = written;
                    facts[LOST] = cursor.lostBefore();
                }
                cursor.delivered(p + 1);
                FaultBarrier.deliverPending();
                return p;
            }
            cursor.lapped(p);
        }
    }

    private <T> void copy(T target, SlotTransfer<T> transfer, int slot) {
        try {
            transfer.apply(memory.slots(), memory.slotOffset(slot), target);
            FaultBarrier.deliverPending();
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "read from");
        }
    }

    private void checkNoView() {
        LentSlots view = openView;
        if (view != null) {
            throw new IllegalStateException("reader '" + name + "' of ring '" + ring.name() + "' has " + view
                    + " open; close it before reading further");
        }
    }

    private static long deadline(Duration timeout) {
        return timeout == null ? LockFile.FOREVER : Arguments.deadline(timeout);
    }

    public boolean isClosed() {
        return guard.closed();
    }

    /**
     * Detaches from the cursor once no read is in flight (a waiting read ends with
     * {@link IllegalStateException}); the cursor keeps its position for the next reader of that
     * name. Closing twice is harmless.
     */
    @Override
    public void close() {
        boolean entered = guard.tryEnter(); // keeps the mapping while a waiting read is woken
        try {
            if (guard.close() && entered) {
                cursor.wake();
            }
        } finally {
            if (entered) {
                guard.exit();
            }
        }
    }

    @Override
    public String toString() {
        return "RingReader[" + ring.name() + ", cursor '" + name + "', position " + cursor.position() + "]";
    }
}

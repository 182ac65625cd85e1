package io.arrowshm;

import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.LockFile;
import io.arrowshm.internal.ring.RingMemory;
import io.arrowshm.internal.ring.RingPublisher;
import io.arrowshm.internal.ring.SlotTransfer;
import io.arrowshm.internal.stream.OperationGuard;
import io.arrowshm.internal.stream.PayloadCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.arrow.memory.ArrowBuf;

/**
 * A ring's one writer, from {@link Ring#writer()}: it holds the ring's writer lease (a lock the
 * kernel releases if the process dies) for as long as it is open, so each write is a copy into
 * the next slot and a few ordered stores, with no system call unless a reader is parked or, under
 * {@link Overflow#BLOCK}, the writer must wait for the slowest reader.
 *
 * <pre>{@code
 * try (Ring ring = Ring.create("frames", RingOptions.of(DType.FLOAT32, 2, 3).capacity(8));
 *      RingWriter writer = ring.writer()) {
 *     writer.write(new float[] {1, 2, 3, 4, 5, 6});                      // position 0
 *     writer.write(new float[] {1, 2, 3, 4, 5, 6}, 42L);                 // position 1, frame id 42
 *     writer.write(new float[6], 43L, Duration.ofMillis(100));            // waits at most 100 ms for space
 *     ring.unlink();
 * }
 * }</pre>
 *
 * <p>Arrays are C-order, one whole frame each, of the dtype's Java type or {@code byte[]} (raw);
 * a {@code ByteBuffer} gives exactly the slot's bytes from its position (which does not move), an
 * {@code ArrowBuf} at least that many. A write with the wrong length fails before the ring is
 * touched. Waits end at the deadline ({@link StreamTimeoutException}), on interrupt
 * ({@link StreamInterruptedException}) and when the writer or ring is closed
 * ({@link IllegalStateException}). One thread at a time; {@link #close()} from any thread.
 */
public final class RingWriter implements AutoCloseable {
    private final Ring ring;
    private final RingMemory memory;
    private final RingPublisher publisher;
    private final OperationGuard guard;
    private final Arguments args;
    private final long slotSize;
    private final SlotTransfer<ByteBuffer> fromBuffer;
    private final SlotTransfer<ArrowBuf> fromArrow;
    /** The write view open now, or null; only the writer's thread touches it. */
    private RingWriteView openView;

    /** @param guard the writer's guard, whose release gives the lease back (built by {@link Ring}) */
    RingWriter(Ring ring, RingMemory memory, RingPublisher publisher, OperationGuard guard) {
        this.ring = ring;
        this.memory = memory;
        this.publisher = publisher;
        this.guard = guard;
        this.slotSize = memory.geometry().slotSize();
        this.args = new Arguments(ring.name(), ring.dtype(), ring.shape(), slotSize);
        this.fromBuffer = (slots, at, buffer) -> slots.copyIn(at, slotSize, buffer);
        this.fromArrow = (slots, at, buffer) -> slots.copyIn(at, slotSize, buffer);
    }

    /** The ring this writer writes. */
    public Ring ring() {
        return ring;
    }

    /** The position the next write gets. */
    public long position() {
        guard.enter("read the position of");
        try {
            return publisher.position();
        } finally {
            guard.exit();
        }
    }

    public void write(byte[] values) {
        write(values, 0, (Duration) null);
    }

    public void write(byte[] values, long frameId) {
        write(values, frameId, (Duration) null);
    }

    /** Writes {@code values} with {@code frameId}, waiting at most {@code timeout} for space (null: no limit). */
    public void write(byte[] values, long frameId, Duration timeout) {
        write(args.array(values, values.length, 1), PayloadCodec::copyIn, frameId, timeout);
    }

    public void write(short[] values) {
        write(values, 0, (Duration) null);
    }

    public void write(short[] values, long frameId) {
        write(values, frameId, (Duration) null);
    }

    /** Writes {@code values} with {@code frameId}, waiting at most {@code timeout} for space (null: no limit). */
    public void write(short[] values, long frameId, Duration timeout) {
        write(args.array(values, values.length, 2), PayloadCodec::copyIn, frameId, timeout);
    }

    public void write(int[] values) {
        write(values, 0, (Duration) null);
    }

    public void write(int[] values, long frameId) {
        write(values, frameId, (Duration) null);
    }

    /** Writes {@code values} with {@code frameId}, waiting at most {@code timeout} for space (null: no limit). */
    public void write(int[] values, long frameId, Duration timeout) {
        write(args.array(values, values.length, 4), PayloadCodec::copyIn, frameId, timeout);
    }

    public void write(long[] values) {
        write(values, 0, (Duration) null);
    }

    public void write(long[] values, long frameId) {
        write(values, frameId, (Duration) null);
    }

    /** Writes {@code values} with {@code frameId}, waiting at most {@code timeout} for space (null: no limit). */
    public void write(long[] values, long frameId, Duration timeout) {
        write(args.array(values, values.length, 8), PayloadCodec::copyIn, frameId, timeout);
    }

    public void write(float[] values) {
        write(values, 0, (Duration) null);
    }

    public void write(float[] values, long frameId) {
        write(values, frameId, (Duration) null);
    }

    /** Writes {@code values} with {@code frameId}, waiting at most {@code timeout} for space (null: no limit). */
    public void write(float[] values, long frameId, Duration timeout) {
        write(args.array(values, values.length, 4), PayloadCodec::copyIn, frameId, timeout);
    }

    public void write(double[] values) {
        write(values, 0, (Duration) null);
    }

    public void write(double[] values, long frameId) {
        write(values, frameId, (Duration) null);
    }

    /** Writes {@code values} with {@code frameId}, waiting at most {@code timeout} for space (null: no limit). */
    public void write(double[] values, long frameId, Duration timeout) {
        write(args.array(values, values.length, 8), PayloadCodec::copyIn, frameId, timeout);
    }

    public void write(boolean[] values) {
        write(values, 0, (Duration) null);
    }

    public void write(boolean[] values, long frameId) {
        write(values, frameId, (Duration) null);
    }

    /** Writes {@code values} with {@code frameId}, waiting at most {@code timeout} for space (null: no limit). */
    public void write(boolean[] values, long frameId, Duration timeout) {
        write(args.array(values, values.length, 1), PayloadCodec::copyIn, frameId, timeout);
    }

    public void write(ByteBuffer bytes) {
        write(bytes, 0, (Duration) null);
    }

    public void write(ByteBuffer bytes, long frameId) {
        write(bytes, frameId, (Duration) null);
    }

    /** Writes the buffer's remaining bytes (exactly one slot) with {@code frameId}, waiting at most {@code timeout}. */
    public void write(ByteBuffer bytes, long frameId, Duration timeout) {
        write(args.source(bytes), fromBuffer, frameId, timeout);
    }

    public void write(ArrowBuf bytes) {
        write(bytes, 0, (Duration) null);
    }

    public void write(ArrowBuf bytes, long frameId) {
        write(bytes, frameId, (Duration) null);
    }

    /** Writes the first slot-size bytes of {@code bytes} with {@code frameId}, waiting at most {@code timeout}. */
    public void write(ArrowBuf bytes, long frameId, Duration timeout) {
        write(args.source(bytes), fromArrow, frameId, timeout);
    }

    /**
     * Lends the next slot to fill in place, waiting at most {@code timeout} for space (null: no
     * limit); see {@link RingWriteView}. The writer writes nothing else until the view is
     * published or closed.
     */
    public RingWriteView writeView(Duration timeout) {
        long deadline = timeout == null ? LockFile.FOREVER : Arguments.deadline(timeout);
        guard.enter("open a write view of");
        try {
            checkNoView();
            int slot = publisher.begin(deadline);
            FaultBarrier.deliverPending();
            // The view holds the writer's guard until it ends, so closing the writer waits for it.
            openView = new RingWriteView(this, publisher.position(), memory.view(slot, 1));
            guard.enter("write through a view of");
            return openView;
        } catch (RuntimeException | Error e) {
            abandonQuietly();
            throw guard.fault(e, "open a write view of");
        } finally {
            guard.exit();
        }
    }

    /** A view's frame is complete: publish it, unless the memory faulted while it was filled. */
    void publishView(long frameId) {
        try {
            FaultBarrier.deliverPending();
            publisher.commit(frameId);
            FaultBarrier.deliverPending();
        } catch (RuntimeException | Error e) {
            abandonQuietly();
            throw guard.fault(e, "publish a write view of");
        } finally {
            openView = null;
            guard.exit();
        }
    }

    /** A view closed unpublished: its position is abandoned, as a dead writer's would be. */
    void abandonView() {
        try {
            abandonQuietly();
        } finally {
            openView = null;
            guard.exit();
        }
    }

    private void checkNoView() {
        if (openView != null) {
            throw new IllegalStateException("the writer of ring '" + ring.name() + "' has a write view of position "
                    + openView.position() + " open; publish or close it first");
        }
    }

    private <T> void write(T source, SlotTransfer<T> transfer, long frameId, Duration timeout) {
        long deadline = timeout == null ? LockFile.FOREVER : Arguments.deadline(timeout);
        guard.enter("write to");
        try {
            checkNoView();
            int slot = publisher.begin(deadline);
            try {
                transfer.apply(memory.slots(), memory.slotOffset(slot), source);
                FaultBarrier.deliverPending();
            } catch (RuntimeException | Error e) {
                abandonQuietly();
                throw guard.fault(e, "write to");
            }
            publisher.commit(frameId);
            FaultBarrier.deliverPending();
        } catch (RuntimeException | Error e) {
            throw guard.fault(e, "write to");
        } finally {
            guard.exit();
        }
    }

    /** A failed copy gives its position up (ring-format §5.3); on memory that faults, even that may fail. */
    private void abandonQuietly() {
        try {
            publisher.abandon();
            FaultBarrier.deliverPending();
        } catch (RuntimeException | Error ignored) {
            // the ring's memory is gone: the next writer's recovery abandons the position
        }
    }

    /** Whether {@link #close()} was called (or the ring closed). */
    public boolean isClosed() {
        return guard.closed();
    }

    /**
     * Gives the writer lease back once no write is in flight; a write waiting for space ends
     * with {@link IllegalStateException}. Closing twice is harmless.
     */
    @Override
    public void close() {
        boolean entered = guard.tryEnter(); // keeps the mapping while a waiting write is woken
        try {
            if (guard.close() && entered) {
                publisher.wake();
            }
        } finally {
            if (entered) {
                guard.exit();
            }
        }
    }

    @Override
    public String toString() {
        return "RingWriter[" + ring.name() + "]";
    }
}

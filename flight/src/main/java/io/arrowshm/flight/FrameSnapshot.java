package io.arrowshm.flight;

import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.tensors.TensorRows;
import io.arrowshm.tensors.WriteTimes;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One publication of a stream, copied out of shared memory once and sent from there by every
 * {@code DoGet} of the stream: the tensor column's value buffer (the payload; bool packed into
 * bits) and the values of the {@code count}, {@code frame_id} and {@code write_time} columns.
 * Nothing writes to these buffers after they are made, so gRPC sends them without a copy while the
 * stream's writer moves on.
 *
 * <p>Two levels of references. This object's own count is held by the stream's cache while the
 * snapshot is the latest, and by a sender while it loads the snapshot into its batch; at zero it
 * closes its Arrow references. A batch handed to gRPC holds Arrow references of its own to the same
 * buffers until Netty has written or dropped the message, so the memory is freed at the last of
 * all those releases ({@link #freed()}), never under a message still queued.
 */
final class FrameSnapshot {
    /** Bytes of {@link #scalars}: the count, frame id and write time (ns), eight bytes each, in that order. */
    static final int SCALAR_BYTES = 24;
    private static final int COUNT_OFFSET = 0;
    private static final int FRAME_ID_OFFSET = 8;
    private static final int WRITE_TIME_OFFSET = 16;

    private final ArrowBuf values;
    private final ArrowBuf scalars;
    private final long count;
    private final AtomicInteger references = new AtomicInteger(1);

    private FrameSnapshot(ArrowBuf values, ArrowBuf scalars, long count) {
        this.values = values;
        this.scalars = scalars;
        this.count = count;
    }

    /**
     * The snapshot of {@code publication} (whose payload came from {@code allocator}), holding one
     * reference for the caller. The publication stays the caller's to close.
     */
    static FrameSnapshot of(Publication publication, DType dtype, int elements, BufferAllocator allocator) {
        ArrowBuf values = TensorRows.valueBuffer(dtype, publication.payload(), elements, allocator);
        try {
            ArrowBuf scalars = allocator.buffer(SCALAR_BYTES);
            scalars.setLong(COUNT_OFFSET, publication.count());
            scalars.setLong(FRAME_ID_OFFSET, publication.frameId());
            scalars.setLong(WRITE_TIME_OFFSET, WriteTimes.toNanos(publication.writeTime()));
            return new FrameSnapshot(values, scalars, publication.count());
        } catch (RuntimeException | Error e) {
            values.close();
            throw e;
        }
    }

    /** The publication's number (the stream's count after it). */
    long count() {
        return count;
    }

    /** The tensor column's value buffer (valid while a reference is held). */
    ArrowBuf values() {
        return values;
    }

    /** The {@code count} column's one value, as a slice of the shared scalar buffer. */
    ArrowBuf countValue() {
        return scalars.slice(COUNT_OFFSET, 8);
    }

    ArrowBuf frameIdValue() {
        return scalars.slice(FRAME_ID_OFFSET, 8);
    }

    ArrowBuf writeTimeValue() {
        return scalars.slice(WRITE_TIME_OFFSET, 8);
    }

    /** Bytes this snapshot holds. */
    long bytes() {
        return values.capacity() + scalars.capacity();
    }

    /** One more reference, unless the last one is already gone (then false, and nothing is held). */
    boolean tryRetain() {
        while (true) {
            int now = references.get();
            if (now <= 0) {
                return false;
            }
            if (references.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Drops one reference; the last lets the buffers go (once gRPC has let go of them too). */
    void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            values.close();
            scalars.close();
        } else if (left < 0) {
            throw new IllegalStateException("snapshot #" + count + " released more often than retained");
        }
    }

    /** Whether the memory is freed: no reference here, and none in a message gRPC still holds. */
    boolean freed() {
        return values.getReferenceManager().getRefCount() == 0 && scalars.getReferenceManager().getRefCount() == 0;
    }
}

package io.arrowshm.flight;

import io.arrowshm.InconsistentStreamException;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInfo;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.tensors.FixedShapeTensorType;
import io.arrowshm.tensors.RecordingSchema;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The latest publication of one served stream (one generation of a name), copied out of shared
 * memory once for all the {@code DoGet}s of the stream, however many: the first sender that needs a
 * newer frame copies it into a {@link FrameSnapshot} while the others wait for it, then they all
 * send the same buffers. A frame is copied at most once, and only when a sender is ready for it.
 *
 * <p>Snapshots come from the server's frame memory, whose limit bounds what the cache and gRPC
 * hold together: when it is full, the copy waits (bounded by the caller's deadline) for gRPC to
 * release what it has written. Also shared: the buffers every batch of the stream repeats (validity
 * bits, a zero {@code missed}), and the check that the name still holds this generation.
 */
final class StreamSnapshots implements AutoCloseable {
    private static final long LIVENESS_NANOS = Duration.ofMillis(500).toNanos();
    /** How long a copy waits between looks at the frame memory when it is full. */
    private static final long MEMORY_RETRY_NANOS = Duration.ofMillis(1).toNanos();

    private final SharedMemory shm;
    private final BufferAllocator memory;
    private final Consumer<FrameSnapshot> made;
    private final Schema schema;
    private final int elements;
    private final ArrowBuf allValid;
    private final ArrowBuf zero;
    private final Object lock = new Object();
    /** The latest snapshot made; holds one reference. Guarded by {@link #lock}. */
    private FrameSnapshot current;
    /** Whether a sender is copying (or waiting for) a newer publication. Guarded by {@link #lock}. */
    private boolean refreshing;
    /** Snapshots installed so far, so a waiter knows it was woken by a new one. Guarded by {@link #lock}. */
    private long installs;
    private final Object livenessLock = new Object();
    private volatile long livenessCheckedAt = System.nanoTime();
    private volatile boolean served = true;

    /**
     * Takes ownership of {@code shm} (a read-only handle whose reads allocate from {@code memory});
     * {@code made} hears of each snapshot made.
     */
    StreamSnapshots(SharedMemory shm, BufferAllocator memory, Consumer<FrameSnapshot> made) {
        this.shm = shm;
        this.memory = memory;
        this.made = made;
        this.schema = RecordingSchema.of(shm.name(), shm.dtype(), shm.shape());
        ArrowBuf ones = null;
        try {
            this.elements = ((FixedShapeTensorType) schema.findField(RecordingSchema.TENSOR).getType()).listSize();
            long validityBytes = Math.max(8, ((elements + 63L) / 64) * 8);
            ones = memory.buffer(validityBytes);
            ones.setOne(0, validityBytes);
            this.zero = memory.buffer(8);
            this.zero.setZero(0, zero.capacity());
            this.allValid = ones;
        } catch (RuntimeException | Error e) {
            if (ones != null) {
                ones.close();
            }
            throw e;
        }
    }

    String name() {
        return shm.name();
    }

    SharedMemory stream() {
        return shm;
    }

    /** The recording schema of this stream's batches. */
    Schema schema() {
        return schema;
    }

    /** Values per frame (the tensor column's list size). */
    int elements() {
        return elements;
    }

    /** Validity bits all set, as many as a frame's values need (never written after this). */
    ArrowBuf allValid() {
        return allValid;
    }

    /** Eight zero bytes: the {@code missed} value of a row that follows its predecessor. */
    ArrowBuf zero() {
        return zero;
    }

    /**
     * A snapshot newer than {@code after} for the caller (one reference, its to release): the
     * latest one made when it is also the stream's latest publication, or else the one a copy makes
     * now. Waits for a new publication until {@code deadlineNanos} ({@link System#nanoTime()} time).
     *
     * @return null when none came in time, or the wait was interrupted (the server closing)
     */
    FrameSnapshot next(long after, long deadlineNanos) {
        long base;
        synchronized (lock) {
            boolean woken = false;
            while (true) {
                FrameSnapshot latest = current;
                // One that was installed while we waited is taken as it is: re-checking the stream would let
                // a writer faster than the copy keep every waiter waiting.
                if (latest != null && latest.count() > after && (woken || latest.count() >= shm.count())) {
                    latest.tryRetain(); // current always holds the cache's reference: this cannot fail
                    return latest;
                }
                if (!refreshing) {
                    refreshing = true;
                    base = Math.max(after, latest == null ? 0 : latest.count());
                    break;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                long before = installs;
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    // Only the server's shutdown interrupts its senders; the caller's loop ends the call saying so.
                    return null;
                }
                woken = installs != before;
            }
        }
        FrameSnapshot copy = null;
        FrameSnapshot replaced = null;
        try {
            copy = copy(base, deadlineNanos);
        } finally {
            synchronized (lock) {
                refreshing = false;
                if (copy != null) {
                    replaced = current;
                    current = copy;
                    installs++;
                    copy.tryRetain(); // the caller's reference; the first is the cache's
                }
                lock.notifyAll();
            }
            if (replaced != null) {
                replaced.release();
            }
        }
        return copy;
    }

    /** The publication after {@code base} as a new snapshot, or null when none came (or no memory freed) in time. */
    private FrameSnapshot copy(long base, long deadlineNanos) {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            if (memory.getHeadroom() < shm.size()) {
                LockSupport.parkNanos(Math.min(left, MEMORY_RETRY_NANOS)); // gRPC frees what it has written
                continue;
            }
            try (Publication p = shm.readAfterPublication(base, Duration.ofNanos(left))) {
                FrameSnapshot snapshot = FrameSnapshot.of(p, shm.dtype(), elements, memory);
                made.accept(snapshot);
                return snapshot;
            } catch (StreamTimeoutException idle) {
                return null;
            } catch (InconsistentStreamException failedWrite) {
                // A writer died mid-write; the next complete write repairs it. Wait on without spinning.
                LockSupport.parkNanos(Math.min(left, MEMORY_RETRY_NANOS));
                return null;
            } catch (OutOfMemoryException full) {
                LockSupport.parkNanos(Math.min(left, MEMORY_RETRY_NANOS));
            }
        }
    }

    /**
     * Whether the name still holds the generation served here (not unlinked, not recreated),
     * looked up at most every 500 ms for all the stream's senders.
     */
    boolean stillServed() {
        long now = System.nanoTime();
        if (now - livenessCheckedAt > LIVENESS_NANOS) {
            synchronized (livenessLock) {
                if (now - livenessCheckedAt > LIVENESS_NANOS) {
                    served = lookUp();
                    livenessCheckedAt = System.nanoTime();
                }
            }
        }
        return served;
    }

    private boolean lookUp() {
        try {
            StreamInfo now = SharedMemory.stat(shm.name());
            return now.instanceId().equals(shm.instanceId()) && now.creatorPid() == shm.creatorPid();
        } catch (StreamNotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            return false; // unreadable metadata under the name: not the stream served here
        }
    }

    /**
     * Lets the cache's snapshot and the shared buffers go (gRPC may still hold them: they are freed
     * when it lets go) and closes the handle. Only the last sender of the stream calls this.
     */
    @Override
    public void close() {
        FrameSnapshot last;
        synchronized (lock) {
            last = current;
            current = null;
        }
        if (last != null) {
            last.release();
        }
        allValid.close();
        zero.close();
        shm.close();
    }
}

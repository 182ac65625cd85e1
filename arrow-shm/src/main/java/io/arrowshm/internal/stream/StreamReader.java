package io.arrowshm.internal.stream;

import io.arrowshm.internal.posix.FaultBarrier;
import io.arrowshm.internal.posix.HugePages;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The reading part of a handle: consistent copies, zero-copy reads inside the seqlock, and
 * waits for new publications. Each read records what it skipped in the {@link ReadCursor}
 * it is given (the handle's own, or a caller's). Every retry checks the deadline, so a
 * stream whose writes keep overlapping a long copy still times out on time.
 */
public final class StreamReader {
    private final String name;
    private final HeaderWords words;
    private final SeqlockReader seqlock;
    private final PayloadCodec codec;
    private final PayloadMapping payload;
    private final OperationGuard guard;
    /** The GPU stream's device seam, or null for a CPU stream. */
    private final DeviceLink device;

    public StreamReader(String name, HeaderWords words, SeqlockReader seqlock, PayloadCodec codec,
                        PayloadMapping payload, OperationGuard guard, DeviceLink device) {
        this.name = name;
        this.words = words;
        this.seqlock = seqlock;
        this.codec = codec;
        this.payload = payload;
        this.guard = guard;
        this.device = device;
    }

    /**
     * Copies the latest publication into {@code target} with {@code transfer}.
     *
     * @param sample receives the publication's header fields, or null
     */
    public <T> void readInto(T target, PayloadTransfer<T> transfer, long deadline, ReadCursor cursor,
                             PublicationSample sample) {
        guard.enter("read from");
        try {
            while (true) {
                long start = seqlock.awaitStable(deadline);
                try {
                    if (device == null) {
                        transfer.apply(codec, target);
                    } else {
                        device.readHost(codec, transfer, target); // the mirror, or the device through staging
                    }
                    FaultBarrier.deliverPending();
                } catch (RuntimeException | Error e) {
                    throw guard.fault(e, "read from");
                }
                long count = words.count();
                long frameId = sample == null ? 0 : words.frameId();
                double writeTime = sample == null ? 0 : words.writeTime();
                if (seqlock.validate(start)) {
                    long missed = cursor.record(count);
                    if (sample != null) {
                        sample.count = count;
                        sample.frameId = frameId;
                        sample.writeTime = writeTime;
                        sample.missed = missed;
                    }
                    return;
                }
                seqlock.checkDeadline(deadline, "a read that no write overlaps");
            }
        } catch (InternalError e) {
            throw guard.fault(e, "read from");
        } finally {
            guard.exit();
        }
    }

    /** A consistent copy in a new buffer from {@code allocator}; the caller owns it. */
    public ArrowBuf copy(BufferAllocator allocator, long deadline, ReadCursor cursor, PublicationSample sample) {
        guard.enter("read from");
        try {
            long size = codec.size();
            ArrowBuf copy = allocator.buffer(size);
            try {
                copy.capacity(size); // allocators round up; the copy is exactly one payload
                HugePages.advise(copy.memoryAddress(), size);
                readInto(copy, PayloadCodec::copyOut, deadline, cursor, sample);
                return copy;
            } catch (RuntimeException | Error e) {
                copy.close();
                throw e;
            }
        } finally {
            guard.exit();
        }
    }

    /**
     * Runs {@code reader} on a view of the live payload until a run that no write overlapped;
     * an exception or error thrown by a run that a write overlapped is a retry, one from a
     * consistent run propagates. The view holds its own reference and is closed afterwards.
     */
    public <R> R zeroCopy(Function<ArrowBuf, R> reader, long deadline, ReadCursor cursor) {
        if (device != null) {
            device.checkHostView("run a zero-copy reader on");
        }
        guard.enter("read from");
        ArrowBuf view = null;
        try {
            view = payload.view();
            while (true) {
                long start = seqlock.awaitStable(deadline);
                R result;
                try {
                    result = reader.apply(view);
                    FaultBarrier.deliverPending();
                } catch (InternalError e) {
                    throw guard.fault(e, "read from");
                } catch (RuntimeException | Error e) {
                    if (seqlock.validate(start)) {
                        throw e;
                    }
                    seqlock.checkDeadline(deadline, "a zero-copy read that no write overlaps");
                    continue;
                }
                long count = words.count();
                if (seqlock.validate(start)) {
                    cursor.record(count);
                    return result;
                }
                seqlock.checkDeadline(deadline, "a zero-copy read that no write overlaps");
            }
        } catch (InternalError e) {
            throw guard.fault(e, "read from");
        } finally {
            if (view != null) {
                view.close();
            }
            guard.exit();
        }
    }

    /**
     * Throws {@code SharedMemoryException} when the payload is no longer fully backed (its
     * segment was truncated by another process), before native code is handed its address.
     */
    public void checkBacked() {
        guard.enter("check the mapping of");
        try {
            codec.probeLastByte();
            FaultBarrier.deliverPending();
        } catch (InternalError e) {
            throw guard.fault(e, "use");
        } finally {
            guard.exit();
        }
    }

    /** Waits for a stable publication numbered above {@code after}; returns its count. */
    public long awaitCount(long after, long deadline, String what) {
        guard.enter("wait on");
        try {
            return seqlock.awaitCount(after, deadline, what);
        } catch (InternalError e) {
            throw guard.fault(e, "wait on");
        } finally {
            guard.exit();
        }
    }
}

package io.arrowshm.internal.stream;

import io.arrowshm.internal.posix.FaultBarrier;

/**
 * The live counters of a stream as a handle reports them: each one a single load from the
 * mapped header, with the handle's guard around it (a closed handle refuses, a truncated
 * metadata segment raises {@code SharedMemoryException} instead of a JVM fault).
 */
public final class LiveHeader {
    private static final int COUNT = 0;
    private static final int WRITE_TIME = 1;
    private static final int WRITE_SEQUENCE = 2;
    private static final int FRAME_ID = 3;

    private final HeaderWords words;
    private final OperationGuard guard;

    public LiveHeader(HeaderWords words, OperationGuard guard) {
        this.words = words;
        this.guard = guard;
    }

    /** Completed publications since creation. */
    public long count() {
        return load(COUNT, "read count from");
    }

    /** Epoch seconds of the last completed write. */
    public double writeTime() {
        return Double.longBitsToDouble(load(WRITE_TIME, "read write_time from"));
    }

    /** The seqlock word (acquire load). */
    public long writeSequence() {
        return load(WRITE_SEQUENCE, "read write_sequence from");
    }

    /** The u64 token of the last publication. */
    public long frameId() {
        return load(FRAME_ID, "read frame_id from");
    }

    /** The futex word of notify streams (the low half of write_sequence), 0 on legacy v2. */
    public long futexAddress() {
        return words.futexAddress();
    }

    private long load(int field, String operation) {
        guard.enter(operation);
        try {
            long value = switch (field) {
                case COUNT -> words.count();
                case WRITE_TIME -> Double.doubleToRawLongBits(words.writeTime());
                case WRITE_SEQUENCE -> words.sequenceAcquire();
                default -> words.frameId();
            };
            FaultBarrier.deliverPending();
            return value;
        } catch (InternalError e) {
            throw guard.fault(e, operation);
        } finally {
            guard.exit();
        }
    }
}

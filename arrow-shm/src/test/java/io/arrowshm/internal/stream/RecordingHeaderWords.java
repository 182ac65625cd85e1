package io.arrowshm.internal.stream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Header words that log every access in order, the way Agrona's tests record a ring buffer's
 * stores: each entry names the field, the kind of access and the value. Protocol tests assert
 * on the log.
 */
final class RecordingHeaderWords extends HeaderWords {
    final List<String> log = new ArrayList<>();
    long sequence;
    long count;
    double writeTime;
    long frameId;
    long ownerPid;
    long depth;

    RecordingHeaderWords() {
        super(ByteBuffer.allocate(256));
    }

    /** A stand-in for the payload copy between the odd and even stores. */
    void payload() {
        log.add("payload");
    }

    @Override
    public long sequenceAcquire() {
        log.add("sequence acquire-load " + sequence);
        return sequence;
    }

    @Override
    public long sequencePlain() {
        log.add("sequence plain-load " + sequence);
        return sequence;
    }

    @Override
    public void sequenceBeginWrite(long odd) {
        log.add("sequence odd-store+storestore " + odd);
        sequence = odd;
    }

    @Override
    public void sequenceRelease(long value) {
        log.add("sequence release-store " + value);
        sequence = value;
    }

    @Override
    public long count() {
        log.add("count load " + count);
        return count;
    }

    @Override
    public void count(long value) {
        log.add("count store " + value);
        count = value;
    }

    @Override
    public double writeTime() {
        log.add("write_time load");
        return writeTime;
    }

    @Override
    public void writeTime(double epochSeconds) {
        log.add("write_time store");
        writeTime = epochSeconds;
    }

    @Override
    public long frameId() {
        log.add("frame_id load " + frameId);
        return frameId;
    }

    @Override
    public void frameId(long value) {
        log.add("frame_id store " + value);
        frameId = value;
    }

    @Override
    public long lockOwnerPid() {
        return ownerPid;
    }

    @Override
    public void lockOwner(long pid, int newDepth) {
        log.add("lock_owner store " + pid + " depth " + newDepth);
        ownerPid = pid;
        depth = newDepth;
    }

    @Override
    public long futexAddress() {
        return 0;
    }
}

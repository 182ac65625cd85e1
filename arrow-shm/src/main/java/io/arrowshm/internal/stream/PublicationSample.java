package io.arrowshm.internal.stream;

/** The header fields of the publication a read copied, sampled inside the same seqlock generation. */
public final class PublicationSample {
    long count;
    long frameId;
    double writeTime;
    long missed;

    public long count() {
        return count;
    }

    public long frameId() {
        return frameId;
    }

    public double writeTime() {
        return writeTime;
    }

    public long missed() {
        return missed;
    }
}

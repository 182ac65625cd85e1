package io.arrowshm;

import org.apache.arrow.memory.ArrowBuf;

/**
 * One publication read whole: the payload copy and the metadata of the same seqlock
 * generation (pyshmem's {@code Publication}). Closing it closes the payload buffer.
 *
 * <pre>{@code
 * try (Publication p = shm.readPublication()) {
 *     System.out.println("frame " + p.frameId() + " #" + p.count() + ", skipped " + p.missedPublications());
 *     float first = p.payload().getFloat(0);
 * }
 * }</pre>
 *
 * @param payload a copy of the payload, owned by the caller
 * @param count the publication's number (the stream's count after it)
 * @param frameId the u64 token its writer stamped (0 when none)
 * @param writeTime epoch seconds when it was published
 * @param missedPublications publications this handle skipped before it
 */
public record Publication(ArrowBuf payload, long count, long frameId, double writeTime, long missedPublications)
        implements AutoCloseable {
    @Override
    public void close() {
        payload.close();
    }
}

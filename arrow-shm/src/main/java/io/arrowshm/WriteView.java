package io.arrowshm;

import io.arrowshm.internal.stream.StreamWriter;
import org.apache.arrow.memory.ArrowBuf;

/**
 * A zero-copy write in progress: the caller fills the live payload, then {@link #publish()}es
 * it. Closing without publishing, or leaving the block by an exception, aborts the write:
 * the stream is marked invalid (readers raise {@link InconsistentStreamException}) until the
 * next complete write, so no reader ever sees a partial frame. Use it from one thread, in
 * try-with-resources; it holds the write lock until closed. While it is open, other writes
 * through the same lock on this thread are refused with {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (WriteView view = shm.writeView()) {
 *     ArrowBuf live = view.buffer();
 *     for (long i = 0; i < live.capacity(); i += 4) live.setFloat(i, 1f);
 *     view.frameId(42).publish();
 * }
 * }</pre>
 */
public final class WriteView implements AutoCloseable {
    private final String stream;
    private final StreamWriter.Claim claim;
    private boolean stampFrameId;
    private long frameId;
    private boolean done;

    WriteView(String stream, StreamWriter.Claim claim) {
        this.stream = stream;
        this.claim = claim;
    }

    /**
     * The live payload (C order, little-endian, {@code size()} bytes): the view's own
     * reference, valid until this view is published or closed. Closing it is harmless.
     */
    public ArrowBuf buffer() {
        checkOpen();
        return claim.buffer();
    }

    /** Stamps the u64 publication token that readers see with this publication. */
    public WriteView frameId(long id) {
        checkOpen();
        this.stampFrameId = true;
        this.frameId = id;
        return this;
    }

    /** Completes the write: readers see the new payload from now on. */
    public void publish() {
        checkOpen();
        done = true;
        claim.publish(stampFrameId, frameId);
    }

    /** Aborts the write unless it was published, and releases the lock it took; closing twice is harmless. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            claim.abort();
        }
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("this write view of '" + stream + "' is already published or"
                    + " closed; open a new one with writeView()");
        }
    }
}

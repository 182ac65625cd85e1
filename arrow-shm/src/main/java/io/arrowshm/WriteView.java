package io.arrowshm;

import org.apache.arrow.memory.ArrowBuf;

/**
 * A zero-copy write in progress: the caller fills the live payload, then {@link #publish()}es
 * it. Closing without publishing, or leaving the block by an exception, aborts the write:
 * the stream is marked invalid (readers raise {@link InconsistentStreamException}) until the
 * next complete write, so no reader ever sees a partial frame. Use it from one thread, in
 * try-with-resources; it holds the write lock until closed.
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
    private final SharedMemory stream;
    private final ArrowBuf live;
    private final long odd;
    private final boolean ownsLock;
    private boolean stampFrameId;
    private long frameId;
    private boolean done;

    WriteView(SharedMemory stream, ArrowBuf live, long odd, boolean ownsLock) {
        this.stream = stream;
        this.live = live;
        this.odd = odd;
        this.ownsLock = ownsLock;
    }

    /**
     * The live payload (C order, little-endian, {@code size()} bytes). Valid until this view
     * closes; do not close it or keep it.
     */
    public ArrowBuf buffer() {
        checkOpen();
        return live;
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
        stream.finishViewWrite(odd, stampFrameId, frameId, ownsLock);
    }

    /** Aborts the write unless it was published, and releases the lock it took. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            stream.abortViewWrite(ownsLock);
        }
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("this write view of '" + stream.name() + "' is already published or"
                    + " closed; open a new one with writeView()");
        }
    }
}

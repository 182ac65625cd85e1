package io.arrowshm;

import org.apache.arrow.memory.ArrowBuf;

/**
 * A ring write in place, from {@link RingWriter#writeView}: the caller fills the next slot
 * itself (no copy), then {@link #publish()}es it. Closing without publishing, or leaving the
 * block by an exception, abandons the position: readers never see the partial frame, they skip
 * the position and count it in {@link RingReader#abandoned()}, and the writer goes on at the next
 * one. Use it from the writer's thread, in try-with-resources; while it is open the writer
 * writes nothing else.
 *
 * <pre>{@code
 * try (RingWriteView view = writer.writeView(Duration.ofSeconds(1))) {
 *     ArrowBuf slot = view.buffer();                   // the slot itself, ring.size() bytes
 *     for (long i = 0; i < slot.capacity(); i += 4) {
 *         slot.setFloat(i, 1f);
 *     }
 *     view.frameId(42).publish();
 * }
 * }</pre>
 */
public final class RingWriteView implements AutoCloseable {
    private final RingWriter writer;
    private final long position;
    private final ArrowBuf slot;
    private long frameId;
    private boolean done;

    RingWriteView(RingWriter writer, long position, ArrowBuf slot) {
        this.writer = writer;
        this.position = position;
        this.slot = slot;
    }

    /** The position this frame gets when published. */
    public long position() {
        return position;
    }

    /**
     * The slot (C order, little-endian, the ring's slot size): the view's own reference to the
     * mapping, valid until the view is published or closed.
     */
    public ArrowBuf buffer() {
        checkOpen();
        return slot;
    }

    /** The frame id readers see with this frame (default 0). */
    public RingWriteView frameId(long id) {
        checkOpen();
        this.frameId = id;
        return this;
    }

    /**
     * Publishes the frame: readers see it from now on.
     *
     * @throws SharedMemoryException when the ring's memory faulted while the slot was filled (the
     *     position is abandoned instead)
     */
    public void publish() {
        checkOpen();
        done = true;
        try {
            writer.publishView(frameId);
        } finally {
            slot.close();
        }
    }

    /** Abandons the position unless the frame was published; closing twice is harmless. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            try {
                writer.abandonView();
            } finally {
                slot.close();
            }
        }
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("this write view of position " + position + " is already published or"
                    + " closed; open a new one with writer.writeView()");
        }
    }
}

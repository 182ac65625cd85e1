package io.arrowshm.flight;

import java.time.Duration;

/**
 * How a {@link StreamFlightServer} serves rings: how far behind the frames it has sent it holds a
 * client's durable cursor (the window within which a resume is exact), the Arrow memory one ring
 * client may hold, and the grace of the durable cursors it attaches. Immutable.
 *
 * <p>The frames a client has not received when it vanishes are those gRPC and the sockets held in
 * flight, so a resume is exact when those fit in the window: a ring whose capacity is at least
 * twice the window (in frames) gets all of it.
 *
 * <pre>{@code
 * ServeOptions options = ServeOptions.defaults().rings(RingServeOptions.defaults()
 *         .window(256L << 20).clientMemory(128L << 20).cursorGrace(Duration.ofMinutes(2)));
 * }</pre>
 */
public final class RingServeOptions {
    /**
     * Bytes of frames a durable cursor is held behind the frames sent, unless the ring is smaller (see
     * {@link #window(long)}): what a client's gRPC receive window and the sockets may hold in flight
     * (about 1 MiB for Flight Java; pyarrow's gRPC grows its window to tens of MB on a fast link).
     */
    public static final long DEFAULT_WINDOW = 64L << 20;
    /** Arrow memory one ring client may hold: its batch being filled and the one gRPC is sending. */
    public static final long DEFAULT_CLIENT_MEMORY = 64L << 20;
    /** How long a durable cursor holds a BLOCK writer back once its client (or the server) is gone. */
    public static final Duration DEFAULT_CURSOR_GRACE = Duration.ofSeconds(30);

    private final long window;
    private final long clientMemory;
    private final Duration cursorGrace;

    private RingServeOptions(long window, long clientMemory, Duration cursorGrace) {
        this.window = window;
        this.clientMemory = clientMemory;
        this.cursorGrace = cursorGrace;
    }

    /** A window of 64 MiB of frames, 64 MiB per client, 30 s of grace. */
    public static RingServeOptions defaults() {
        return new RingServeOptions(DEFAULT_WINDOW, DEFAULT_CLIENT_MEMORY, DEFAULT_CURSOR_GRACE);
    }

    /**
     * How many bytes of frames sent a durable cursor still holds (0: none), rounded up to whole
     * frames: a client that reconnects with {@code "after"} within them resumes exactly; frames sent
     * before them are lost to it if the writer has since overwritten them, and the first row then
     * says how many in {@code lost}. A ring of capacity {@code c} gets at most {@code c / 2} frames,
     * so the writer always keeps half the ring ahead of the frames sent.
     */
    public RingServeOptions window(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("the ring window must be 0 or more bytes, got " + bytes);
        }
        return new RingServeOptions(bytes, clientMemory, cursorGrace);
    }

    /**
     * The Arrow memory one ring client may hold, whatever it does: rows per batch are chosen so
     * that two batches fit (one filling, one in gRPC's hands); a ring whose frame alone needs more
     * is refused with {@code RESOURCE_EXHAUSTED}.
     */
    public RingServeOptions clientMemory(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("the client memory bound must be positive, got " + bytes);
        }
        return new RingServeOptions(window, bytes, cursorGrace);
    }

    /** The grace of the durable cursors the server attaches ({@code CursorOptions.grace}). */
    public RingServeOptions cursorGrace(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("the cursor grace must be zero or positive, got " + grace);
        }
        return new RingServeOptions(window, clientMemory, grace);
    }

    public long window() {
        return window;
    }

    public long clientMemory() {
        return clientMemory;
    }

    public Duration cursorGrace() {
        return cursorGrace;
    }

    /** The window, in frames, of a ring of {@code capacity} slots of {@code slotSize} bytes. */
    long windowFor(long capacity, long slotSize) {
        return Math.min(window / slotSize + (window % slotSize == 0 ? 0 : 1), capacity / 2);
    }

    @Override
    public String toString() {
        return "RingServeOptions[window=" + window + ", clientMemory=" + clientMemory + ", cursorGrace=" + cursorGrace + "]";
    }
}

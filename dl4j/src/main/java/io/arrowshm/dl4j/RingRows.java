package io.arrowshm.dl4j;

import io.arrowshm.CursorOptions;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingReader;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.nd4j.Nd4jRings;
import java.time.Duration;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One ring read as a sequence of rows through a named cursor: a window (a {@link RingBatch},
 * consecutive slots lent without a copy) and the offset of the first row not handed out yet.
 * The cursor moves past a window only when it closes, and {@link #cut} makes a window end
 * exactly where the caller wants the cursor to stop, so the cursor never passes a row that was
 * not handed out.
 */
final class RingRows implements AutoCloseable {
    private final Ring ring;
    private final String cursor;
    private final CursorOptions options;
    private final long rowBytes;
    private RingReader reader;
    private RingBatch window;
    private int offset;
    private long lostBefore;

    RingRows(Ring ring, String cursor, CursorOptions options) {
        this.ring = ring;
        this.cursor = cursor;
        this.options = options;
        this.rowBytes = ring.size();
        this.reader = ring.reader(cursor, options);
    }

    Ring ring() {
        return ring;
    }

    /** Rows of the window not handed out yet (0 without a window). */
    int left() {
        return window == null ? 0 : window.count() - offset;
    }

    /**
     * Makes sure at least one row is left, leasing a window of up to {@code max} frames when
     * none is (waiting at most {@code timeout} for the first; null: no limit). A window is
     * leased only once the last one is closed.
     */
    void fill(int max, Duration timeout) {
        if (left() > 0) {
            return;
        }
        releaseIfDone();
        window = reader.leaseBatch(max, timeout);
        offset = 0;
    }

    /** The position of row {@code i} (0: the first row left). */
    long position(int i) {
        return window.position(offset + i);
    }

    long frameId(int i) {
        return window.frameId(offset + i);
    }

    /** How many of the first {@code max} rows left have no frame id equal to {@code marker}. */
    int runBefore(long marker, int max) {
        int n = Math.min(max, left());
        for (int i = 0; i < n; i++) {
            if (window.frameId(offset + i) == marker) {
                return i;
            }
        }
        return n;
    }

    /** Hands out {@code rows} rows: they are behind the offset from now on. */
    void advance(int rows) {
        offset += rows;
    }

    /** Closes the window once every row of it is handed out: the cursor moves past it. */
    void releaseIfDone() {
        if (window != null && left() == 0) {
            RingBatch done = window;
            window = null;
            done.close();
        }
    }

    /**
     * Shortens the window to the rows handed out and the next {@code rows} rows, so that closing
     * it moves the cursor exactly past them and the frames after them stay in the ring for the
     * next window. A lease always moves the cursor past all of its frames, so this detaches the
     * reader (a lease closed after its reader moves nothing), gives the window back, attaches
     * again under the same name and leases those frames again: the same slots, still written.
     */
    void cut(int rows, Duration timeout) {
        int keep = offset + rows;
        if (window == null || keep >= window.count()) {
            return;
        }
        long first = window.firstPosition();
        RingBatch old = window;
        window = null;
        lostBefore += reader.lost();
        reader.close();
        old.close();
        reader = ring.reader(cursor, options);
        if (reader.position() != first) {
            throw new IllegalStateException("cursor '" + cursor + "' of ring '" + ring.name() + "' moved from " + first
                    + " to " + reader.position() + " while it was detached: another reader used it");
        }
        if (keep > 0) {
            window = reader.leaseBatch(keep, timeout);
            if (window.count() != keep) {
                throw new IllegalStateException("ring '" + ring.name() + "' gave " + window.count() + " of the " + keep
                        + " frames it had lent just before");
            }
        } else {
            offset = 0;
        }
    }

    /**
     * Rows {@code [0, rows)} left, the whole frame each, as one zero-copy array of shape
     * {@code (rows, ring shape...)}, valid while the window is open.
     */
    INDArray view(int rows) {
        return Nd4jRings.view(ring, window, offset, rows);
    }

    /**
     * Copies bytes {@code [from, from + bytes)} of each of the first {@code rows} rows left to
     * {@code target}, one after another from byte {@code at} (the destination's rows are
     * {@code bytes} long). One copy per row, or a single one when whole frames are copied.
     */
    void copy(int rows, long from, long bytes, INDArray target, long at) {
        long capacity = target.length() * target.data().getElementSize();
        if (from < 0 || bytes < 0 || from + bytes > rowBytes || at < 0 || at + rows * bytes > capacity) {
            throw new IndexOutOfBoundsException("copying " + rows + " rows of bytes [" + from + ", " + (from + bytes)
                    + ") of ring '" + ring.name() + "' to bytes " + at + " of a " + capacity + "-byte array");
        }
        ArrowBuf slots = window.buffer();
        long source = slots.memoryAddress() + offset * rowBytes;
        long destination = target.data().addressPointer().address() + at;
        try {
            if (bytes == rowBytes) {
                MemoryUtil.copyMemory(source, destination, rows * rowBytes);
            } else {
                for (int r = 0; r < rows; r++) {
                    MemoryUtil.copyMemory(source + r * rowBytes + from, destination + r * bytes, bytes);
                }
            }
        } catch (InternalError e) {
            throw truncated(e);
        }
        window.valid(); // ends in the core's fault barrier: a fault of the copy above surfaces here
    }

    private SharedMemoryException truncated(InternalError e) {
        return new SharedMemoryException("cannot copy from ring '" + ring.name() + "': its file was truncated by"
                + " another process, so its slots are gone; recreate the ring", e);
    }

    /** The cursor's position: the next frame this reader would lease. */
    long cursorPosition() {
        return reader.position();
    }

    /** Frames the reader lost (overwritten before it read them) since this object attached. */
    long lost() {
        return lostBefore + reader.lost();
    }

    /**
     * Moves the cursor exactly past the rows handed out and detaches: rows leased but not handed
     * out stay in the ring for the cursor's next reader.
     */
    @Override
    public void close() {
        try {
            if (window != null && offset > 0 && !reader.isClosed()) { // a closed ring closed its readers too
                cut(0, Duration.ZERO);
            }
            releaseIfDone();
        } finally {
            RingBatch rest = window;
            window = null;
            reader.close(); // before the rest closes, so the cursor does not move past it
            if (rest != null) {
                rest.close();
            }
        }
    }
}

package io.arrowshm.flight;

import io.arrowshm.CursorInUseException;
import io.arrowshm.CursorInfo;
import io.arrowshm.CursorOptions;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingReader;
import io.arrowshm.SharedMemoryException;
import io.arrowshm.WaitStrategy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Which frames one ring {@code DoGet} sends, and the durable cursor it holds back.
 *
 * <p>A client's cursor (named in the ticket, or a fresh one for a plain ticket) is the one that
 * holds a {@code BLOCK} writer back and survives the call. With a window of {@code w > 0} frames
 * the frames are read by a second, non-blocking cursor of the server's own that runs ahead, and
 * the client's cursor is kept {@code w} frames behind the frames sent, so frames still in flight
 * when a client vanished are still in the ring (under BLOCK the client's cursor keeps the writer
 * off them) and a client that comes back with {@code "after": P} resumes at P + 1 exactly. A
 * frame the client will never get (overwritten, or outside the window) is counted in the next
 * row's {@code lost}.
 *
 * <p>The server's own cursors are named {@code ~flight:…}; one whose process died is dropped by
 * the next call that opens a feed on the ring. Used by one sender thread.
 */
final class RingFeed implements AutoCloseable {
    /** The prefix of the cursors a server makes for itself (fresh client cursors, read-ahead cursors). */
    static final String OWN_PREFIX = "~flight:";
    private static final WaitStrategy PARKING = WaitStrategy.of(0, 0, Duration.ofMillis(1));
    private static final Duration SKIP_WAIT = Duration.ofSeconds(1);
    /** How long an attach waits for a call of this server that still holds the cursor to end. */
    private static final long OWN_CALL_WAIT_NANOS = Duration.ofSeconds(2).toNanos();

    private final Ring ring;
    private final RingReader held;
    private final RingReader ahead;
    private final boolean dropHeld;
    private final long window;
    private final long slotSize;
    /** The position the client expects next: a row at a later one says how many it lost. */
    private long expected;
    /** A batch taken while moving the read-ahead cursor to its start that holds frames to send. */
    private RingBatch pending;
    private int pendingFrom;

    private RingFeed(Ring ring, RingReader held, RingReader ahead, boolean dropHeld, long window, long expected) {
        this.ring = ring;
        this.held = held;
        this.ahead = ahead;
        this.dropHeld = dropHeld;
        this.window = window;
        this.slotSize = ring.size();
        this.expected = expected;
    }

    /**
     * Attaches the cursors a ticket asks for and places the read-ahead cursor at the first frame to
     * send, batches of at most {@code maxRows}. Errors are Flight statuses: a cursor in use
     * ({@code ALREADY_EXISTS}), a position never written or a bad name ({@code INVALID_ARGUMENT}),
     * a full cursor table ({@code RESOURCE_EXHAUSTED}).
     */
    static RingFeed open(Ring ring, TicketRequest request, RingServeOptions options, int maxRows) {
        Long after = request.after();
        long written = ring.writePosition();
        if (after != null && after >= written) {
            throw CallStatus.INVALID_ARGUMENT.withDescription("ring '" + ring.name() + "' never held position " + after
                    + " (it has " + written + " positions); was it recreated? Resume without \"after\"")
                    .toRuntimeException();
        }
        dropDeadOwnCursors(ring);
        CursorOptions fresh = CursorOptions.defaults().grace(Duration.ZERO).waitStrategy(PARKING);
        if (request.latestOnly()) {
            RingReader reader = attach(ring, freshName(), fresh.blocking(false).start(CursorOptions.Start.LATEST));
            return new RingFeed(ring, reader, reader, true, 0, reader.position());
        }
        if (request.cursor() == null) {
            RingReader reader = attach(ring, freshName(), fresh);
            RingFeed feed = new RingFeed(ring, reader, reader, true, 0, after == null ? reader.position() : after + 1);
            return feed.startAt(reader, feed.expected, maxRows);
        }
        RingReader held = attach(ring, request.cursor(),
                CursorOptions.defaults().grace(options.cursorGrace()).waitStrategy(PARKING));
        try {
            // Without "after", the client gets what its cursor holds: the window again, then what follows.
            long start = after != null ? after + 1 : held.position() - held.lost();
            long window = options.windowFor(ring.capacity(), ring.size());
            if (window == 0) {
                return new RingFeed(ring, held, held, false, 0, start).startAt(held, start, maxRows);
            }
            String aheadName = OWN_PREFIX + "ahead:" + digest(request.cursor());
            dropQuietly(ring, aheadName);
            RingReader ahead = attach(ring, aheadName, fresh.blocking(false));
            return new RingFeed(ring, held, ahead, false, window, start).startAt(ahead, start, maxRows);
        } catch (RuntimeException | Error e) {
            held.close();
            throw e;
        }
    }

    /** Moves {@code reader} to {@code start}, keeping a batch it had to take that holds frames from there on. */
    private RingFeed startAt(RingReader reader, long start, int maxRows) {
        try {
            while (reader.position() < start) {
                RingBatch batch = reader.leaseBatch((int) Math.min(start - reader.position(), maxRows), SKIP_WAIT);
                long end = batch.firstPosition() + batch.count();
                if (end > start) {
                    // Lapped while moving: this batch already holds frames at or past the start; send those.
                    pending = batch;
                    pendingFrom = (int) Math.max(0, start - batch.firstPosition());
                    return this;
                }
                batch.close();
            }
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The ring being sent. */
    Ring ring() {
        return ring;
    }

    /**
     * Copies up to {@code maxRows} next frames to {@code values} (frame {@code i} at {@code i *
     * slotSize}), waiting at most {@code timeout} for the first, and fills the rows' facts;
     * returns how many (0 when the frames taken were overwritten while copied: the next row's
     * {@code lost} counts them).
     *
     * @throws io.arrowshm.StreamTimeoutException when no frame came in time
     */
    int next(ArrowBuf values, int maxRows, Duration timeout, long[] positions, long[] frameIds, long[] writeNanos,
             long[] lost) {
        int from = pending == null ? 0 : pendingFrom;
        RingBatch taken = pending != null ? pending : ahead.leaseBatch(maxRows, timeout);
        pending = null;
        try (RingBatch batch = taken) {
            int n = batch.count() - from;
            values.setBytes(0, batch.buffer(), from * slotSize, n * slotSize);
            if (!batch.valid()) {
                return 0;
            }
            long first = batch.firstPosition() + from;
            for (int i = 0; i < n; i++) {
                positions[i] = first + i;
                frameIds[i] = batch.frameId(from + i);
                writeNanos[i] = batch.writeTimeNanos(from + i);
                lost[i] = 0;
            }
            lost[0] = Math.max(0, first - expected);
            expected = first + n;
            return n;
        }
    }

    /** The client has been sent every frame below {@code next}: the durable cursor follows, a window behind. */
    void sent(long next) {
        if (held == ahead) {
            return; // leases moved it
        }
        long target = next - window;
        while (held.position() < target) {
            // Under BLOCK the frames are there (the read-ahead cursor had them); a lapped OVERWRITE cursor jumps on.
            try (RingBatch skipped = held.leaseBatch((int) Math.min(target - held.position(), Integer.MAX_VALUE),
                    SKIP_WAIT)) {
                // consumed: nothing to do with the frames
            }
        }
    }

    @Override
    public void close() {
        if (pending != null) {
            pending.close();
            pending = null;
        }
        if (ahead != held) {
            ahead.close();
            dropQuietly(ring, ahead.name());
        }
        held.close();
        if (dropHeld) {
            dropQuietly(ring, held.name());
        }
    }

    private static RingReader attach(Ring ring, String cursor, CursorOptions options) {
        long deadline = System.nanoTime() + OWN_CALL_WAIT_NANOS;
        try {
            while (true) {
                try {
                    return ring.reader(cursor, options);
                } catch (CursorInUseException e) {
                    // A client that reconnects at once after cancelling may find this server's previous call
                    // still holding its cursor for a moment (it ends within its next 100 ms wait).
                    if (e.pid() != ProcessHandle.current().pid() || System.nanoTime() - deadline > 0) {
                        throw e;
                    }
                    Thread.sleep(10);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CallStatus.UNAVAILABLE.withDescription("the server is shutting down").toRuntimeException();
        } catch (CursorInUseException e) {
            throw CallStatus.ALREADY_EXISTS.withDescription(e.getMessage() + "; one client reads a cursor at a time")
                    .toRuntimeException();
        } catch (IllegalArgumentException e) {
            throw CallStatus.INVALID_ARGUMENT.withDescription(e.getMessage()).toRuntimeException();
        } catch (SharedMemoryException e) {
            throw CallStatus.RESOURCE_EXHAUSTED.withDescription("cannot attach cursor '" + cursor + "': " + e.getMessage())
                    .toRuntimeException();
        }
    }

    /** Drops the server-made cursors of processes that died (a server killed mid-call leaves them). */
    private static void dropDeadOwnCursors(Ring ring) {
        for (CursorInfo cursor : ring.cursors()) {
            if (cursor.name().startsWith(OWN_PREFIX) && !cursor.live()) {
                dropQuietly(ring, cursor.name());
            }
        }
    }

    private static void dropQuietly(Ring ring, String cursor) {
        try {
            ring.dropCursor(cursor);
        } catch (CursorInUseException attachedAgain) {
            // another call attached it meanwhile: its cursor now
        }
    }

    private static String freshName() {
        return OWN_PREFIX + "fresh:" + ProcessHandle.current().pid() + ":"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt());
    }

    private static String digest(String cursor) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-1").digest(cursor.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }
}

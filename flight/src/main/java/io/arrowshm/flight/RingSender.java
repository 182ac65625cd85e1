package io.arrowshm.flight;

import io.arrowshm.Ring;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.StreamTimeoutException;
import io.arrowshm.tensors.FixedShapeTensorVector;
import io.arrowshm.tensors.RecordingSchema;
import io.arrowshm.tensors.RingRecordingSchema;
import io.arrowshm.tensors.RingRoots;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One {@code DoGet} on a ring: every frame its {@link RingFeed} yields, in position order, in
 * batches of up to {@code maxRows} rows ({@link RingFlights#schema}), on the server's own executor.
 *
 * <p>gRPC's flow control is the back-pressure: a batch is taken from the ring only when gRPC is
 * ready for more, so a client that reads slowly leaves its cursor behind, which under
 * {@code BLOCK} makes the writer wait and under {@code OVERWRITE} loses frames, counted in
 * {@code lost}. The call's memory is one batch being filled (its own allocator, bounded) and the
 * one gRPC holds. Every wait is bounded (100 ms), so a cancel, the server closing, or the ring
 * unlinked or recreated (checked at least every 500 ms) ends the call promptly.
 */
final class RingSender implements Runnable {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long LIVENESS_NANOS = Duration.ofMillis(500).toNanos();

    private final RingFeed feed;
    private final boolean latestOnly;
    private final OutboundCall call;
    private final BufferAllocator allocator;
    private final ServerCounters counters;
    private final BooleanSupplier closing;
    private final int maxRows;
    private final long slotSize;
    private final Runnable onEnd;
    private long lastLivenessCheck = System.nanoTime();

    /** Takes ownership of {@code feed} (and its ring) and {@code allocator}; runs {@code onEnd} when the call ends. */
    RingSender(RingFeed feed, boolean latestOnly, OutboundCall call, BufferAllocator allocator, int maxRows,
               ServerCounters counters, BooleanSupplier closing, Runnable onEnd) {
        this.feed = feed;
        this.latestOnly = latestOnly;
        this.call = call;
        this.allocator = allocator;
        this.maxRows = maxRows;
        this.counters = counters;
        this.closing = closing;
        this.slotSize = feed.ring().size();
        this.onEnd = onEnd;
    }

    /**
     * The bytes of frames in one batch, unless one frame is more: large enough to amortise a
     * message, small enough that a client's gRPC buffers hold few frames beyond whole messages.
     */
    static final long BATCH_BYTES = 4L << 20;

    /**
     * Rows per batch: two batches fit in {@code clientMemory}, a batch holds about
     * {@link #BATCH_BYTES} (at least one frame), at most 1024 rows; 0 when one frame alone does not fit.
     */
    static int rowsFor(long slotSize, long clientMemory) {
        long perRow = slotSize + 64; // the row's scalar columns, generously
        return (int) Math.min(Math.min(1024, Math.max(1, BATCH_BYTES / slotSize)), clientMemory / 2 / perRow);
    }

    @Override
    public void run() {
        counters.clientStarted();
        Ring ring = feed.ring();
        try (BufferAllocator owned = allocator;
             Ring handle = ring;
             RingFeed frames = feed;
             VectorSchemaRoot root = VectorSchemaRoot.create(RingFlights.schema(handle), owned);
             ArrowBuf values = owned.buffer(maxRows * slotSize)) {
            call.listener().start(root);
            Rows rows = new Rows(root, maxRows);
            if (latestOnly) {
                int n = handle.writePosition() == 0 ? 0 : frames.next(values, 1, Duration.ofSeconds(5), rows.positions,
                        rows.frameIds, rows.writeNanos, rows.lost);
                if (n > 0) {
                    send(root, rows, n, values);
                }
                call.listener().completed();
                return;
            }
            follow(handle, frames, root, rows, values);
        } catch (RuntimeException | Error e) {
            call.fail(e, "serving ring '" + ring.name() + "'");
        } finally {
            counters.clientEnded();
            onEnd.run();
        }
    }

    private void follow(Ring ring, RingFeed frames, VectorSchemaRoot root, Rows rows, ArrowBuf values) {
        while (true) {
            if (call.cancelled()) {
                return; // the client went away: nothing to tell it
            }
            if (closing.getAsBoolean()) {
                call.listener().error(CallStatus.UNAVAILABLE.withDescription("the server is shutting down")
                        .toRuntimeException());
                return;
            }
            if (System.nanoTime() - lastLivenessCheck > LIVENESS_NANOS) {
                lastLivenessCheck = System.nanoTime();
                if (!stillServed(ring)) {
                    call.listener().completed();
                    return;
                }
            }
            if (!call.listener().isReady()) {
                call.awaitReady();
                continue;
            }
            int n;
            try {
                n = frames.next(values, maxRows, POLL, rows.positions, rows.frameIds, rows.writeNanos, rows.lost);
            } catch (StreamTimeoutException idle) {
                continue;
            } catch (StreamInterruptedException e) {
                if (closing.getAsBoolean()) {
                    continue; // the loop's head ends the call with the reason
                }
                throw e;
            }
            if (n > 0) {
                send(root, rows, n, values);
                frames.sent(rows.positions[n - 1] + 1);
            }
        }
    }

    private void send(VectorSchemaRoot root, Rows rows, int n, ArrowBuf values) {
        // The root retains the slice; Flight copies the batch into gRPC's buffers within putNext, so the
        // next batch may be copied into the same buffer.
        RingRoots.loadTensor(rows.tensor, feed.ring().dtype(), values.slice(0, n * slotSize), n, allocator);
        for (int i = 0; i < n; i++) {
            rows.position.set(i, rows.positions[i]);
            rows.frameId.set(i, rows.frameIds[i]);
            rows.writeTime.set(i, rows.writeNanos[i]);
            rows.lostColumn.set(i, rows.lost[i]);
        }
        rows.position.setValueCount(n);
        rows.frameId.setValueCount(n);
        rows.writeTime.setValueCount(n);
        rows.lostColumn.setValueCount(n);
        root.setRowCount(n);
        call.listener().putNext();
        counters.sent(n, n * slotSize);
    }

    /** Whether the name still holds the generation this call serves (not unlinked, not recreated). */
    private static boolean stillServed(Ring ring) {
        try (Ring now = Ring.open(ring.name())) {
            return now.instanceId().equals(ring.instanceId());
        } catch (StreamNotFoundException e) {
            return false;
        } catch (RuntimeException e) {
            return false; // unreadable under the name: not the ring this call serves
        }
    }

    /** The root's columns and the facts of the batch being sent. */
    private static final class Rows {
        final FixedShapeTensorVector tensor;
        final UInt8Vector position;
        final UInt8Vector frameId;
        final TimeStampNanoTZVector writeTime;
        final UInt8Vector lostColumn;
        final long[] positions;
        final long[] frameIds;
        final long[] writeNanos;
        final long[] lost;

        Rows(VectorSchemaRoot root, int maxRows) {
            tensor = (FixedShapeTensorVector) root.getVector(RecordingSchema.TENSOR);
            position = (UInt8Vector) root.getVector(RingRecordingSchema.POSITION);
            frameId = (UInt8Vector) root.getVector(RecordingSchema.FRAME_ID);
            writeTime = (TimeStampNanoTZVector) root.getVector(RecordingSchema.WRITE_TIME);
            lostColumn = (UInt8Vector) root.getVector(RingFlights.LOST);
            for (var vector : new org.apache.arrow.vector.BaseFixedWidthVector[] {position, frameId, writeTime, lostColumn}) {
                vector.allocateNew(maxRows);
            }
            positions = new long[maxRows];
            frameIds = new long[maxRows];
            writeNanos = new long[maxRows];
            lost = new long[maxRows];
        }
    }
}

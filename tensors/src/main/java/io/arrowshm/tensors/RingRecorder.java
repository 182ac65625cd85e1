package io.arrowshm.tensors;

import io.arrowshm.CursorOptions;
import io.arrowshm.DType;
import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingBatch;
import io.arrowshm.RingReader;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Records a ring to an Arrow IPC file or stream through a named, durable cursor, in the
 * {@link RingRecordingSchema} (the recording columns and {@code position}). Under
 * {@link Overflow#BLOCK} the cursor holds the writer back, so nothing is missed however slow the
 * disk: the ring is the buffer, and the writer waits when it is full. The cursor moves past a
 * batch only once the batch is in the file, so a recorder stopped (or killed) and started again
 * with the same cursor name resumes, in a new file, at the first frame the old one lacks.
 *
 * <p>Under BLOCK a batch goes to the file straight from the ring's slots (a gather write, no copy),
 * since the cursor keeps the writer off them; under {@link Overflow#OVERWRITE}, or for a
 * non-blocking cursor, each batch is copied, checked whole, and written only if the writer did not
 * overwrite it meanwhile. Either way {@code missed} counts, on each row, the positions before it
 * that the recording lacks (lost to overwriting, or abandoned by a writer that died).
 *
 * <p>{@link #record()} runs on the calling thread until {@code maxFrames}, {@code maxDuration},
 * {@link #stop()} or an interrupt, and every way out finishes the file (footer, or end-of-stream
 * marker). Without a cursor name the recorder reads through a cursor of its own that it drops when
 * closed.
 *
 * <pre>{@code
 * try (Ring ring = Ring.open("frames");
 *      BufferAllocator allocator = new RootAllocator();
 *      RingRecorder recorder = RingRecorder.open(ring, "recorder", CursorOptions.defaults(),
 *              Path.of("frames.arrow"), RecordingOptions.defaults().maxFrames(100), allocator)) {
 *     RecordingStats stats = recorder.record();   // missed 0 under BLOCK
 * }
 * // python: pa.ipc.open_file("frames.arrow").read_all()["position"]
 * }</pre>
 */
public final class RingRecorder implements AutoCloseable {
    /** The longest one wait lasts, so that stop(), limits and progress are never held up for long. */
    private static final Duration SLICE = Duration.ofMillis(100);

    private final Ring ring;
    private final RingReader reader;
    private final boolean temporaryCursor;
    private final RecordingOptions options;
    private final TensorIpcWriter writer;
    private final BufferAllocator allocator;
    private final long slotSize;
    /** Whether the cursor keeps the writer off a leased batch, so it may be written from the slots themselves. */
    private final boolean slotsHeld;
    private volatile boolean stopRequested;
    private boolean used;
    private boolean closed;
    private volatile long frames;
    private volatile long missed;
    private volatile long batches;
    private volatile long fileBytes;
    private long startNanos;
    private long elapsedNanos;
    private boolean interrupted;

    private RingRecorder(Ring ring, RingReader reader, boolean temporaryCursor, RecordingOptions options,
                         TensorIpcWriter writer, BufferAllocator allocator, boolean blocking) {
        this.ring = ring;
        this.reader = reader;
        this.temporaryCursor = temporaryCursor;
        this.options = options;
        this.writer = writer;
        this.allocator = allocator;
        this.slotSize = ring.size();
        this.slotsHeld = ring.overflow() == Overflow.BLOCK && blocking;
        this.fileBytes = writer.bytesWritten();
    }

    /**
     * Attaches to {@code cursor} (created at {@code cursorOptions.start()} if new; null: a cursor of
     * the recorder's own, dropped on close), then creates (or truncates) {@code file} and writes the
     * schema. Nothing is read until {@link #record()}.
     *
     * @throws io.arrowshm.CursorInUseException when another reader holds the cursor (the file is not touched)
     * @throws UncheckedIOException when the file cannot be written
     */
    public static RingRecorder open(Ring ring, String cursor, CursorOptions cursorOptions, Path file,
                                    RecordingOptions options, BufferAllocator allocator) {
        boolean temporary = cursor == null;
        String name = temporary ? "record-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt()) : cursor;
        RingReader reader = ring.reader(name, cursorOptions);
        try {
            DType dtype = ring.dtype();
            long elements = 1;
            for (long dim : ArrowTensorTypes.tensorShape(dtype, ring.shape())) {
                elements *= dim;
            }
            TensorIpcWriter writer = new TensorIpcWriter(file, options.format(), options.compression(),
                    RingRecordingSchema.of(ring), dtype, ring.size(), Math.toIntExact(elements), allocator);
            return new RingRecorder(ring, reader, temporary, options, writer, allocator, cursorOptions.blocking());
        } catch (IOException e) {
            release(ring, reader, temporary);
            throw new UncheckedIOException("cannot write " + file + ": " + StreamRecorder.reason(file, e), e);
        } catch (RuntimeException | Error e) {
            release(ring, reader, temporary);
            throw e;
        }
    }

    /** The cursor's name. */
    public String cursor() {
        return reader.name();
    }

    /** The next position the recorder records: every position below it is in the file or was missed. */
    public long position() {
        return reader.position();
    }

    /** Records until a limit, {@link #stop()} or an interrupt, then finishes the file; returns the totals. */
    public RecordingStats record() {
        if (used) {
            throw new IllegalStateException("a recorder records once; open another one");
        }
        used = true;
        startNanos = System.nanoTime();
        long end = options.maxDuration() == null ? Long.MAX_VALUE
                : startNanos + Math.min(options.maxDuration().toNanos(), Long.MAX_VALUE / 4);
        long nextProgress = startNanos + options.progressInterval().toNanos();
        // The positions the recording should hold start where the cursor was, before any frames it lost while away.
        long expected = reader.position() - reader.lost();
        boolean first = true;
        try {
            while (!stopRequested && frames < options.maxFrames() && System.nanoTime() - end < 0) {
                if (Thread.currentThread().isInterrupted()) {
                    interrupted = true;
                    break;
                }
                int want = (int) Math.min(options.batchRows(), options.maxFrames() - frames);
                RingBatch batch = null;
                try {
                    batch = reader.leaseBatch(want, SLICE);
                } catch (StreamTimeoutException quiet) {
                    // nothing new in this slice: check the limits and wait again
                } catch (StreamInterruptedException e) {
                    interrupted = true;
                    break;
                }
                if (batch != null) {
                    // The cursor's first position can be reused by a write that began before the attach (ring-format
                    // §6.1): the first batch is copied and checked, like every batch the cursor does not protect.
                    expected = write(batch, expected, slotsHeld && !first);
                    first = false;
                }
                if (options.progress() != null && System.nanoTime() - nextProgress >= 0) {
                    options.progress().accept(stats());
                    nextProgress = System.nanoTime() + options.progressInterval().toNanos();
                }
            }
        } finally {
            try {
                writer.finish();
                fileBytes = writer.bytesWritten();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot finish the recording of ring '" + ring.name() + "': "
                        + e.getMessage(), e);
            } finally {
                elapsedNanos = System.nanoTime() - startNanos;
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        RecordingStats stats = stats();
        if (options.progress() != null) {
            options.progress().accept(stats);
        }
        return stats;
    }

    /** Writes the batch (from its slots, or from a checked copy), then releases it; returns the next expected position. */
    private long write(RingBatch batch, long expected, boolean fromSlots) {
        int n = batch.count();
        long first = batch.firstPosition();
        ArrowBuf copy = null;
        try (batch) {
            ArrowBuf values = batch.buffer();
            if (!fromSlots) {
                copy = allocator.buffer(n * slotSize);
                copy.setBytes(0, values, 0, n * slotSize);
                if (!batch.valid()) {
                    return expected; // overwritten while copied: those positions count as missed on the next row
                }
                values = copy;
            }
            List<ArrowBuf> rows = new ArrayList<>(n);
            long[] positions = new long[n];
            long[] counts = new long[n];
            long[] frameIds = new long[n];
            long[] writeTimes = new long[n];
            long[] gaps = new long[n];
            for (int i = 0; i < n; i++) {
                rows.add(values.slice(i * slotSize, slotSize));
                positions[i] = first + i;
                counts[i] = first + i + 1;
                frameIds[i] = batch.frameId(i);
                writeTimes[i] = batch.writeTimeNanos(i);
            }
            gaps[0] = Math.max(0, first - expected);
            writer.writeBatch(rows, positions, counts, frameIds, writeTimes, gaps);
            frames += n;
            missed += gaps[0];
            batches++;
            fileBytes = writer.bytesWritten();
            return first + n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the recording of ring '" + ring.name() + "': "
                    + e.getMessage(), e);
        } finally {
            if (copy != null) {
                copy.close();
            }
        }
    }

    /** Asks a running {@link #record()} to finish (within about 100 ms); safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    /** The totals so far. */
    public RecordingStats stats() {
        long elapsed = used && elapsedNanos == 0 ? System.nanoTime() - startNanos : elapsedNanos;
        return new RecordingStats(frames, missed, frames * slotSize, batches, fileBytes, elapsed, interrupted);
    }

    /**
     * Finishes the file if {@link #record()} never ran, detaches from the cursor (which keeps its
     * position) and drops it if it was the recorder's own; closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!used) {
                writer.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            release(ring, reader, temporaryCursor);
        }
    }

    private static void release(Ring ring, RingReader reader, boolean temporary) {
        String name = reader.name();
        reader.close();
        if (temporary) {
            try {
                ring.dropCursor(name);
            } catch (RuntimeException stillHeld) {
                // Another process attached to it (it would have to guess the name): its cursor now.
            }
        }
    }
}

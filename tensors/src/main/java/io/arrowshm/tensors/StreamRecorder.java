package io.arrowshm.tensors;

import io.arrowshm.DType;
import io.arrowshm.Publication;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Records every publication it observes on a stream to an Arrow IPC file or stream, in the
 * {@link RecordingSchema}: waits for each new publication (parking on the futex where the stream
 * has notify, polling otherwise), snapshots it with {@code readPublication()}, and writes batches
 * of rows straight from those snapshots (no second copy). Publications that came and went while
 * it was busy are counted in each row's {@code missed}.
 *
 * <p>{@link #record()} runs on the calling thread until {@code maxFrames}, {@code maxDuration},
 * {@link #stop()} from another thread, or an interrupt; every way out writes the pending rows and
 * the file's footer (or the stream's end marker), so the file is always readable. The interrupt
 * status is kept for the caller.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.open("frames", OpenOptions.readOnly());
 *      BufferAllocator allocator = new RootAllocator();
 *      StreamRecorder recorder = StreamRecorder.open(shm, Path.of("frames.arrow"),
 *              RecordingOptions.defaults().maxFrames(100), allocator)) {
 *     RecordingStats stats = recorder.record();
 * }
 * // python: pa.ipc.open_file("frames.arrow").read_all()["tensor"].combine_chunks().to_numpy_ndarray()
 * }</pre>
 */
public final class StreamRecorder implements AutoCloseable {
    /** The longest one wait lasts, so that stop(), limits and progress are never held up for long. */
    private static final long SLICE_NANOS = 100_000_000L;

    private final SharedMemory shm;
    private final RecordingOptions options;
    private final TensorIpcWriter writer;
    private final long rowBytes;
    private volatile boolean stopRequested;
    private boolean used;

    /** The count when the recorder was opened: publications after it are recorded. */
    private final long startCount;
    private volatile long frames;
    private volatile long missed;
    private volatile BatchWriterThread background;
    private long startNanos;
    private long elapsedNanos;
    private boolean interrupted;

    private StreamRecorder(SharedMemory shm, RecordingOptions options, TensorIpcWriter writer) {
        this.shm = shm;
        this.options = options;
        this.writer = writer;
        this.rowBytes = shm.size();
        this.startCount = shm.count();
    }

    /**
     * Creates (or truncates) {@code file} and writes the schema; nothing is read until {@link #record()}.
     *
     * @throws UncheckedIOException when the file cannot be written
     */
    public static StreamRecorder open(SharedMemory shm, Path file, RecordingOptions options, BufferAllocator allocator) {
        DType dtype = shm.dtype();
        long[] shape = shm.shape();
        long elements = 1;
        for (long dim : ArrowTensorTypes.tensorShape(dtype, shape)) {
            elements *= dim;
        }
        try {
            TensorIpcWriter writer = new TensorIpcWriter(file, options.format(), options.compression(),
                    RecordingSchema.of(shm.name(), dtype, shape), dtype, shm.size(), Math.toIntExact(elements), allocator);
            return new StreamRecorder(shm, options, writer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + reason(file, e), e);
        }
    }

    /** Why {@code file} cannot be written, in words: the JDK's exceptions name the file and hide the reason. */
    static String reason(Path file, IOException e) {
        Path parent = file.toAbsolutePath().getParent();
        if (e instanceof java.nio.file.NoSuchFileException && parent != null && !java.nio.file.Files.isDirectory(parent)) {
            return "no such directory " + parent;
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null) {
            return ((java.nio.file.FileSystemException) e).getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getMessage();
    }

    /** Records until a limit, {@link #stop()} or an interrupt, then closes the file; returns the totals. */
    public RecordingStats record() {
        if (used) {
            throw new IllegalStateException("a recorder records once; open another one");
        }
        used = true;
        startNanos = System.nanoTime();
        long end = options.maxDuration() == null ? Long.MAX_VALUE
                : startNanos + Math.min(options.maxDuration().toNanos(), Long.MAX_VALUE / 4);
        long nextProgress = startNanos + options.progressInterval().toNanos();
        List<Publication> pending = new ArrayList<>(options.batchRows());
        long[] pendingMissed = new long[options.batchRows()];
        long after = startCount;
        background = new BatchWriterThread(writer, shm.name(), options.batchRows() * rowBytes);
        try {
            while (!stopRequested && frames < options.maxFrames() && System.nanoTime() - end < 0) {
                if (Thread.currentThread().isInterrupted()) {
                    interrupted = true;
                    break;
                }
                long now = System.nanoTime();
                long wait = Math.max(1, Math.min(SLICE_NANOS, end - now));
                try {
                    Publication publication = shm.readAfterPublication(after, Duration.ofNanos(wait));
                    pending.add(publication);
                    // Counted here rather than from the handle's cursor, which other reads on it would move.
                    pendingMissed[pending.size() - 1] = publication.count() - after - 1;
                    missed += pendingMissed[pending.size() - 1];
                    after = publication.count();
                    frames++;
                } catch (StreamTimeoutException quiet) {
                    // nothing new in this slice: check the limits and wait again
                } catch (StreamInterruptedException e) {
                    interrupted = true;
                    break;
                }
                if (pending.size() == options.batchRows()) {
                    submit(pending, pendingMissed);
                }
                if (options.progress() != null && System.nanoTime() - nextProgress >= 0) {
                    options.progress().accept(stats());
                    nextProgress = System.nanoTime() + options.progressInterval().toNanos();
                }
            }
        } finally {
            // Every way out (limits, stop, interrupt, a failed read) writes what was read and finishes the file.
            try {
                submit(pending, pendingMissed);
            } finally {
                background.finish();
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

    /** Asks a running {@link #record()} to finish (within about 100 ms); safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    /** The totals so far. */
    public RecordingStats stats() {
        long elapsed = used && elapsedNanos == 0 ? System.nanoTime() - startNanos : elapsedNanos;
        BatchWriterThread running = background;
        return new RecordingStats(frames, missed, frames * rowBytes, running == null ? 0 : running.batches(),
                running == null ? writer.bytesWritten() : running.bytesWritten(), elapsed, interrupted);
    }

    /** Finishes the file if {@link #record()} never ran; closing twice is harmless. */
    @Override
    public void close() {
        if (background != null) {
            return; // record() finished the file on its way out
        }
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void submit(List<Publication> pending, long[] pendingMissed) {
        if (!pending.isEmpty()) {
            background.submit(new BatchWriterThread.Batch(List.copyOf(pending),
                    java.util.Arrays.copyOf(pendingMissed, pending.size())));
            pending.clear();
        }
    }
}

package io.arrowshm.tensors;

import io.arrowshm.CreateOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamNotFoundException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Publishes the rows of an Arrow IPC file or stream with a {@code arrow.fixed_shape_tensor}
 * column (ours or pyarrow's) into a stream, one publication per row, keeping each row's
 * {@code frame_id} (the row number when the file has none). The stream is created with the
 * file's dtype and shape (with notify on) or, when it exists, checked against them; the file is
 * checked whole before the stream is touched, so bad input leaves the stream as it was.
 *
 * <p>Rows go out at the original pace ({@code write_time} deltas), at a fixed rate, or as fast as
 * possible, optionally in a loop; {@link #stop()} or an interrupt ends it promptly (the interrupt
 * status is kept). Prefer {@code stop()}: an interrupt that lands while Arrow Java reads a batch
 * closes the file's channel (NIO), and Arrow's reader then leaks that batch's body buffer in the
 * allocator. A tensor with a {@code permutation} is published as stored: the stream's shape
 * is the {@code shape} field ({@link FixedShapeTensorType#physicalShape()}), not the permuted
 * logical shape; null rows are skipped.
 *
 * <pre>{@code
 * try (BufferAllocator allocator = new RootAllocator()) {
 *     ReplayStats stats = StreamReplayer.replay(Path.of("frames.arrow"), "frames", ReplayOptions.fast(), allocator);
 * }
 * }</pre>
 */
public final class StreamReplayer {
    private final Path file;
    private final String streamName;
    private final ReplayOptions options;
    private final BufferAllocator allocator;
    private volatile boolean stopRequested;

    public StreamReplayer(Path file, String streamName, ReplayOptions options, BufferAllocator allocator) {
        this.file = file;
        this.streamName = streamName;
        this.options = options;
        this.allocator = allocator;
    }

    /** {@code new StreamReplayer(file, stream, options, allocator).run()}. */
    public static ReplayStats replay(Path file, String streamName, ReplayOptions options, BufferAllocator allocator) {
        return new StreamReplayer(file, streamName, options, allocator).run();
    }

    /** Asks a running {@link #run()} to return (after the row being published); safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Replays until the end of the file (or, looping, until stopped or interrupted). Each pass
     * opens the file again and checks all of it (every batch read and decoded, see
     * {@link TensorFileReader#checkAllBatches()}) before its first row is published, so a file
     * replaced or damaged between two passes is refused rather than published. The stream is
     * created only once the first pass's check passed; if the replay then fails during that
     * pass, the stream it created is unlinked.
     *
     * @throws TensorFileException for input that cannot be replayed into the stream (nothing of
     *     the failing pass published)
     */
    public ReplayStats run() {
        long start = System.nanoTime();
        Progress progress = new Progress(start);
        Pacer pacer = new Pacer(options.pace(), options.rateHz());
        SharedMemory shm = null;
        ArrowBuf row = null;
        boolean created = false;
        boolean interrupted = false;
        boolean failed = true;
        ArrowTensorTypes.StreamLayout layout = null;
        TensorFileReader reader = null;
        try {
            outer:
            while (true) {
                reader = TensorFileReader.open(file, allocator, options.limits());
                if (options.pace() == ReplayOptions.Pace.ORIGINAL && !reader.hasWriteTime()) {
                    throw new TensorFileException(file + ": no write_time column to replay at the original pace;"
                            + " give a rate or replay as fast as possible");
                }
                if (layout != null && !sameLayout(layout, reader.layout())) {
                    throw new TensorFileException(file + " now holds " + reader.layout() + " but stream '" + streamName
                            + "' is " + layout + " (the file changed between two --loop passes); nothing of it was"
                            + " published");
                }
                layout = reader.layout();
                reader.checkAllBatches();
                if (shm == null) {
                    try {
                        SharedMemory existing = SharedMemory.open(streamName);
                        checkMatches(existing, layout);
                        shm = existing;
                    } catch (StreamNotFoundException missing) {
                        shm = SharedMemory.create(streamName, CreateOptions.of(layout.dtype(), layout.shape()).notify(true));
                        created = true;
                    }
                    row = allocator.buffer(Math.max(1, shm.size()));
                }
                pacer.restart();
                long index = 0;
                while (reader.loadNextBatch()) {
                    for (int i = 0; i < reader.rowCount(); i++, index++) {
                        if (stopRequested) {
                            break outer;
                        }
                        if (reader.isNull(i)) {
                            progress.skipped++;
                            continue;
                        }
                        pacer.awaitDue(reader.hasWriteTime() ? reader.writeTimeNanos(i) : 0);
                        long frameId = reader.frameId(i, index);
                        if (layout.dtype() == io.arrowshm.DType.BOOL) {
                            reader.copyRow(i, row);
                            shm.write(row, frameId);
                        } else {
                            shm.write(reader.rowBytes(i), frameId);
                        }
                        progress.published(shm.size());
                    }
                }
                progress.passes++;
                reader.close();
                reader = null;
                if (!options.loop() || stopRequested) {
                    break;
                }
            }
            failed = false;
            ReplayStats stats = progress.stats(false);
            if (options.progress() != null) {
                options.progress().accept(stats);
            }
            return stats;
        } catch (TensorFileException e) {
            if (!Thread.currentThread().isInterrupted()) {
                throw e;
            }
            // An interrupt closed the file's channel under a read (NIO does that): it is the interrupt.
            interrupted = true;
            failed = false;
            return progress.stats(true);
        } catch (InterruptedException | StreamInterruptedException e) {
            interrupted = true;
            failed = false;
            return progress.stats(true);
        } finally {
            if (reader != null) {
                reader.close();
            }
            if (row != null) {
                row.close();
            }
            if (shm != null) {
                Optional<String> instance = shm.instanceId();
                shm.close();
                if (failed && created && progress.passes == 0) {
                    unlinkIfStill(instance);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Frames and skipped rows so far, and the progress callback's clock. */
    private final class Progress {
        final long start;
        long frames;
        long skipped;
        long passes;
        long bytes;
        long next;

        Progress(long start) {
            this.start = start;
            this.next = start + options.progressInterval().toNanos();
        }

        void published(long frameBytes) {
            frames++;
            bytes += frameBytes;
            if (options.progress() != null && System.nanoTime() - next >= 0) {
                options.progress().accept(stats(false));
                next = System.nanoTime() + options.progressInterval().toNanos();
            }
        }

        ReplayStats stats(boolean interrupted) {
            return new ReplayStats(frames, skipped, bytes, passes, System.nanoTime() - start, interrupted);
        }
    }

    /** Unlinks the stream this replay created, unless someone recreated the name meanwhile. */
    private void unlinkIfStill(Optional<String> instanceId) {
        try {
            if (SharedMemory.stat(streamName).instanceId().equals(instanceId)) {
                SharedMemory.unlink(streamName);
            }
        } catch (RuntimeException gone) {
            // already unlinked, or no longer ours: nothing to undo
        }
    }

    private static boolean sameLayout(ArrowTensorTypes.StreamLayout a, ArrowTensorTypes.StreamLayout b) {
        return a.dtype() == b.dtype() && Arrays.equals(a.shape(), b.shape());
    }

    private void checkMatches(SharedMemory shm, ArrowTensorTypes.StreamLayout layout) {
        if (shm.dtype() != layout.dtype() || !Arrays.equals(shm.shape(), layout.shape())) {
            String has = shm.dtype().numpyName() + " " + Arrays.toString(shm.shape());
            shm.close();
            throw new TensorFileException("stream '" + streamName + "' is " + has + " but " + file + " holds "
                    + layout + "; replay into a new stream name or unlink it first");
        }
    }
}

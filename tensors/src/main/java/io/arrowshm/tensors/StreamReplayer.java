package io.arrowshm.tensors;

import io.arrowshm.CreateOptions;
import io.arrowshm.SharedMemory;
import io.arrowshm.StreamInterruptedException;
import io.arrowshm.StreamNotFoundException;
import java.nio.file.Path;
import java.util.Arrays;
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
     * Replays until the end of the file (or, looping, until stopped or interrupted).
     *
     * @throws TensorFileException for input that cannot be replayed into the stream (nothing published)
     */
    public ReplayStats run() {
        long start = System.nanoTime();
        long frames = 0;
        long skipped = 0;
        long passes = 0;
        boolean interrupted = false;
        Pacer pacer = new Pacer(options.pace(), options.rateHz());
        long nextProgress = start + options.progressInterval().toNanos();
        TensorFileReader reader = TensorFileReader.open(file, allocator);
        try {
            if (options.pace() == ReplayOptions.Pace.ORIGINAL && !reader.hasWriteTime()) {
                throw new TensorFileException(file + ": no write_time column to replay at the original pace;"
                        + " give a rate or replay as fast as possible");
            }
            ArrowTensorTypes.StreamLayout layout = reader.layout();
            try (SharedMemory shm = openOrCreate(layout);
                 ArrowBuf row = allocator.buffer(Math.max(1, shm.size()))) {
                outer:
                while (true) {
                    pacer.restart();
                    long index = 0;
                    while (reader.loadNextBatch()) {
                        for (int i = 0; i < reader.rowCount(); i++, index++) {
                            if (stopRequested) {
                                break outer;
                            }
                            if (reader.isNull(i)) {
                                skipped++;
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
                            frames++;
                            if (options.progress() != null && System.nanoTime() - nextProgress >= 0) {
                                options.progress().accept(new ReplayStats(frames, skipped, frames * shm.size(),
                                        passes, System.nanoTime() - start, false));
                                nextProgress = System.nanoTime() + options.progressInterval().toNanos();
                            }
                        }
                    }
                    passes++;
                    if (!options.loop() || stopRequested) {
                        break;
                    }
                    reader.close();
                    reader = TensorFileReader.open(file, allocator);
                }
                ReplayStats stats = new ReplayStats(frames, skipped, frames * shm.size(), passes,
                        System.nanoTime() - start, false);
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
                return new ReplayStats(frames, skipped, frames * reader.layout().dtype().itemSize()
                        * product(reader.layout().shape()), passes, System.nanoTime() - start, true);
            } catch (InterruptedException | StreamInterruptedException e) {
                interrupted = true;
                return new ReplayStats(frames, skipped, frames * reader.layout().dtype().itemSize()
                        * product(reader.layout().shape()), passes, System.nanoTime() - start, true);
            }
        } finally {
            reader.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private SharedMemory openOrCreate(ArrowTensorTypes.StreamLayout layout) {
        try {
            SharedMemory shm = SharedMemory.open(streamName);
            if (shm.dtype() != layout.dtype() || !Arrays.equals(shm.shape(), layout.shape())) {
                String has = shm.dtype().numpyName() + " " + Arrays.toString(shm.shape());
                shm.close();
                throw new TensorFileException("stream '" + streamName + "' is " + has + " but " + file + " holds "
                        + layout + "; replay into a new stream name or unlink it first");
            }
            return shm;
        } catch (StreamNotFoundException missing) {
            return SharedMemory.create(streamName, CreateOptions.of(layout.dtype(), layout.shape()).notify(true));
        }
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long dim : shape) {
            n *= dim;
        }
        return n;
    }
}

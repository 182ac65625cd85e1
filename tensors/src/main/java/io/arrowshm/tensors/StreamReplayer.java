package io.arrowshm.tensors;

import io.arrowshm.CreateOptions;
import io.arrowshm.SharedMemory;
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
        return new FileReplay(file, options, allocator, () -> stopRequested, "stream '" + streamName + "'", this::open)
                .run();
    }

    /** The stream, checked against the file's layout, or made with it. */
    private FileReplay.Target open(ArrowTensorTypes.StreamLayout layout, TensorFileReader reader) {
        SharedMemory shm;
        boolean created = false;
        try {
            shm = SharedMemory.open(streamName);
            checkMatches(shm, layout);
        } catch (StreamNotFoundException missing) {
            shm = SharedMemory.create(streamName, CreateOptions.of(layout.dtype(), layout.shape()).notify(true));
            created = true;
        }
        SharedMemory stream = shm;
        boolean made = created;
        return new FileReplay.Target() {
            @Override
            public long frameBytes() {
                return stream.size();
            }

            @Override
            public boolean write(ArrowBuf row, long frameId) {
                stream.write(row, frameId);
                return true;
            }

            @Override
            public void close(boolean undo) {
                Optional<String> instance = stream.instanceId();
                stream.close();
                if (undo && made) {
                    unlinkIfStill(instance);
                }
            }
        };
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

    private void checkMatches(SharedMemory shm, ArrowTensorTypes.StreamLayout layout) {
        if (shm.dtype() != layout.dtype() || !Arrays.equals(shm.shape(), layout.shape())) {
            String has = shm.dtype().numpyName() + " " + Arrays.toString(shm.shape());
            shm.close();
            throw new TensorFileException("stream '" + streamName + "' is " + has + " but " + file + " holds "
                    + layout + "; replay into a new stream name or unlink it first");
        }
    }
}

package io.arrowshm.tensors;

import io.arrowshm.Overflow;
import io.arrowshm.Ring;
import io.arrowshm.RingOptions;
import io.arrowshm.RingWriter;
import io.arrowshm.StreamExistsException;
import io.arrowshm.StreamNotFoundException;
import io.arrowshm.StreamTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Writes the rows of an Arrow IPC file or stream with an {@code arrow.fixed_shape_tensor} column
 * (a ring's or a stream's recording, or pyarrow's) into a ring, one position per row, in the
 * file's order and with each row's {@code frame_id} (the row number when the file has none). A
 * ring that does not exist is created with the file's dtype and shape, and the capacity and
 * overflow policy of the recorded ring (from the schema metadata), or those given by
 * {@link #creating}; an existing ring must have the file's dtype and shape, or nothing is written.
 * As for {@link StreamReplayer}, each pass checks the whole file before its first row, and a ring
 * the replay made is removed again if the first pass fails.
 *
 * <p>It holds the ring's writer lease while it runs, so it is the ring's only writer. Under
 * {@link Overflow#BLOCK} it waits for the slowest reader (the ring's back-pressure), checking
 * {@link #stop()} every 100 ms; pace, loop and progress are {@link ReplayOptions}' as for
 * {@link StreamReplayer}.
 *
 * <pre>{@code
 * try (BufferAllocator allocator = new RootAllocator()) {
 *     ReplayStats stats = new RingReplayer(Path.of("frames.arrow"), "frames-again", ReplayOptions.fast(), allocator)
 *             .creating(64, Overflow.BLOCK)     // when the file does not say, and the ring is new
 *             .run();
 * }
 * }</pre>
 */
public final class RingReplayer {
    private static final Duration SLICE = Duration.ofMillis(100);

    private final Path file;
    private final String ringName;
    private final ReplayOptions options;
    private final BufferAllocator allocator;
    private volatile boolean stopRequested;
    private long capacity;
    private Overflow overflow;

    public RingReplayer(Path file, String ringName, ReplayOptions options, BufferAllocator allocator) {
        this.file = file;
        this.ringName = ringName;
        this.options = options;
        this.allocator = allocator;
    }

    /**
     * The capacity and policy of a ring this replay creates, over what the file's metadata says
     * (0 or null: the file's, else {@link RingOptions#DEFAULT_CAPACITY} and BLOCK).
     */
    public RingReplayer creating(long ringCapacity, Overflow policy) {
        if (ringCapacity < 0) {
            throw new IllegalArgumentException("capacity must be positive (or 0 for the file's), got " + ringCapacity);
        }
        this.capacity = ringCapacity;
        this.overflow = policy;
        return this;
    }

    /** Asks a running {@link #run()} to return (within about 100 ms); safe from any thread. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Replays until the end of the file (or, looping, until stopped or interrupted).
     *
     * @throws TensorFileException for input that cannot be replayed into the ring (nothing written)
     * @throws io.arrowshm.StreamTimeoutException when another writer holds the ring for more than 5 s
     */
    public ReplayStats run() {
        return new FileReplay(file, options, allocator, () -> stopRequested, "ring '" + ringName + "'", this::open).run();
    }

    private FileReplay.Target open(ArrowTensorTypes.StreamLayout layout, TensorFileReader reader) {
        boolean[] created = new boolean[1];
        Ring ring = openOrCreate(layout, reader, created);
        try {
            if (ring.dtype() != layout.dtype() || !Arrays.equals(ring.shape(), layout.shape())) {
                throw new TensorFileException("ring '" + ringName + "' is " + ring.dtype().numpyName() + " "
                        + Arrays.toString(ring.shape()) + " but " + file + " holds " + layout
                        + "; replay into a new ring name or unlink it first");
            }
            RingWriter writer = ring.writer();
            return new FileReplay.Target() {
                @Override
                public long frameBytes() {
                    return ring.size();
                }

                @Override
                public boolean write(ArrowBuf row, long frameId) {
                    while (!stopRequested) {
                        try {
                            writer.write(row, frameId, SLICE);
                            return true;
                        } catch (StreamTimeoutException full) {
                            // the slowest reader is a whole ring behind: wait on, unless stopped
                        }
                    }
                    return false;
                }

                @Override
                public void close(boolean undo) {
                    try {
                        writer.close();
                        if (undo && created[0]) {
                            ring.unlink(); // this generation only: a ring made under the name since stays
                        }
                    } catch (RuntimeException replaced) {
                        // already unlinked, or no longer ours: nothing to undo
                    } finally {
                        ring.close();
                    }
                }
            };
        } catch (RuntimeException | Error e) {
            ring.close();
            if (created[0]) {
                Ring.unlink(ringName);
            }
            throw e;
        }
    }

    private Ring openOrCreate(ArrowTensorTypes.StreamLayout layout, TensorFileReader reader, boolean[] created) {
        try {
            return Ring.open(ringName);
        } catch (StreamNotFoundException missing) {
            long slots;
            Overflow policy;
            try {
                slots = capacity > 0 ? capacity
                        : RingRecordingSchema.capacity(reader.schema()).orElse((long) RingOptions.DEFAULT_CAPACITY);
                policy = overflow != null ? overflow : RingRecordingSchema.overflow(reader.schema()).orElse(Overflow.BLOCK);
            } catch (IllegalArgumentException e) {
                throw new TensorFileException(file + ": " + e.getMessage());
            }
            try {
                Ring made = Ring.create(ringName, RingOptions.of(layout.dtype(), layout.shape()).capacity(slots)
                        .overflow(policy));
                created[0] = true;
                return made;
            } catch (StreamExistsException raced) {
                return Ring.open(ringName);
            }
        }
    }
}

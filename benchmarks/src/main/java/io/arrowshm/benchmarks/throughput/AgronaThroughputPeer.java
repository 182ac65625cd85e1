package io.arrowshm.benchmarks.throughput;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * One side of the Agrona anchor, in its own JVM: Agrona's {@link OneToOneRingBuffer} over a
 * shared file in /dev/shm (the stage creates it, {@link #fileBytes} long), the writer putting
 * each frame in with {@code write}, the reader taking it with {@code read(handler)} and copying
 * it out (as our {@code readInto} does), so both sides move the same bytes the same number of
 * times. Arguments: {@code reader FILE FRAME} or {@code writer FILE FRAME WARMUP_NS WARMUP_FRAMES
 * MEASURE_NS MIN_FRAMES}. Both idle like arrow-shm's default wait strategy: 2,000 spins, 50
 * yields, then parks (1 µs, doubling to 1 ms; Agrona has no cross-process wake-up).
 */
public final class AgronaThroughputPeer {
    /** Agrona's UnsafeApi reaches {@code jdk.internal.misc.Unsafe} (Agrona 2.x's change log asks for this flag). */
    public static final List<String> JVM_FLAGS = List.of("--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED");
    private static final int MESSAGE_TYPE = 1;

    private AgronaThroughputPeer() {
    }

    /**
     * The ring buffer's data capacity: a power of two, about the bytes of the ring's slots, and at
     * least 8 frames (Agrona's largest message is an eighth of it).
     */
    public static int capacity(FrameSize size) {
        long wanted = Math.max((long) size.slots() * size.bytes(), 8L * (size.bytes() + 8));
        return Math.toIntExact(Long.highestOneBit(wanted - 1) << 1);
    }

    /** The shared file's length: the data capacity and Agrona's trailer of counters. */
    public static long fileBytes(FrameSize size) {
        return capacity(size) + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH;
    }

    public static void main(String[] args) throws IOException {
        FrameSize size = FrameSize.of(args[2]);
        OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(map(Path.of(args[1]), fileBytes(size))));
        IdleStrategy idle = new BackoffIdleStrategy(2_000, 50, 1_000, 1_000_000);
        if (args[0].equals("reader")) {
            ByteBuffer target = Traffic.frame(size);
            UnsafeBuffer into = new UnsafeBuffer(target);
            MessageHandler copyOut = (type, source, index, length) -> source.getBytes(index, into, 0, length);
            Traffic.ready();
            Traffic.report(Traffic.read(t -> {
                while (ring.read(copyOut, 1) == 0) {
                    idle.idle();
                }
                idle.reset();
                return -1;
            }, target));
        } else {
            ByteBuffer frame = Traffic.frame(size);
            UnsafeBuffer from = new UnsafeBuffer(frame);
            int bytes = size.bytes();
            Traffic.report(Traffic.write(f -> {
                while (!ring.write(MESSAGE_TYPE, from, 0, bytes)) {
                    idle.idle();
                }
                idle.reset();
            }, frame, Traffic.Plan.parse(args, 3)));
        }
    }

    private static MappedByteBuffer map(Path file, long bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            // The mapping outlives the channel, as mmap outlives its descriptor; it lasts this process's life.
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        }
    }
}

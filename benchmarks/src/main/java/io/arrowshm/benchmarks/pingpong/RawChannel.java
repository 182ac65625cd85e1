package io.arrowshm.benchmarks.pingpong;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.arrowshm.benchmarks.posix.BareLibC;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The lower bound for a shared-memory ping-pong: one plain /dev/shm segment with two
 * 32-bit counters and two 64 KiB payload areas, and nothing else. No lock, no seqlock, no
 * metadata; a message is "payload copied, then counter release-stored", and the other side
 * acquire-loads the counter. Either it spins on the counter, or it parks on it with a raw
 * shared {@code FUTEX_WAIT} and the sender calls {@code FUTEX_WAKE} after every store, which
 * is the least a futex notify can cost.
 *
 * <p>The segment is the benchmark's own, not a stream, so it is mapped with plain
 * {@link FileChannel#map}; the futex calls need its address, which JNA reads off the buffer.
 * The mapping lasts as long as this object (the buffer unmaps when collected), which is the
 * life of the peer process that opened it.
 */
final class RawChannel {
    private static final Path SHM_DIR = Path.of("/dev/shm");
    /** Segment layout: counters on separate cache lines (and off the adjacent-line prefetch), payloads page-aligned. */
    private static final int REQUEST_COUNTER = 0;
    private static final int ACK_COUNTER = 128;
    private static final int REQUEST_PAYLOAD = 4096;
    private static final int ACK_PAYLOAD = REQUEST_PAYLOAD + Endpoint.BYTES;
    private static final int SEGMENT_BYTES = ACK_PAYLOAD + Endpoint.BYTES;
    private static final long FUTEX_PARK_NANOS = 50_000_000L;
    private static final VarHandle COUNTER = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.nativeOrder());

    /** The whole segment; holding it keeps the mapping, hence {@link #address}, valid. */
    private final ByteBuffer words;
    private final long address;
    private final FloatBuffer requestPayload;
    private final FloatBuffer ackPayload;
    private final boolean futex;
    /**
     * The futex park's relative timeout, a native {@code struct timespec}: written once, since
     * {@code FUTEX_WAIT} does not change it and the channel has one waiting thread.
     */
    private final Memory parkTimeout = new Memory(16);

    private RawChannel(MappedByteBuffer mapping, boolean futex) {
        this.futex = futex;
        ByteBuffer all = mapping.order(ByteOrder.nativeOrder());
        this.words = all;
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(mapping));
        parkTimeout.setLong(0, FUTEX_PARK_NANOS / 1_000_000_000L);
        parkTimeout.setLong(8, FUTEX_PARK_NANOS % 1_000_000_000L);
        this.requestPayload = all.slice(REQUEST_PAYLOAD, Endpoint.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        this.ackPayload = all.slice(ACK_PAYLOAD, Endpoint.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * Creates the zero-filled segment, exclusively and owner-only as a stream's segments are
     * (the coordinator does this before starting either peer). Writing the zeros reserves the
     * pages now, so a full /dev/shm fails here rather than with SIGBUS in a peer.
     */
    static void create(String segment) {
        try (FileChannel channel = FileChannel.open(path(segment),
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer zeros = ByteBuffer.allocate(SEGMENT_BYTES);
            while (zeros.hasRemaining()) {
                channel.write(zeros);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create raw segment " + path(segment), e);
        }
    }

    static RawChannel open(String segment, boolean futex) {
        try (FileChannel channel = FileChannel.open(path(segment), StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            // The mapping outlives the channel, as mmap outlives its descriptor.
            return new RawChannel(channel.map(FileChannel.MapMode.READ_WRITE, 0, SEGMENT_BYTES), futex);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("raw segment " + path(segment) + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map raw segment " + path(segment), e);
        }
    }

    /** Removes the segment's name (peers that still map it keep their mapping). Absent is fine. */
    static void delete(String segment) {
        try {
            Files.deleteIfExists(path(segment));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove raw segment " + path(segment), e);
        }
    }

    private static Path path(String segment) {
        return SHM_DIR.resolve(segment);
    }

    Endpoint.Client client() {
        float[] request = new float[Endpoint.ELEMENTS];
        float[] ack = new float[Endpoint.ELEMENTS];
        return Endpoint.client(request, ack, i -> {
            requestPayload.put(0, request);
            publish(REQUEST_COUNTER, (int) (i + 1));
            await(ACK_COUNTER, (int) (i + 1));
            ackPayload.get(0, ack);
        });
    }

    Endpoint.Server server() {
        float[] message = new float[Endpoint.ELEMENTS];
        return n -> {
            await(REQUEST_COUNTER, (int) (n + 1));
            requestPayload.get(0, message);
            ackPayload.put(0, message);
            publish(ACK_COUNTER, (int) (n + 1));
            return message[0] != Endpoint.STOP;
        };
    }

    private void publish(int counter, int value) {
        COUNTER.setRelease(words, counter, value);
        if (futex) {
            BareLibC.futexWakeAll(address + counter);
        }
    }

    private void await(int counter, int value) {
        int seen;
        while ((seen = (int) COUNTER.getAcquire(words, counter)) < value) {
            if (futex) {
                // Parks only while the word still holds what we saw, so a store in between cannot be missed.
                BareLibC.futexWait(address + counter, seen, Pointer.nativeValue(parkTimeout));
            } else {
                Thread.onSpinWait();
            }
        }
    }
}

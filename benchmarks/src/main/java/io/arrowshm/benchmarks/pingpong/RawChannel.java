package io.arrowshm.benchmarks.pingpong;

import io.arrowshm.internal.posix.Futex;
import io.arrowshm.internal.posix.Mapping;
import io.arrowshm.internal.posix.Segments;
import io.arrowshm.internal.posix.Timespec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The lower bound for a shared-memory ping-pong: one plain /dev/shm segment with two
 * 32-bit counters and two 64 KiB payload areas, and nothing else. No lock, no seqlock, no
 * metadata; a message is "payload copied, then counter release-stored", and the other side
 * acquire-loads the counter. Either it spins on the counter, or it parks on it with a raw
 * shared {@code FUTEX_WAIT} and the sender calls {@code FUTEX_WAKE} after every store, which
 * is the least a futex notify can cost.
 */
final class RawChannel implements AutoCloseable {
    /** Segment layout: counters on separate cache lines (and off the adjacent-line prefetch), payloads page-aligned. */
    private static final int REQUEST_COUNTER = 0;
    private static final int ACK_COUNTER = 128;
    private static final int REQUEST_PAYLOAD = 4096;
    private static final int ACK_PAYLOAD = REQUEST_PAYLOAD + Endpoint.BYTES;
    static final int SEGMENT_BYTES = ACK_PAYLOAD + Endpoint.BYTES;
    private static final long FUTEX_PARK_NANOS = 50_000_000L;
    private static final VarHandle COUNTER = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.nativeOrder());

    private final Mapping mapping;
    private final ByteBuffer words;
    private final FloatBuffer requestPayload;
    private final FloatBuffer ackPayload;
    private final boolean futex;

    private RawChannel(Mapping mapping, boolean futex) {
        this.mapping = mapping;
        this.futex = futex;
        ByteBuffer all = mapping.byteBuffer(0, SEGMENT_BYTES).order(ByteOrder.nativeOrder());
        this.words = all;
        this.requestPayload = all.slice(REQUEST_PAYLOAD, Endpoint.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        this.ackPayload = all.slice(ACK_PAYLOAD, Endpoint.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Creates the zero-filled segment (the coordinator does this before starting either peer). */
    static void create(String segment) {
        Segments.create(segment, SEGMENT_BYTES).close();
    }

    static RawChannel open(String segment, boolean futex) {
        Mapping mapping = Segments.open(segment, true);
        if (mapping == null) {
            throw new IllegalStateException("raw segment /dev/shm/" + segment + " does not exist");
        }
        return new RawChannel(mapping, futex);
    }

    Endpoint.Client client() {
        float[] request = new float[Endpoint.ELEMENTS];
        float[] ack = new float[Endpoint.ELEMENTS];
        return new Endpoint.Client() {
            @Override
            public void exchange(long i) {
                request[0] = i;
                send(i);
                Endpoint.checkAck(ack[0], i);
            }

            @Override
            public void stop(long i) {
                request[0] = Endpoint.STOP;
                send(i);
            }

            private void send(long i) {
                requestPayload.put(0, request);
                publish(REQUEST_COUNTER, (int) (i + 1));
                await(ACK_COUNTER, (int) (i + 1));
                ackPayload.get(0, ack);
            }
        };
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
            Futex.wakeAll(mapping.address() + counter);
        }
    }

    private void await(int counter, int value) {
        int seen;
        while ((seen = (int) COUNTER.getAcquire(words, counter)) < value) {
            if (futex) {
                // Parks only while the word still holds what we saw, so a store in between cannot be missed.
                Futex.await(mapping.address() + counter, seen, FUTEX_PARK_NANOS, Timespec.forCurrentThread());
            } else {
                Thread.onSpinWait();
            }
        }
    }

    @Override
    public void close() {
        mapping.close();
    }
}

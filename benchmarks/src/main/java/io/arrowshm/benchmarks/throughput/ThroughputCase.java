package io.arrowshm.benchmarks.throughput;

import java.util.ArrayList;
import java.util.List;

/**
 * One lossless throughput case: a transport, a frame size and a number of reader processes, each
 * taking every frame one writer process sends.
 */
public record ThroughputCase(Transport transport, FrameSize frame, int readers) {
    /** Reader counts of the ring cases; Agrona's one-to-one buffer has a single consumer. */
    static final int[] RING_READERS = {1, 4};

    /** What carries the frames. */
    public enum Transport {
        RING("ring"),
        AGRONA("agrona");

        private final String id;

        Transport(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** Every case of a run, in the order a round runs them: per frame size, the rings and then Agrona. */
    public static List<ThroughputCase> all() {
        List<ThroughputCase> cases = new ArrayList<>();
        for (FrameSize size : FrameSize.values()) {
            for (int readers : RING_READERS) {
                cases.add(new ThroughputCase(Transport.RING, size, readers));
            }
            cases.add(new ThroughputCase(Transport.AGRONA, size, 1));
        }
        return cases;
    }

    /** e.g. {@code ring-4r-64KiB}, {@code agrona-1r-97}. */
    public String id() {
        return id(transport, readers, frame);
    }

    public static String id(Transport transport, int readers, FrameSize frame) {
        return transport.id() + "-" + readers + "r-" + frame.label();
    }

    /** The id of a memcpy reference figure: {@code glibc-memcpy-hot-4MiB}, {@code glibc-memcpy-ring-sized-4MiB}. */
    public static String memcpyId(boolean hot, FrameSize frame) {
        return "glibc-memcpy-" + (hot ? "hot" : "ring-sized") + "-" + frame.label();
    }

    public String description() {
        if (transport == Transport.RING) {
            return "arrow-shm ring (BLOCK, " + frame.slots() + " slots): write(ByteBuffer) -> " + readers
                    + " reader process" + (readers == 1 ? "" : "es") + ", readInto(ByteBuffer), blocking cursors";
        }
        return "Agrona OneToOneRingBuffer (" + AgronaThroughputPeer.capacity(frame) / 1024
                + " KiB) over a /dev/shm file: write -> read(handler) copying out";
    }
}

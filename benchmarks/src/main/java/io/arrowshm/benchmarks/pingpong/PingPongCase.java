package io.arrowshm.benchmarks.pingpong;

/**
 * The cross-process ping-pong cases: each is two processes exchanging 64 KiB requests and acks,
 * the client timing round trips. The raw cases are the yardsticks: {@link #RAW_SPIN} for the
 * polling cases and the ring case (nothing can be faster with the same copies), {@link #RAW_FUTEX}
 * for the notify cases (nothing that parks in the kernel can wake faster).
 */
public enum PingPongCase {
    RAW_SPIN("raw-spin", "raw lower bound: plain /dev/shm segment, counters spun on, no lock, no seqlock",
            false, Peer.RAW_SPIN, Peer.RAW_SPIN),
    RAW_FUTEX("raw-futex", "raw futex: same segment, FUTEX_WAIT/FUTEX_WAKE on the counters, no spinning",
            false, Peer.RAW_FUTEX, Peer.RAW_FUTEX),
    JAVA_POLL("java-java-poll", "arrow-shm <-> arrow-shm, polling stream, default WaitStrategy",
            false, Peer.JAVA_DEFAULT, Peer.JAVA_DEFAULT),
    JAVA_RING("java-ring",
            "arrow-shm <-> arrow-shm over two BLOCK rings (capacity 4), blocking cursors, default WaitStrategy",
            false, Peer.JAVA_RING, Peer.JAVA_RING),
    JAVA_NOTIFY("java-java-notify", "arrow-shm <-> arrow-shm, notify stream, parking at once (futex wake every message)",
            true, Peer.JAVA_PARK, Peer.JAVA_PARK),
    JAVA_NOTIFY_SPIN("java-java-notify-spin", "arrow-shm <-> arrow-shm, notify stream, default WaitStrategy (spins first)",
            true, Peer.JAVA_DEFAULT, Peer.JAVA_DEFAULT),
    PYSHMEM("pyshmem-pyshmem", "pyshmem <-> pyshmem, polling stream, wait_for_count defaults",
            false, Peer.PYTHON, Peer.PYTHON),
    JAVA_PYSHMEM("java-pyshmem", "arrow-shm client <-> pyshmem server, polling stream, defaults",
            false, Peer.JAVA_DEFAULT, Peer.PYTHON);

    /** What runs one side of a case. */
    public enum Peer {
        JAVA_DEFAULT, JAVA_PARK, JAVA_RING, PYTHON, RAW_SPIN, RAW_FUTEX;

        boolean raw() {
            return this == RAW_SPIN || this == RAW_FUTEX;
        }
    }

    private final String id;
    private final String description;
    private final boolean notify;
    private final Peer client;
    private final Peer server;

    PingPongCase(String id, String description, boolean notify, Peer client, Peer server) {
        this.id = id;
        this.description = description;
        this.notify = notify;
        this.client = client;
        this.server = server;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    public boolean notifyStream() {
        return notify;
    }

    public Peer client() {
        return client;
    }

    public Peer server() {
        return server;
    }

    public boolean raw() {
        return client.raw();
    }

    /** Whether the case runs over two rings instead of two streams. */
    public boolean ring() {
        return client == Peer.JAVA_RING;
    }

    public boolean needsPython() {
        return client == Peer.PYTHON || server == Peer.PYTHON;
    }
}

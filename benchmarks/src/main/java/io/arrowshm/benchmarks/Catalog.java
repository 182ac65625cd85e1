package io.arrowshm.benchmarks;

import io.arrowshm.benchmarks.pingpong.PingPongCase;
import io.arrowshm.benchmarks.throughput.FrameSize;
import io.arrowshm.benchmarks.throughput.ThroughputCase;
import java.util.ArrayList;
import java.util.List;

/**
 * Every figure a complete run yields, by key ({@code impl/op/shape} for one-process figures,
 * {@code roundtrip/<case>} for ping-pongs, {@code throughput/<case>} for lossless throughput). The
 * smoke test and the run's own summary check a
 * run against it; a key missing from a run is a case that failed or was skipped.
 */
public final class Catalog {
    static final List<String> STREAM_OPS = List.of("write", "read", "readInto", "readZeroCopy", "buffer");
    static final String JDK25 = io.arrowshm.benchmarks.jmh.JmhStage.JDK25_SUFFIX;
    static final String ROUND_TRIP = "roundtrip/";
    static final String THROUGHPUT = "throughput/";
    /** Ring operations in one JVM (issue 22), {@code op/shape}: the two-thread pipes, then one thread's own costs. */
    static final List<String> RING_OPS = List.of("ringWriteBlock/97", "ringReadBlock/97", "ringWriteOverwrite/97",
            "ringReadOverwrite/97", "ringWrite/97", "ringReadInto/97", "ringReadInto/128x128", "ringLease/97",
            "ringLease/128x128");
    /** What a small ring write is made of besides its copy, each measured alone ({@code RingFloors}). */
    static final List<String> FLOORS = List.of("floor/jnaDirectCall/97", "floor/instantNow/97",
            "floor/atomicIncrement/97", "floor/fullFence/97");

    private Catalog() {
    }

    /** Keys that need only a JVM (and Agrona, which the jar has). */
    public static List<String> javaKeys() {
        List<String> keys = new ArrayList<>();
        for (Shape shape : Shape.ALL) {
            for (String op : STREAM_OPS) {
                keys.add("arrow-shm/" + op + "/" + shape.label());
            }
            keys.add("java-memcpy/directToDirect/" + shape.label());
            keys.add("java-memcpy/heapToHeap/" + shape.label());
            keys.add("glibc-memcpy/glibcMemcpy/" + shape.label());
        }
        keys.add("arrow-shm/lock/" + Shape.TINY.label());
        keys.add("jna-flock/lock/" + Shape.TINY.label());
        keys.add("arrow-shm/count/" + Shape.TINY.label());
        keys.add("arrow-shm/nd4jView/" + Shape.MEDIUM.label());
        keys.add("nd4j/nd4jView/" + Shape.MEDIUM.label());
        for (String op : RING_OPS) {
            keys.add("arrow-shm/" + op);
        }
        keys.addAll(FLOORS);
        for (PingPongCase c : PingPongCase.values()) {
            if (!c.needsPython()) {
                keys.add(roundTrip(c.id()));
            }
        }
        for (ThroughputCase c : ThroughputCase.all()) {
            keys.add(THROUGHPUT + c.id());
        }
        for (FrameSize size : FrameSize.values()) {
            if (size.large()) {
                keys.add(THROUGHPUT + ThroughputCase.memcpyId(true, size));
                keys.add(THROUGHPUT + ThroughputCase.memcpyId(false, size));
            }
        }
        return keys;
    }

    /** The JMH keys again, measured on JDK 25 (the implementation names end with "@jdk25"). */
    public static List<String> jdk25Keys() {
        List<String> keys = new ArrayList<>();
        for (String key : javaKeys()) {
            if (!key.startsWith(ROUND_TRIP) && !key.startsWith(THROUGHPUT)) {
                int slash = key.indexOf('/');
                keys.add(key.substring(0, slash) + JDK25 + key.substring(slash));
            }
        }
        return keys;
    }

    /** Keys that need python3 with pyshmem 1.4.0. */
    public static List<String> pythonKeys() {
        List<String> keys = new ArrayList<>();
        for (Shape shape : Shape.ALL) {
            for (String op : STREAM_OPS) {
                keys.add("pyshmem/" + op + "/" + shape.label());
            }
            keys.add("numpy-memcpy/copyto/" + shape.label());
        }
        keys.add("pyshmem/lock/" + Shape.TINY.label());
        for (PingPongCase c : PingPongCase.values()) {
            if (c.needsPython()) {
                keys.add(roundTrip(c.id()));
            }
        }
        return keys;
    }

    /** The stage whose run yields {@code key}: a run with {@code --only} expects only its stages' keys. */
    public static Options.Stage stageOf(String key) {
        if (key.startsWith(ROUND_TRIP)) {
            return Options.Stage.PINGPONG;
        } else if (key.startsWith(THROUGHPUT)) {
            return Options.Stage.THROUGHPUT;
        } else if (key.startsWith("pyshmem/") || key.startsWith("numpy-memcpy/")) {
            return Options.Stage.PYSHMEM;
        }
        return Options.Stage.JMH;
    }

    public static String roundTrip(String caseId) {
        return ROUND_TRIP + caseId;
    }
}

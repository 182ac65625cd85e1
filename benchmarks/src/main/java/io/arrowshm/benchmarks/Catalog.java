package io.arrowshm.benchmarks;

import io.arrowshm.benchmarks.pingpong.PingPongCase;
import java.util.ArrayList;
import java.util.List;

/**
 * Every figure a complete run yields, by key ({@code impl/op/shape} for one-process figures,
 * {@code roundtrip/<case>} for ping-pongs). The smoke test and the run's own summary check a
 * run against it; a key missing from a run is a case that failed or was skipped.
 */
public final class Catalog {
    static final List<String> STREAM_OPS = List.of("write", "read", "readInto", "readZeroCopy", "buffer");
    static final String JDK25 = io.arrowshm.benchmarks.jmh.JmhStage.JDK25_SUFFIX;

    private Catalog() {
    }

    /** Keys that need only a JVM. */
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
        for (PingPongCase c : PingPongCase.values()) {
            if (!c.needsPython()) {
                keys.add(roundTrip(c.id()));
            }
        }
        return keys;
    }

    /** The JMH keys again, measured on JDK 25 (the implementation names end with "@jdk25"). */
    public static List<String> jdk25Keys() {
        List<String> keys = new ArrayList<>();
        for (String key : javaKeys()) {
            if (!key.startsWith("roundtrip/")) {
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

    public static String roundTrip(String caseId) {
        return "roundtrip/" + caseId;
    }
}

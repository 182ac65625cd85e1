package io.arrowshm.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {
    @Test
    void ratiosAreFormedSoTheTargetReadsAsWritten() {
        Results run = run(List.of(
                op("pyshmem", "write", "97", 5000), op("arrow-shm", "write", "97", 500),
                op("arrow-shm@jdk25", "write", "97", 625),
                op("glibc-memcpy", "glibcMemcpy", "10000x10000", 36), op("java-memcpy", "heapToHeap", "10000x10000", 20),
                op("pyshmem", "write", "10000x10000", 36), op("arrow-shm", "write", "10000x10000", 40),
                op("arrow-shm@jdk25", "write", "10000x10000", 20),
                op("pyshmem", "read", "10000x10000", 100), op("arrow-shm", "read", "10000x10000", 200),
                op("arrow-shm", "count", "97", 15), op("arrow-shm@jdk25", "count", "97", 25),
                op("arrow-shm", "nd4jView", "1000x1000", 4000)),
                List.of(trip("pyshmem-pyshmem", 100), trip("java-java-poll", 10), trip("raw-spin", 8)));
        List<TargetResult> targets = Targets.evaluate(run);

        TargetResult smallWrite = find(targets, "small write >= 8x");
        assertEquals(10.0, smallWrite.ratio(), 1e-9);
        assertEquals("met", smallWrite.verdict());
        assertEquals(8.0, find(targets, "small write >= 10x").ratio(), 1e-9, "JDK 25's figure, not JDK 17's");
        assertEquals("missed", find(targets, "small write >= 10x").verdict());

        TargetResult vsRaw = find(targets, "within 1.5x of the raw bound");
        assertEquals(1.25, vsRaw.ratio(), 1e-9);
        assertEquals("met", vsRaw.verdict());

        assertEquals(0.9, find(targets, "400 MB write >= 0.9x single-thread glibc").ratio(), 1e-9,
                "against glibc's memcpy, not Java's faster-looking heap copy");
        assertEquals("met", find(targets, "400 MB write >= 0.9x single-thread glibc").verdict());
        assertEquals("missed", find(targets, "400 MB write >= 1.0x pyshmem").verdict());
        assertEquals(1.8, find(targets, "400 MB write >= 1.5x pyshmem (JDK 25").ratio(), 1e-9);
        assertEquals("missed", find(targets, "400 MB read() into a new buffer").verdict());

        assertEquals("met", find(targets, "count() < 20 ns (JDK 17)").verdict());
        assertEquals("missed", find(targets, "count() < 20 ns (JDK 25)").verdict());
        assertEquals("<= 20.0", find(targets, "count() < 20 ns (JDK 17)").bound());
        assertEquals("met", find(targets, "Nd4jStreams.view").verdict());
        assertEquals("no figure", find(targets, "4 MB readInto >= 1.0x").verdict());
    }

    @Test
    void aMissingFigureIsReportedAsSuch() {
        TargetResult notify = find(Targets.evaluate(run(List.of(), List.of())), "notify wake");
        assertNull(notify.ratio());
        assertEquals("no figure", notify.verdict());
    }

    private static TargetResult find(List<TargetResult> targets, String text) {
        return targets.stream().filter(t -> t.target().contains(text)).findFirst().orElseThrow();
    }

    @Test
    void ringTargetsCompareWithAgronaMemcpyAndTheRawBoundOfTheSameRun() {
        Results run = new Results("quick", "", null, 0, List.of(
                op("arrow-shm", "ringWriteBlock", "97", 120), op("arrow-shm@jdk25", "ringWriteBlock", "97", 90),
                op("arrow-shm", "ringWriteOverwrite", "97", 200)),
                List.of(trip("java-ring", 23), trip("raw-spin", 20)),
                List.of(rate("ring-1r-97", 3e6), rate("agrona-1r-97", 5e6), rate("ring-1r-64KiB", 60e3),
                        rate("glibc-memcpy-hot-64KiB", 100e3), rate("ring-4r-64KiB", 1e3),
                        rate("ring-1r-4MiB", 500), rate("glibc-memcpy-hot-4MiB", 1000)),
                List.of(), List.of());
        List<TargetResult> targets = Targets.evaluate(run);

        assertEquals("met", find(targets, "live reader <= 150 ns (BLOCK, JDK 17)").verdict());
        assertEquals(90, find(targets, "live reader <= 150 ns (BLOCK, JDK 25)").ratio(), 1e-9, "JDK 25's figure");
        assertEquals("missed", find(targets, "live reader <= 150 ns (OVERWRITE, JDK 17)").verdict());
        assertEquals("no figure", find(targets, "live reader <= 150 ns (OVERWRITE, JDK 25)").verdict());

        TargetResult agrona = find(targets, "within 2x of Agrona");
        assertEquals(0.6, agrona.ratio(), 1e-9, "ring frames/s over Agrona's, 1 reader");
        assertEquals("met", agrona.verdict());
        assertEquals(0.6, find(targets, "64KiB, 1 reader >= 0.7x").ratio(), 1e-9, "the 1-reader case, not 4 readers");
        assertEquals("missed", find(targets, "64KiB, 1 reader >= 0.7x").verdict());
        assertEquals("missed", find(targets, "4MiB, 1 reader >= 0.7x").verdict());

        TargetResult pingPong = find(targets, "ring request/ack");
        assertEquals(1.15, pingPong.ratio(), 1e-9);
        assertEquals("met", pingPong.verdict(), "the bound itself is met");
    }

    private static Results run(List<OpFigure> ops, List<RoundTrip> trips) {
        return new Results("quick", "", null, 0, ops, trips, List.of(), List.of(), List.of());
    }

    private static Throughput rate(String id, double perSecond) {
        return new Throughput(id, "ring", "97", 388, 1, perSecond, 1000, List.of(perSecond), "");
    }

    private static OpFigure op(String impl, String op, String shape, double ns) {
        return new OpFigure(impl, op, shape, 400_000_000L, ns, null, 1, "test");
    }

    private static RoundTrip trip(String id, double p50) {
        return new RoundTrip(id, "", 65536, 10, p50, p50, p50, p50, p50, p50, List.of(p50));
    }
}

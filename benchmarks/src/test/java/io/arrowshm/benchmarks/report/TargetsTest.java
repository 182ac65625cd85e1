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

    private static Results run(List<OpFigure> ops, List<RoundTrip> trips) {
        return new Results("quick", "", null, 0, ops, trips, List.of(), List.of());
    }

    private static OpFigure op(String impl, String op, String shape, double ns) {
        return new OpFigure(impl, op, shape, 400_000_000L, ns, null, 1, "test");
    }

    private static RoundTrip trip(String id, double p50) {
        return new RoundTrip(id, "", 65536, 10, p50, p50, p50, p50, p50, p50, List.of(p50));
    }
}

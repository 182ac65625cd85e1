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
                op("java-memcpy", "directToDirect", "10000x10000", 30), op("java-memcpy", "heapToHeap", "10000x10000", 20),
                op("arrow-shm", "write", "10000x10000", 25), op("arrow-shm", "read", "10000x10000", 200)),
                List.of(trip("pyshmem-pyshmem", 100), trip("java-java-poll", 10), trip("raw-spin", 8)));
        List<TargetResult> targets = Targets.evaluate(run);

        TargetResult smallWrite = find(targets, "small write");
        assertEquals(10.0, smallWrite.ratio(), 1e-9);
        assertEquals("met", smallWrite.verdict());

        TargetResult vsRaw = find(targets, "within 1.5x of the raw bound");
        assertEquals(1.25, vsRaw.ratio(), 1e-9);
        assertEquals("met", vsRaw.verdict());

        assertEquals(0.8, find(targets, "10000x10000 write").ratio(), 1e-9, "against the fastest memcpy (20 ns)");
        assertEquals("met", find(targets, "10000x10000 write").verdict());
        assertEquals("missed", find(targets, "10000x10000 read ").verdict());
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

package io.arrowshm.benchmarks.throughput;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.arrowshm.benchmarks.report.Throughput;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThroughputStageTest {
    @Test
    void reportsTheMedianRoundAndListsEveryRoundInOrder() {
        Throughput median = ThroughputStage.medianRound(List.of(round(300), round(100), round(200)));
        assertEquals(200, median.framesPerSecond());
        assertEquals(List.of(300.0, 100.0, 200.0), median.roundFramesPerSecond());
        assertEquals(100, ThroughputStage.medianRound(List.of(round(300), round(100))).framesPerSecond(),
                "the lower middle of an even count");
    }

    @Test
    void casesCoverEveryFrameSizeWithOneAndFourRingReadersAndAgrona() {
        List<String> ids = ThroughputCase.all().stream().map(ThroughputCase::id).toList();
        assertEquals(List.of("ring-1r-97", "ring-4r-97", "agrona-1r-97", "ring-1r-64KiB", "ring-4r-64KiB",
                "agrona-1r-64KiB", "ring-1r-4MiB", "ring-4r-4MiB", "agrona-1r-4MiB"), ids);
    }

    private static Throughput round(double perSecond) {
        return new Throughput("ring-1r-97", "ring", "97", 388, 1, perSecond, 10, List.of(perSecond), "");
    }
}

package io.arrowshm.benchmarks.pingpong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.arrowshm.benchmarks.report.RoundTrip;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {
    @Test
    void nearestRankPercentilesOfOneToHundred() {
        long[] samples = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray(); // unsorted on purpose
        LatencySummary s = LatencySummary.of(samples);
        assertEquals(100, s.n());
        assertEquals(50, s.p50());
        assertEquals(95, s.p95());
        assertEquals(99, s.p99());
        assertEquals(50.5, s.mean());
        assertEquals(1, s.min());
        assertEquals(100, s.max());
    }

    @Test
    void oneSampleIsEveryPercentile() {
        LatencySummary s = LatencySummary.of(new long[] {7});
        assertEquals(7, s.p50());
        assertEquals(7, s.p99());
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> LatencySummary.of(new long[0]));
    }

    @Test
    void theMedianRoundIsReportedWithEveryRoundsP50() {
        RoundTrip median = PingPongStage.medianRound(List.of(round(30), round(10), round(20)));
        assertEquals(20, median.p50Ns());
        assertEquals(List.of(30.0, 10.0, 20.0), median.roundP50sNs());
        assertEquals(10, PingPongStage.medianRound(List.of(round(10), round(20))).p50Ns(), "lower middle of two");
    }

    private static RoundTrip round(double p50) {
        return new RoundTrip("c", "d", 65536, 100, p50, p50 * 2, p50 * 3, p50, p50 / 2, p50 * 4, List.of(p50));
    }
}

package io.arrowshm.benchmarks.report;

import java.util.List;

/**
 * Round-trip latency of one cross-process ping-pong case, in nanoseconds: the percentiles of
 * the round whose p50 is the median of all rounds' (each round is a fresh pair of processes).
 *
 * @param caseId       stable key, e.g. {@code java-java-poll}
 * @param description  what the two processes do
 * @param payloadBytes bytes carried each way
 * @param samples      round trips measured (after warm-up) in the reported round
 * @param roundP50sNs  every round's p50, in the order the rounds ran
 */
public record RoundTrip(String caseId, String description, long payloadBytes, long samples, double p50Ns,
        double p95Ns, double p99Ns, double meanNs, double minNs, double maxNs, List<Double> roundP50sNs) {

    public boolean valid() {
        return samples > 0 && Double.isFinite(p50Ns) && p50Ns > 0 && p99Ns >= p50Ns;
    }
}

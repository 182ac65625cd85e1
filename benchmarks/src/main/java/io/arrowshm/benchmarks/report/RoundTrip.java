package io.arrowshm.benchmarks.report;

/**
 * Round-trip latency of one cross-process ping-pong case, in nanoseconds.
 *
 * @param caseId      stable key, e.g. {@code java-java-poll}
 * @param description what the two processes do
 * @param payloadBytes bytes carried each way
 * @param samples     measured round trips (after warm-up)
 */
public record RoundTrip(String caseId, String description, long payloadBytes, long samples, double p50Ns,
        double p95Ns, double p99Ns, double meanNs, double minNs, double maxNs) {

    public boolean valid() {
        return samples > 0 && Double.isFinite(p50Ns) && p50Ns > 0 && p99Ns >= p50Ns;
    }
}

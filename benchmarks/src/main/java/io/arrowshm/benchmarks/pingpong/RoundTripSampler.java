package io.arrowshm.benchmarks.pingpong;

import io.arrowshm.benchmarks.RunMode;

/**
 * pyshmem's ping-pong methodology on the client side: warm up for a fixed time (and at least the
 * plan's number of round trips, so the JIT has compiled what is measured), time a short
 * calibration batch, size the measured run to fill the measurement window from it, and time
 * every round trip on its own so percentiles are real.
 */
public final class RoundTripSampler {
    private static final int CALIBRATION_ROUND_TRIPS = 200;

    private RoundTripSampler() {
    }

    public static LatencySummary run(Endpoint.Client client, RunMode.PingPong plan) {
        long i = 0;
        long warmupEnd = System.nanoTime() + plan.warmup().toNanos();
        do {
            client.exchange(i++);
        } while (System.nanoTime() < warmupEnd || i < plan.minWarmup());

        long start = System.nanoTime();
        for (int k = 0; k < CALIBRATION_ROUND_TRIPS; k++) {
            client.exchange(i++);
        }
        long perRoundTrip = Math.max(1, (System.nanoTime() - start) / CALIBRATION_ROUND_TRIPS);
        long wanted = plan.measure().toNanos() / perRoundTrip;
        int n = (int) Math.max(plan.minSamples(), Math.min(plan.maxSamples(), wanted));

        long[] samples = new long[n];
        for (int k = 0; k < n; k++) {
            long t0 = System.nanoTime();
            client.exchange(i++);
            samples[k] = System.nanoTime() - t0;
        }
        client.stop(i);
        return LatencySummary.of(samples);
    }
}

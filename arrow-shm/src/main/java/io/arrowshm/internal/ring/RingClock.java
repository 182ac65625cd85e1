package io.arrowshm.internal.ring;

import java.time.Instant;

/** The ring's wall clock: CLOCK_REALTIME nanoseconds since the epoch, as every process reads it (§2.4, §8.2). */
public final class RingClock {
    private RingClock() {
    }

    public static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}

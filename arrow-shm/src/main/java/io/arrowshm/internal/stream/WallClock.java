package io.arrowshm.internal.stream;

import java.time.Instant;

/** {@code write_time}'s clock: epoch seconds as a double with sub-microsecond digits, like Python's {@code time.time()}. */
public final class WallClock {
    private WallClock() {
    }

    public static double epochSeconds() {
        Instant now = Instant.now();
        return now.getEpochSecond() + now.getNano() * 1e-9;
    }
}

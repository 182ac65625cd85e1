package io.arrowshm;

import java.time.Duration;
import java.util.Objects;

/**
 * How a reader attaches to a ring cursor: where a new cursor starts, whether it holds a
 * {@link Overflow#BLOCK} writer back, how long it keeps doing so after its reader is gone, and
 * how its reader idles while it waits.
 *
 * <pre>{@code
 * CursorOptions trainer = CursorOptions.defaults();                                 // oldest, blocking, 5 s grace
 * CursorOptions monitor = CursorOptions.defaults().start(CursorOptions.Start.NEXT).blocking(false);
 * CursorOptions patient = CursorOptions.defaults().grace(Duration.ofMinutes(10));    // survives a slow restart
 * try (RingReader r = ring.reader("monitor", monitor)) { ... }
 * }</pre>
 */
public final class CursorOptions {
    /** Where a new cursor starts (an existing cursor always resumes at its stored position). */
    public enum Start {
        /** The oldest frame the ring still holds. */
        OLDEST,
        /** The newest frame written so far (or the first one, if none was written yet). */
        LATEST,
        /** The next frame written after the cursor attaches. */
        NEXT
    }

    private static final CursorOptions DEFAULTS =
            new CursorOptions(Start.OLDEST, true, Duration.ofSeconds(5), WaitStrategy.defaults());

    private final Start start;
    private final boolean blocking;
    private final Duration grace;
    private final WaitStrategy waitStrategy;

    private CursorOptions(Start start, boolean blocking, Duration grace, WaitStrategy waitStrategy) {
        this.start = start;
        this.blocking = blocking;
        this.grace = grace;
        this.waitStrategy = waitStrategy;
    }

    /** Start at the oldest frame, hold the writer back, 5 s grace, the default wait strategy. */
    public static CursorOptions defaults() {
        return DEFAULTS;
    }

    public CursorOptions start(Start start) {
        return new CursorOptions(Objects.requireNonNull(start, "start"), blocking, grace, waitStrategy);
    }

    /**
     * Whether the cursor holds a {@link Overflow#BLOCK} writer back (default true). A
     * non-blocking cursor is an observer: it never slows the writer and counts what it loses.
     */
    public CursorOptions blocking(boolean blocking) {
        return new CursorOptions(start, blocking, grace, waitStrategy);
    }

    /**
     * How long the cursor keeps holding a {@link Overflow#BLOCK} writer back after its reader
     * closed or died (default 5 s): a reader restarted within it loses nothing.
     */
    public CursorOptions grace(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or positive, got " + grace);
        }
        return new CursorOptions(start, blocking, grace, waitStrategy);
    }

    /** How the reader spins, yields and parks while it waits for a frame. */
    public CursorOptions waitStrategy(WaitStrategy waitStrategy) {
        return new CursorOptions(start, blocking, grace, Objects.requireNonNull(waitStrategy, "waitStrategy"));
    }

    public Start start() {
        return start;
    }

    public boolean blocking() {
        return blocking;
    }

    public Duration grace() {
        return grace;
    }

    public WaitStrategy waitStrategy() {
        return waitStrategy;
    }

    /** The grace in nanoseconds, saturated at {@code Long.MAX_VALUE}. */
    long graceNanos() {
        try {
            return grace.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return "CursorOptions[start=" + start + ", blocking=" + blocking + ", grace=" + grace + ", " + waitStrategy + "]";
    }
}

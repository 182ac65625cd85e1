package io.arrowshm.tensors;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link StreamReplayer} paces and repeats. Immutable; each setter returns a new instance.
 *
 * <pre>{@code
 * ReplayOptions.originalPace().loop(true);   // as recorded (write_time deltas), over and over
 * ReplayOptions.rate(30);                    // 30 rows per second
 * ReplayOptions.fast();                      // as fast as the stream takes them
 * ReplayOptions.fast().limits(IpcLimits.defaults().maxFrameBytes(1L << 30).maxBatchBytes(2L << 30));
 * }</pre>
 */
public final class ReplayOptions {
    /** How rows are spaced in time. */
    public enum Pace { ORIGINAL, RATE, FAST }

    private final Pace pace;
    private final double rateHz;
    private final boolean loop;
    private final Consumer<ReplayStats> progress;
    private final Duration progressInterval;
    private final IpcLimits limits;

    private ReplayOptions(Pace pace, double rateHz, boolean loop, Consumer<ReplayStats> progress,
                          Duration progressInterval, IpcLimits limits) {
        this.pace = pace;
        this.rateHz = rateHz;
        this.loop = loop;
        this.progress = progress;
        this.progressInterval = progressInterval;
        this.limits = limits;
    }

    /** At the recorded pace: the deltas between rows' {@code write_time}. */
    public static ReplayOptions originalPace() {
        return new ReplayOptions(Pace.ORIGINAL, 0, false, null, Duration.ofMillis(500), IpcLimits.defaults());
    }

    /** {@code hz} rows per second. */
    public static ReplayOptions rate(double hz) {
        if (!(hz > 0) || Double.isInfinite(hz)) {
            throw new IllegalArgumentException("rate must be a positive number of rows per second, got " + hz);
        }
        return new ReplayOptions(Pace.RATE, hz, false, null, Duration.ofMillis(500), IpcLimits.defaults());
    }

    /** As fast as possible. */
    public static ReplayOptions fast() {
        return new ReplayOptions(Pace.FAST, 0, false, null, Duration.ofMillis(500), IpcLimits.defaults());
    }

    /** Start again from the first row after the last one, until stopped. */
    public ReplayOptions loop(boolean value) {
        return new ReplayOptions(pace, rateHz, value, progress, progressInterval, limits);
    }

    /** Called on the replaying thread about every {@code interval}, and once at the end. */
    public ReplayOptions progress(Consumer<ReplayStats> callback, Duration interval) {
        return new ReplayOptions(pace, rateHz, loop, Objects.requireNonNull(callback), Objects.requireNonNull(interval),
                limits);
    }

    /** What the file's batches may declare (frame size, rows and bytes per batch); default {@link IpcLimits#defaults()}. */
    public ReplayOptions limits(IpcLimits value) {
        return new ReplayOptions(pace, rateHz, loop, progress, progressInterval, Objects.requireNonNull(value));
    }

    public Pace pace() {
        return pace;
    }

    public double rateHz() {
        return rateHz;
    }

    public boolean loop() {
        return loop;
    }

    public IpcLimits limits() {
        return limits;
    }

    Consumer<ReplayStats> progress() {
        return progress;
    }

    Duration progressInterval() {
        return progressInterval;
    }
}

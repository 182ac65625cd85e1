package io.arrowshm.examples;

import java.util.Arrays;

/**
 * Per-interval figures of a reader: frames, write-to-read latency percentiles, missed and torn
 * frames; for a ring reader ({@link #forRing()}) its lag and lost frames instead of missed ones.
 */
final class FrameStats {
    private final String lossWord;
    private long lag = -1;
    private long[] latencyNanos = new long[1024];
    private int frames;
    private long missed;
    private long torn;
    private long totalFrames;
    private long totalMissed;
    private long totalTorn;

    FrameStats() {
        this("missed");
    }

    private FrameStats(String lossWord) {
        this.lossWord = lossWord;
    }

    /** A ring reader's figures: lines say "lag N  lost L". */
    static FrameStats forRing() {
        return new FrameStats("lost");
    }

    /** Frames written and not yet read when the interval ends (rings). */
    void lag(long frames) {
        lag = frames;
    }

    void frame(long latency, long missedBefore, boolean consistent) {
        if (frames == latencyNanos.length) {
            latencyNanos = Arrays.copyOf(latencyNanos, frames * 2);
        }
        latencyNanos[frames++] = latency;
        missed += missedBefore;
        if (!consistent) {
            torn++;
        }
    }

    /** One status line for the interval just ended, then starts a new interval. */
    String intervalLine(double seconds) {
        Arrays.sort(latencyNanos, 0, frames);
        String line = String.format("%6.0f frames/s  latency p50 %7.1f us  p99 %7.1f us  %s%s %d  torn %d",
                frames / seconds, percentile(0.50) / 1e3, percentile(0.99) / 1e3, lag < 0 ? "" : "lag " + lag + "  ",
                lossWord, missed, torn);
        totalFrames += frames;
        totalMissed += missed;
        totalTorn += torn;
        frames = 0;
        missed = 0;
        torn = 0;
        return line;
    }

    String totalLine() {
        return "total " + totalFrames + " frames, " + lossWord + " " + totalMissed + ", torn " + totalTorn;
    }

    private long percentile(double q) {
        return frames == 0 ? 0 : latencyNanos[Math.min(frames - 1, (int) Math.floor(q * frames))];
    }
}

package io.arrowshm.cli.watch;

import io.arrowshm.Publication;
import io.arrowshm.cli.Units;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a watch has seen: publications received and missed, write-to-read latency, the
 * stream's publication rate, per refresh window and in total.
 */
final class WatchStats {
    private final long startNanos;
    private final long startCount;
    private final LatencyHistogram total = new LatencyHistogram();
    private final LatencyHistogram window = new LatencyHistogram();
    private long windowStartNanos;
    private long windowStartCount;
    private long received;
    private long missed;
    private long lastCount;
    private long lastFrameId;

    /** Starts at {@code nowNanos} with the stream at {@code count}, last stamped {@code frameId}. */
    WatchStats(long nowNanos, long count, long frameId) {
        this.startNanos = nowNanos;
        this.startCount = count;
        this.windowStartNanos = nowNanos;
        this.windowStartCount = count;
        this.lastCount = count;
        this.lastFrameId = frameId;
    }

    /** One publication read at {@code nowEpochSeconds} (the unit of its write time). */
    void record(Publication publication, double nowEpochSeconds) {
        double latency = nowEpochSeconds - publication.writeTime();
        total.record(latency);
        window.record(latency);
        received++;
        // From our own baseline rather than the handle's: a publication landing between the open
        // and the watch's first count is before the watch, not missed by it.
        missed += Math.max(0, publication.count() - lastCount - 1);
        lastCount = publication.count();
        lastFrameId = publication.frameId();
    }

    long received() {
        return received;
    }

    /** The refreshing line: the window's rate and latency, the running totals. */
    String status(String name, long nowNanos, long streamCount, boolean notify) {
        double seconds = Math.max(1e-9, (nowNanos - windowStartNanos) / 1e9);
        double rate = (streamCount - windowStartCount) / seconds;
        String latency = window.count() == 0 ? "latency -"
                : "latency p50 " + latency(window.quantile(0.5)) + " max " + latency(window.max());
        String line = String.format(Locale.ROOT, "%s: %.1f pub/s  %s  missed %d  frame_id %s  count %d  %s",
                name, rate, latency, missed, Long.toUnsignedString(lastFrameId), streamCount,
                notify ? "notify" : "polling");
        window.reset();
        windowStartNanos = nowNanos;
        windowStartCount = streamCount;
        return line;
    }

    /** The final summary, for stdout (text or JSON). */
    Map<String, Object> summary(String name, long nowNanos, boolean notify) {
        double seconds = (nowNanos - startNanos) / 1e9;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", name);
        fields.put("seconds", seconds);
        fields.put("received", received);
        fields.put("missed", missed);
        fields.put("published", lastCount - startCount);
        fields.put("rate", seconds > 0 ? received / seconds : 0.0);
        fields.put("latency_p50", total.quantile(0.5));
        fields.put("latency_p99", total.quantile(0.99));
        fields.put("latency_max", total.count() == 0 ? Double.NaN : total.max());
        fields.put("last_count", lastCount);
        fields.put("last_frame_id", Long.toUnsignedString(lastFrameId));
        fields.put("notify", notify);
        return fields;
    }

    static String summaryText(Map<String, Object> f) {
        return String.format(Locale.ROOT, "%s: received %d publications in %.2f s (%.1f/s), missed %d,"
                        + " latency p50 %s p99 %s max %s, last count %d frame_id %s",
                f.get("name"), f.get("received"), (double) f.get("seconds"), (double) f.get("rate"), f.get("missed"),
                latency((double) f.get("latency_p50")), latency((double) f.get("latency_p99")),
                latency((double) f.get("latency_max")), f.get("last_count"), f.get("last_frame_id"));
    }

    private static String latency(double seconds) {
        return Double.isNaN(seconds) ? "-" : Units.seconds(seconds);
    }
}

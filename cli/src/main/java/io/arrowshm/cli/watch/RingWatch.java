package io.arrowshm.cli.watch;

import io.arrowshm.CursorInfo;
import io.arrowshm.Ring;
import io.arrowshm.RingInfo;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Follows a ring without reading it: {@code watch} on a ring samples the write position and the
 * cursors (a ring watched must not grow a cursor of its own, and must never hold its writer back),
 * so the status line says how fast frames are written and how far behind each reader is.
 */
final class RingWatch {
    private final Ring ring;
    private final long start;
    private final long firstPosition;
    private RingInfo last;
    private long windowStart;
    private long windowPosition;
    private double windowRate;

    RingWatch(Ring ring, long start) {
        this.ring = ring;
        this.start = start;
        this.last = ring.info();
        this.firstPosition = last.writePosition();
        this.windowStart = start;
        this.windowPosition = firstPosition;
    }

    /** Sleeps until {@code until} (or at most 100 ms, so Ctrl-C is seen), then samples. */
    void sample(long until) {
        long wait = Math.max(0, Math.min(100_000_000L, until - System.nanoTime()));
        LockSupport.parkNanos(wait);
    }

    /** The status line for the window that ends now. */
    String status(long now) {
        last = ring.info();
        double seconds = (now - windowStart) / 1e9;
        windowRate = seconds > 0 ? (last.writePosition() - windowPosition) / seconds : 0;
        windowStart = now;
        windowPosition = last.writePosition();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: position %d, %.1f frames/s, writer %s",
                ring.name(), last.writePosition(), windowRate,
                last.writerPid() == 0 ? "none" : last.writerPid() + (last.writerAlive() ? "" : " (gone)")));
        for (CursorInfo cursor : last.cursors()) {
            line.append(" | ").append(cursor.name()).append(" lag ").append(cursor.lag())
                    .append(cursor.live() ? "" : " (detached)");
        }
        return line.toString();
    }

    Map<String, Object> summary(long now) {
        last = ring.info();
        double seconds = (now - start) / 1e9;
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("name", ring.name());
        summary.put("kind", "ring");
        summary.put("seconds", seconds);
        summary.put("written", last.writePosition() - firstPosition);
        summary.put("rate", seconds > 0 ? (last.writePosition() - firstPosition) / seconds : 0.0);
        summary.put("write_position", last.writePosition());
        Map<String, Object> lags = new LinkedHashMap<>();
        for (CursorInfo cursor : last.cursors()) {
            lags.put(cursor.name(), cursor.lag());
        }
        summary.put("cursor_lags", lags);
        return summary;
    }

    static String summaryText(Map<String, Object> f) {
        return String.format(Locale.ROOT, "%s: %d frames written in %.2f s (%.1f/s), position %d, cursor lags %s",
                f.get("name"), (Long) f.get("written"), (Double) f.get("seconds"), ((Number) f.get("rate")).doubleValue(),
                (Long) f.get("write_position"), f.get("cursor_lags"));
    }
}

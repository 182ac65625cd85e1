package io.arrowshm.cli;

import java.time.Instant;
import java.util.Locale;

/**
 * Human-readable sizes, ages, durations and shapes for the commands' text outputs.
 *
 * <pre>{@code
 * Units.bytes(65536);                 // "64.0 KiB"
 * Units.shape(new long[] {480, 640}); // "(480, 640)"
 * }</pre>
 */
public final class Units {
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Units() {
    }

    /** 65536 -> "64.0 KiB"; below 1 KiB the exact byte count. */
    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < BINARY.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, BINARY[unit]);
    }

    /** Seconds since {@code writeTime} (epoch seconds), or "never" before the first write. */
    public static String age(double writeTime) {
        double age = ageSeconds(writeTime);
        return Double.isInfinite(age) ? "never" : seconds(age);
    }

    /** Seconds since {@code writeTime}; infinite before the first write, as pyshmem's {@code age}. */
    public static double ageSeconds(double writeTime) {
        return writeTime <= 0 ? Double.POSITIVE_INFINITY : Math.max(0, now() - writeTime);
    }

    /** 0.000042 -> "42.0 us", 1.5 -> "1.50 s", 7300 -> "2.0 h". */
    public static String seconds(double seconds) {
        if (seconds < 1e-3) {
            return String.format(Locale.ROOT, "%.1f us", seconds * 1e6);
        } else if (seconds < 1) {
            return String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
        } else if (seconds < 120) {
            return String.format(Locale.ROOT, "%.2f s", seconds);
        } else if (seconds < 7200) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        } else if (seconds < 172_800) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        return String.format(Locale.ROOT, "%.1f d", seconds / 86_400);
    }

    /** NumPy's tuple form: (480, 640), and (6,) for one dimension. */
    public static String shape(long[] shape) {
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            out.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return out.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The wall clock in epoch seconds, the unit of {@code write_time}. */
    public static double now() {
        Instant now = Instant.now();
        return now.getEpochSecond() + now.getNano() * 1e-9;
    }
}

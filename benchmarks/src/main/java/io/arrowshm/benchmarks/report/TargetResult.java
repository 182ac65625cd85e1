package io.arrowshm.benchmarks.report;

/**
 * One performance target (issues #8, #16 and #22) against what this run measured. Targets are reported,
 * never asserted: a missed target is information for whoever tunes the core.
 *
 * @param target   the goal in words, e.g. "small write >= 8x faster than pyshmem"
 * @param measure  how the ratio is formed, e.g. "pyshmem write(97) / arrow-shm write(97)"
 * @param ratio    the measured ratio, null when a figure it needs is missing
 * @param goal     the ratio's bound
 * @param atLeast  whether the ratio must be at least {@code goal} (else at most)
 */
public record TargetResult(String target, String measure, Double ratio, double goal, boolean atLeast) {

    /** "met", "missed" or "no figure". */
    public String verdict() {
        if (ratio == null || !Double.isFinite(ratio)) {
            return "no figure";
        }
        return (atLeast ? ratio >= goal : ratio <= goal) ? "met" : "missed";
    }

    public String bound() {
        return (atLeast ? ">= " : "<= ") + format(goal);
    }

    public static String format(double value) {
        return value >= 100 ? String.format("%.0f", value) : value >= 10 ? String.format("%.1f", value)
                : String.format("%.2f", value);
    }
}

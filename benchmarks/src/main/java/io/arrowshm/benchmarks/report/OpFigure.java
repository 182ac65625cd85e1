package io.arrowshm.benchmarks.report;

/**
 * One single-process figure: the time of one operation on one frame shape.
 *
 * @param impl        {@code arrow-shm}, {@code pyshmem}, or a memcpy reference ({@code java-memcpy}, {@code glibc-memcpy}, {@code numpy-memcpy})
 * @param op          the operation (same names on both sides: write, read, readInto, readZeroCopy, buffer, lock, ...)
 * @param shape       the frame shape label, e.g. {@code 128x128}
 * @param bytes       payload bytes the operation moves or exposes
 * @param nsPerOp     the central value: JMH's mean over iterations, or the median over Python batches
 * @param error       JMH's 99.9% confidence half-width, or null where there is none
 * @param samples     iterations (JMH) or batches (Python) behind the value
 * @param statistic   which central value this is, for readers of the JSON
 */
public record OpFigure(String impl, String op, String shape, long bytes, double nsPerOp, Double error, long samples,
        String statistic) {

    public String key() {
        return impl + "/" + op + "/" + shape;
    }

    /** Bytes per nanosecond is GB/s (decimal). */
    public double gigabytesPerSecond() {
        return bytes / nsPerOp;
    }

    public boolean valid() {
        return Double.isFinite(nsPerOp) && nsPerOp > 0;
    }
}

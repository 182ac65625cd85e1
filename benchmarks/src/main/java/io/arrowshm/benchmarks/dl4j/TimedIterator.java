package io.arrowshm.benchmarks.dl4j;

import io.arrowshm.dl4j.examples.ForwardingIterator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Passes a feed's batches on and times what the training thread spends inside the feed for each
 * one ({@code hasNext()} and {@code next()}): wall time and the thread's CPU time. The median per
 * batch is what the feed costs the training loop, measured where it is spent, so a busy machine's
 * preemptions (which the median ignores) disturb it far less than a whole epoch's time.
 */
final class TimedIterator extends ForwardingIterator {
    private static final long serialVersionUID = 1L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final long[] wall;
    private final long[] cpu;
    private int batches;
    private long pendingWall;
    private long pendingCpu;

    TimedIterator(DataSetIterator source, int maxBatches) {
        super(source);
        this.wall = new long[maxBatches + 1];
        this.cpu = new long[maxBatches + 1];
    }

    @Override
    public boolean hasNext() {
        long w = System.nanoTime();
        long c = THREADS.getCurrentThreadCpuTime();
        boolean more = super.hasNext();
        pendingWall += System.nanoTime() - w;
        pendingCpu += THREADS.getCurrentThreadCpuTime() - c;
        return more;
    }

    @Override
    public DataSet next() {
        long w = System.nanoTime();
        long c = THREADS.getCurrentThreadCpuTime();
        DataSet batch = super.next();
        wall[batches] = pendingWall + System.nanoTime() - w;
        cpu[batches] = pendingCpu + THREADS.getCurrentThreadCpuTime() - c;
        batches++;
        pendingWall = 0;
        pendingCpu = 0;
        return batch;
    }

    /** The median wall time, in µs, the feed took per batch. */
    double medianWallMicros() {
        return median(wall) / 1e3;
    }

    /** The median CPU time of the training thread, in µs, the feed took per batch. */
    double medianCpuMicros() {
        return median(cpu) / 1e3;
    }

    private double median(long[] values) {
        long[] sorted = Arrays.copyOf(values, batches);
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("DL4J's fit calls next()");
    }

    @Override
    public boolean asyncSupported() {
        return false; // timed on the training thread itself (both feeds say false anyway)
    }
}

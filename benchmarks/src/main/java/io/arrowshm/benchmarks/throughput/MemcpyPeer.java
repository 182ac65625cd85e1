package io.arrowshm.benchmarks.throughput;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.arrowshm.benchmarks.posix.BareLibC;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The memcpy reference of the throughput stage, in its own JVM like every other role: one thread
 * copying frames with glibc's {@code memcpy} (address to address through JNA, as the JMH
 * reference does), as many per second as it can. Two footprints: {@code hot}, one frame into
 * one buffer again and again (both stay in cache, the JMH reference's way), and {@code ringSized},
 * each frame taken from the next slot of a region as large as the ring's slots, as a reader's
 * copy must. Arguments: {@code WARMUP_NS MEASURE_NS FRAME...}; it prints one result line.
 */
public final class MemcpyPeer {
    private static final long BATCH_NANOS = 20_000_000L;
    private static final int MIN_BATCHES = 5;

    private MemcpyPeer() {
    }

    /** The median rate over timed batches, and the copies timed in all. */
    record Rate(double perSecond, long copies) {
    }

    /** One frame size's rates, for each footprint. */
    record Rates(String frame, Rate hot, Rate ringSized) {
    }

    record Report(List<Rates> rates) {
    }

    public static void main(String[] args) {
        long warmup = Long.parseLong(args[0]);
        long measure = Long.parseLong(args[1]);
        List<Rates> rates = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            FrameSize size = FrameSize.of(args[i]);
            ByteBuffer target = Traffic.frame(size);
            ByteBuffer hot = Traffic.frame(size);
            ByteBuffer slots = ByteBuffer.allocateDirect(size.slots() * size.bytes());
            for (int at = 0; at < slots.capacity(); at += 4096) {
                slots.put(at, (byte) 1);
            }
            rates.add(new Rates(size.label(), rate(target, hot, 1, size, warmup, measure),
                    rate(target, slots, size.slots(), size, warmup, measure)));
        }
        Traffic.report(new Report(rates));
    }

    /** Frames copied per second (median over timed batches) from {@code slotCount} frames of {@code source} in turn. */
    private static Rate rate(ByteBuffer target, ByteBuffer source, int slotCount, FrameSize size, long warmup,
                                    long measure) {
        long to = address(target);
        long from = address(source);
        long bytes = size.bytes();
        long copies = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < warmup) {
            BareLibC.memcpy(to, from + (copies++ % slotCount) * bytes, bytes);
        }
        long perBatch = Math.max(1, (long) (copies / ((System.nanoTime() - start) / 1e9) * BATCH_NANOS / 1e9));
        int batches = (int) Math.max(MIN_BATCHES, measure / BATCH_NANOS);
        double[] rates = new double[batches];
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            for (long k = 0; k < perBatch; k++) {
                BareLibC.memcpy(to, from + (copies++ % slotCount) * bytes, bytes);
            }
            rates[b] = perBatch / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        return new Rate(rates[batches / 2], perBatch * batches);
    }

    private static long address(ByteBuffer buffer) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(buffer));
    }
}

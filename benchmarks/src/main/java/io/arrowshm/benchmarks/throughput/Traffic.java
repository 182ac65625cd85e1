package io.arrowshm.benchmarks.throughput;

import com.google.gson.Gson;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The writer's and the readers' loops of a throughput case, whatever carries the frames. The
 * writer sends for the warm-up time (and at least the plan's warm-up frames), notes the time,
 * sends back to back for the measuring time (and at least the plan's least number of frames),
 * then a stop frame. A reader takes every frame,
 * checks it ({@link FrameStamp}, and the transport's own position where it has one), and notes
 * the time it took the stop frame. {@code System.nanoTime()} is CLOCK_MONOTONIC on Linux, the
 * same clock in every process, so the stage can subtract the writer's start from a reader's end.
 */
final class Traffic {
    static final String READY = "READY";
    static final String RESULT = "RESULT ";
    /** The writer looks at the clock once per this many frames. */
    private static final int CLOCK_EVERY = 16;

    private Traffic() {
    }

    /** Hands one frame to the transport, waiting while it is full. */
    interface Sender {
        void send(ByteBuffer frame);
    }

    /** Copies the next frame into {@code target}, waiting for it; returns the transport's position of it, or -1. */
    interface Receiver {
        long receive(ByteBuffer target);
    }

    /** The writer's account: frames of the warm-up, frames measured, and the measured run's start and end. */
    record WriterReport(long warmupFrames, long frames, long startNanos, long endNanos) {
    }

    /** A reader's account: every frame it took (warm-up and measured), and when it took the stop frame. */
    record ReaderReport(long frames, long endNanos) {
    }

    /** The measuring plan, as the stage passes it on a peer's command line. */
    record Plan(long warmupNanos, long minWarmupFrames, long measureNanos, long minFrames) {
        static Plan parse(String[] args, int from) {
            return new Plan(Long.parseLong(args[from]), Long.parseLong(args[from + 1]), Long.parseLong(args[from + 2]),
                    Long.parseLong(args[from + 3]));
        }

        List<String> arguments() {
            return List.of(Long.toString(warmupNanos), Long.toString(minWarmupFrames), Long.toString(measureNanos),
                    Long.toString(minFrames));
        }
    }

    static ByteBuffer frame(FrameSize size) {
        ByteBuffer frame = ByteBuffer.allocateDirect(size.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < size.bytes(); i += 4096) {
            frame.put(i, (byte) 1); // touch every page before anything is timed
        }
        return frame;
    }

    static WriterReport write(Sender sender, ByteBuffer frame, Plan plan) {
        long warmupFrames = sendFor(sender, frame, 0, System.nanoTime(), plan.warmupNanos(),
                plan.minWarmupFrames());
        long start = System.nanoTime();
        long frames = sendFor(sender, frame, warmupFrames, start, plan.measureNanos(), plan.minFrames());
        long end = System.nanoTime();
        FrameStamp.stamp(frame, warmupFrames + frames, true);
        sender.send(frame);
        return new WriterReport(warmupFrames, frames, start, end);
    }

    /** Sends frames numbered from {@code first} for {@code nanos} after {@code start}, and at least {@code min}. */
    private static long sendFor(Sender sender, ByteBuffer frame, long first, long start, long nanos, long min) {
        long sent = 0;
        do {
            for (int i = 0; i < CLOCK_EVERY; i++) {
                FrameStamp.stamp(frame, first + sent++, false);
                sender.send(frame);
            }
        } while (System.nanoTime() - start < nanos || sent < min);
        return sent;
    }

    /** @throws IllegalStateException at the first frame that is not the one expected */
    static ReaderReport read(Receiver receiver, ByteBuffer target) {
        for (long expected = 0; ; expected++) {
            long position = receiver.receive(target);
            if (position >= 0 && position != expected) {
                throw new IllegalStateException("expected position " + expected + ", the transport delivered "
                        + position);
            }
            if (FrameStamp.stop(target)) {
                return new ReaderReport(expected, System.nanoTime());
            }
            String wrong = FrameStamp.check(target, expected);
            if (wrong != null) {
                throw new IllegalStateException(wrong);
            }
        }
    }

    static void ready() {
        System.out.println(READY);
        System.out.flush();
    }

    static void report(Object report) {
        System.out.println(RESULT + new Gson().toJson(report));
        System.out.flush();
    }
}

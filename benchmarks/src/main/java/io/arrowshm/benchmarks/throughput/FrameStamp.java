package io.arrowshm.benchmarks.throughput;

import java.nio.ByteBuffer;

/**
 * What the writer stamps into every frame and each reader checks, so a skipped, repeated,
 * reordered or torn frame cannot pass unnoticed: the frame's sequence number in the first word,
 * a stop flag in the second, and a mix of the sequence number in the last word (a copy that
 * tore between its two ends fails the check). Three stores and three loads: cheap next to any copy.
 */
final class FrameStamp {
    private static final int SEQUENCE = 0;
    private static final int STOP = 4;
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private FrameStamp() {
    }

    static void stamp(ByteBuffer frame, long sequence, boolean stop) {
        frame.putInt(SEQUENCE, (int) sequence);
        frame.putInt(STOP, stop ? 1 : 0);
        frame.putInt(frame.capacity() - 4, tail(sequence));
    }

    static boolean stop(ByteBuffer frame) {
        return frame.getInt(STOP) != 0;
    }

    /** Null when {@code frame} is frame {@code expected}, else what is wrong with it. */
    static String check(ByteBuffer frame, long expected) {
        int sequence = frame.getInt(SEQUENCE);
        if (sequence != (int) expected) {
            return "expected frame " + expected + ", got frame " + Integer.toUnsignedString(sequence)
                    + " (low 32 bits): a frame was skipped, repeated or reordered";
        }
        int tail = frame.getInt(frame.capacity() - 4);
        if (tail != tail(expected)) {
            return "frame " + expected + " is torn: its last word is " + tail + ", not " + tail(expected);
        }
        return null;
    }

    private static int tail(long sequence) {
        return (int) ((sequence * MIX) >>> 32);
    }
}

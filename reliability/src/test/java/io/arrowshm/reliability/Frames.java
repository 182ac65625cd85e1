package io.arrowshm.reliability;

/**
 * Self-checking int64 frames: element 0 holds the frame's seed {@code k}, element {@code j>0}
 * holds {@code k * MIX + j} (wrapping). A frame mixed from two writes, or cut short by a
 * crash, fails {@link #whole}. reliability_peer.py computes the same values.
 */
final class Frames {
    static final long MIX = 0x9E3779B97F4A7C15L;

    private Frames() {
    }

    static void fill(long[] frame, long seed) {
        frame[0] = seed;
        for (int j = 1; j < frame.length; j++) {
            frame[j] = seed * MIX + j;
        }
    }

    static boolean whole(long[] frame) {
        long seed = frame[0];
        for (int j = 1; j < frame.length; j++) {
            if (frame[j] != seed * MIX + j) {
                return false;
            }
        }
        return true;
    }

    /** Seeds carry the writer in the top bits so frames of different writers never coincide. */
    static long seed(int writer, long sequence) {
        return ((long) writer << 40) | sequence;
    }
}

package io.arrowshm.interop.suite;

/**
 * Frames that prove their own integrity, built the same way by pyshmem_peer.py: a uint32
 * frame with seed s holds s ^ (i * 0x9E3779B1) at element i, so element 0 is the seed, and the
 * writer stamps s as the frame id too. Two writes mixed in one read cannot both fit.
 */
final class SelfCheckingFrames {
    private static final int GOLDEN = 0x9E3779B1;
    private final int[] mix;

    SelfCheckingFrames(int elements) {
        mix = new int[elements];
        for (int i = 0; i < elements; i++) {
            mix[i] = i * GOLDEN;
        }
    }

    /** Writer {@code writer}'s {@code k}-th seed; writer ids stay below 128, so seeds are positive. */
    static int seed(int writer, int k) {
        return writer << 24 | k;
    }

    static int writerOf(int seed) {
        return seed >>> 24;
    }

    int[] frame(int seed) {
        int[] frame = new int[mix.length];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = seed ^ mix[i];
        }
        return frame;
    }

    /** Whether {@code frame} is one whole frame, stamped with its own seed as frame id. */
    boolean intact(int[] frame, long frameId) {
        int seed = frame[0];
        if (frameId != seed) {
            return false;
        }
        for (int i = 0; i < frame.length; i++) {
            if ((frame[i] ^ seed) != mix[i]) {
                return false;
            }
        }
        return true;
    }
}

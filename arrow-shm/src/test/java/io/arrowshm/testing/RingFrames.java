package io.arrowshm.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Self-checking ring frames: little-endian u64 word {@code i} of the frame at position
 * {@code p} is {@code p * 0x9E3779B97F4A7C15 + i} (a trailing partial word holds that value's
 * low bytes). A frame mixing two positions, or shifted, or zeroed, fails {@link #check}. The
 * Python peers use the same rule.
 */
public final class RingFrames {
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private RingFrames() {
    }

    public static long word(long position, long index) {
        return position * GOLDEN + index;
    }

    /** Fills bytes [0, size) of {@code frame} (a heap buffer) with position {@code p}'s pattern. */
    public static void fill(byte[] frame, long p) {
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int words = frame.length / 8;
        for (int i = 0; i < words; i++) {
            b.putLong(8 * i, word(p, i));
        }
        long tail = word(p, words);
        for (int k = 8 * words; k < frame.length; k++) {
            frame[k] = (byte) (tail >>> (8 * (k - 8 * words)));
        }
    }

    /** Whether {@code size} bytes of {@code frame} hold position {@code p}'s pattern. */
    public static boolean check(ArrowBuf frame, long size, long p) {
        long words = size / 8;
        for (long i = 0; i < words; i++) {
            if (frame.getLong(8 * i) != word(p, i)) {
                return false;
            }
        }
        long tail = word(p, words);
        for (long k = 8 * words; k < size; k++) {
            if (frame.getByte(k) != (byte) (tail >>> (8 * (k - 8 * words)))) {
                return false;
            }
        }
        return true;
    }

    public static boolean check(byte[] frame, long p) {
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int words = frame.length / 8;
        for (int i = 0; i < words; i++) {
            if (b.getLong(8 * i) != word(p, i)) {
                return false;
            }
        }
        long tail = word(p, words);
        for (int k = 8 * words; k < frame.length; k++) {
            if (frame[k] != (byte) (tail >>> (8 * (k - 8 * words)))) {
                return false;
            }
        }
        return true;
    }
}

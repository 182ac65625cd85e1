package io.arrowshm.interop.suite;

import io.arrowshm.DType;
import io.arrowshm.testing.Patterns;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/**
 * The frames of the Java ⇄ Python ring tests, built from a position alone the same way
 * interop/src/test/python/ring_peer.py builds them, so each side checks every frame the other
 * wrote: {@code PATTERN} is {@link Patterns#bytes} seeded with the position (any dtype),
 * {@code SELFCHECK} a uint32 frame whose element i is {@code p ^ (i * 0x9E3779B1)} (a torn frame
 * cannot pass), {@code UNIFORM} a uint32 frame of {@code p} everywhere. The frame id is always p.
 */
final class RingInteropFrames {
    private static final int GOLDEN = 0x9E3779B1;

    enum Kind {
        PATTERN, SELFCHECK, UNIFORM;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final DType dtype;
    private final int size;

    RingInteropFrames(Kind kind, DType dtype, long slotSize) {
        this.kind = kind;
        this.dtype = dtype;
        this.size = Math.toIntExact(slotSize);
    }

    /** The frame of position {@code p}, little-endian bytes. */
    ByteBuffer frame(long p) {
        ByteBuffer out = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        switch (kind) {
            case PATTERN:
                out.put(Patterns.bytes(dtype, size, (int) p));
                break;
            case SELFCHECK:
                for (int i = 0; i < size / 4; i++) {
                    out.putInt((int) p ^ i * GOLDEN);
                }
                break;
            default:
                for (int i = 0; i < size / 4; i++) {
                    out.putInt((int) p);
                }
        }
        return out.flip();
    }

    /** Whether {@code buffer} holds exactly the frame of position {@code p}. */
    boolean holds(ArrowBuf buffer, long offset, long p) {
        if (kind == Kind.PATTERN) {
            byte[] got = new byte[size];
            buffer.getBytes(offset, got);
            return Arrays.equals(got, Patterns.bytes(dtype, size, (int) p));
        }
        for (int i = 0; i < size / 4; i++) {
            int want = kind == Kind.SELFCHECK ? (int) p ^ i * GOLDEN : (int) p;
            if (buffer.getInt(offset + 4L * i) != want) {
                return false;
            }
        }
        return true;
    }
}

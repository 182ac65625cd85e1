package io.arrowshm.internal.stream;

import io.arrowshm.internal.posix.Mapping;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Bulk copies between Java arrays or buffers and a mapped payload. NIO buffers index with
 * {@code int}, so the payload is cut into windows (1 GiB, a multiple of every element size),
 * each with a byte view and a view typed for the stream's element array, made once per
 * handle. Positions within the payload are {@code long} throughout, so payloads and
 * {@code ArrowBuf}s past 2 GiB copy like small ones.
 *
 * <p>Every copy goes through NIO bulk operations, which HotSpot protects against SIGBUS on a
 * truncated segment (the fault surfaces as an {@link InternalError} that callers translate).
 * Arrow's {@code setZero} is not protected on JDK 17 and aborts the JVM there, so zeroing
 * copies from a zero buffer instead. Only absolute operations are used, so the views are
 * shared by threads without allocation or copying of state.
 */
public final class PayloadCodec {
    /** Window length: 1 GiB. */
    public static final int DEFAULT_WINDOW_BYTES = 1 << 30;
    /** The source of {@link #zero()}: small enough to keep, large enough to amortise each call. */
    private static final int ZERO_CHUNK = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private final long size;
    private final int windowBytes;
    private final ByteBuffer[] bytes;
    private final Buffer[] typed;

    /**
     * @param elementArray the primitive array type the stream's dtype accepts besides {@code byte[]}
     */
    public PayloadCodec(Mapping payload, long size, Class<?> elementArray) {
        this(payload, size, elementArray, DEFAULT_WINDOW_BYTES);
    }

    /** With a chosen window length (a positive multiple of 8): tests use small ones to cross many boundaries. */
    PayloadCodec(Mapping payload, long size, Class<?> elementArray, int windowBytes) {
        if (windowBytes <= 0 || windowBytes % Long.BYTES != 0) {
            throw new IllegalArgumentException("window must be a positive multiple of 8 bytes, got " + windowBytes);
        }
        this.size = size;
        this.windowBytes = windowBytes;
        long count = (size + windowBytes - 1) / windowBytes;
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(size + " bytes need too many windows of " + windowBytes);
        }
        bytes = new ByteBuffer[(int) count];
        typed = new Buffer[(int) count];
        for (int w = 0; w < count; w++) {
            long offset = (long) w * windowBytes;
            bytes[w] = payload.byteBuffer(offset, (int) Math.min(windowBytes, size - offset));
            typed[w] = typedView(bytes[w], elementArray);
        }
    }

    public long size() {
        return size;
    }

    // ------------------------------------------------------------------ into the payload

    public void copyIn(byte[] source) {
        int per = windowBytes;
        for (int w = 0; w < bytes.length; w++) {
            bytes[w].put(0, source, w * per, count(source.length, w, per));
        }
    }

    public void copyIn(short[] source) {
        int per = windowBytes / Short.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((ShortBuffer) typed[w]).put(0, source, w * per, count(source.length, w, per));
        }
    }

    public void copyIn(int[] source) {
        int per = windowBytes / Integer.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((IntBuffer) typed[w]).put(0, source, w * per, count(source.length, w, per));
        }
    }

    public void copyIn(long[] source) {
        int per = windowBytes / Long.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((LongBuffer) typed[w]).put(0, source, w * per, count(source.length, w, per));
        }
    }

    public void copyIn(float[] source) {
        int per = windowBytes / Float.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((FloatBuffer) typed[w]).put(0, source, w * per, count(source.length, w, per));
        }
    }

    public void copyIn(double[] source) {
        int per = windowBytes / Double.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((DoubleBuffer) typed[w]).put(0, source, w * per, count(source.length, w, per));
        }
    }

    /** NumPy's bool: one byte, 0 or 1. */
    public void copyIn(boolean[] source) {
        int per = windowBytes;
        for (int w = 0; w < bytes.length; w++) {
            ByteBuffer window = bytes[w];
            int first = w * per;
            int n = count(source.length, w, per);
            for (int i = 0; i < n; i++) {
                window.put(i, source[first + i] ? (byte) 1 : (byte) 0);
            }
        }
    }

    /** Copies {@code size} bytes from {@code source}'s position; the position does not move. */
    public void copyIn(ByteBuffer source) {
        int start = source.position();
        for (int w = 0; w < bytes.length; w++) {
            bytes[w].put(0, source, start + w * windowBytes, bytes[w].capacity());
        }
    }

    /** Copies bytes [0, size) of {@code source}. */
    public void copyIn(ArrowBuf source) {
        for (int w = 0; w < bytes.length; w++) {
            int n = bytes[w].capacity();
            bytes[w].put(0, source.nioBuffer((long) w * windowBytes, n), 0, n);
        }
    }

    /** Zero-fills the payload. */
    public void zero() {
        for (ByteBuffer window : bytes) {
            for (int at = 0, n = window.capacity(); at < n; at += ZERO_CHUNK) {
                window.put(at, ZEROS, 0, Math.min(ZERO_CHUNK, n - at));
            }
        }
    }

    /**
     * Loads the payload's last byte. A segment truncated below the payload's size has lost its
     * last page, so this faults (an {@link InternalError}, made synchronous by the caller's
     * fault barrier) exactly when part of the payload is no longer backed.
     */
    public byte probeLastByte() {
        ByteBuffer last = bytes[bytes.length - 1];
        return last.get(last.capacity() - 1);
    }

    // ------------------------------------------------------------------ out of the payload

    public void copyOut(byte[] target) {
        int per = windowBytes;
        for (int w = 0; w < bytes.length; w++) {
            bytes[w].get(0, target, w * per, count(target.length, w, per));
        }
    }

    public void copyOut(short[] target) {
        int per = windowBytes / Short.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((ShortBuffer) typed[w]).get(0, target, w * per, count(target.length, w, per));
        }
    }

    public void copyOut(int[] target) {
        int per = windowBytes / Integer.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((IntBuffer) typed[w]).get(0, target, w * per, count(target.length, w, per));
        }
    }

    public void copyOut(long[] target) {
        int per = windowBytes / Long.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((LongBuffer) typed[w]).get(0, target, w * per, count(target.length, w, per));
        }
    }

    public void copyOut(float[] target) {
        int per = windowBytes / Float.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((FloatBuffer) typed[w]).get(0, target, w * per, count(target.length, w, per));
        }
    }

    public void copyOut(double[] target) {
        int per = windowBytes / Double.BYTES;
        for (int w = 0; w < bytes.length; w++) {
            ((DoubleBuffer) typed[w]).get(0, target, w * per, count(target.length, w, per));
        }
    }

    public void copyOut(boolean[] target) {
        int per = windowBytes;
        for (int w = 0; w < bytes.length; w++) {
            ByteBuffer window = bytes[w];
            int first = w * per;
            int n = count(target.length, w, per);
            for (int i = 0; i < n; i++) {
                target[first + i] = window.get(i) != 0;
            }
        }
    }

    /** Copies the payload to {@code target}'s position; the position does not move. */
    public void copyOut(ByteBuffer target) {
        int start = target.position();
        for (int w = 0; w < bytes.length; w++) {
            target.put(start + w * windowBytes, bytes[w], 0, bytes[w].capacity());
        }
    }

    /** Copies the payload into bytes [0, size) of {@code target}. */
    public void copyOut(ArrowBuf target) {
        for (int w = 0; w < bytes.length; w++) {
            int n = bytes[w].capacity();
            target.nioBuffer((long) w * windowBytes, n).put(0, bytes[w], 0, n);
        }
    }

    /**
     * Elements of window {@code w} for an array of {@code length} elements, {@code per} to a
     * window. The array's own length bounds every index, so {@code w * per} fits an int.
     */
    private static int count(int length, int w, int per) {
        return (int) Math.min(per, length - (long) w * per);
    }

    private static Buffer typedView(ByteBuffer window, Class<?> elementArray) {
        if (elementArray == float[].class) {
            return window.asFloatBuffer();
        } else if (elementArray == double[].class) {
            return window.asDoubleBuffer();
        } else if (elementArray == int[].class) {
            return window.asIntBuffer();
        } else if (elementArray == long[].class) {
            return window.asLongBuffer();
        } else if (elementArray == short[].class) {
            return window.asShortBuffer();
        }
        return window; // byte[] and boolean[] use the byte view
    }
}

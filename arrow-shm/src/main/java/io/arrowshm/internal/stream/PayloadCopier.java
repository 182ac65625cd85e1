package io.arrowshm.internal.stream;

import io.arrowshm.internal.posix.Mapping;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Bulk copies between Java arrays or buffers and a mapped payload. NIO buffers index with
 * {@code int}, so the payload is cut into 1 GiB windows (a multiple of every element size),
 * each with a byte view and a view typed for the stream's element array, made once per
 * handle. Only absolute bulk operations are used, so the views are shared by threads
 * without allocation or copying of state.
 */
public final class PayloadCopier {
    /** Window length: 1 GiB. */
    static final int WINDOW_BYTES = 1 << 30;

    private final long size;
    private final ByteBuffer[] bytes;
    private final Buffer[] typed;

    /**
     * @param elementArray the primitive array type the stream's dtype accepts besides {@code byte[]}
     */
    public PayloadCopier(Mapping payload, long size, Class<?> elementArray) {
        this.size = size;
        int windows = (int) ((size + WINDOW_BYTES - 1) / WINDOW_BYTES);
        bytes = new ByteBuffer[windows];
        typed = new Buffer[windows];
        for (int w = 0; w < windows; w++) {
            long offset = (long) w * WINDOW_BYTES;
            bytes[w] = payload.byteBuffer(offset, (int) Math.min(WINDOW_BYTES, size - offset));
            typed[w] = typedView(bytes[w], elementArray);
        }
    }

    /** Copies {@code array} (length already checked against the payload) into the payload. */
    public void copyIn(Object array, int elementSize) {
        int length = java.lang.reflect.Array.getLength(array);
        int perWindow = WINDOW_BYTES / elementSize;
        for (int w = 0, offset = 0; offset < length; w++, offset += perWindow) {
            put(w, array, offset, Math.min(perWindow, length - offset));
        }
    }

    /** Copies the payload into {@code array} (length already checked). */
    public void copyOut(Object array, int elementSize) {
        int length = java.lang.reflect.Array.getLength(array);
        int perWindow = WINDOW_BYTES / elementSize;
        for (int w = 0, offset = 0; offset < length; w++, offset += perWindow) {
            get(w, array, offset, Math.min(perWindow, length - offset));
        }
    }

    /** Copies {@code size} bytes from {@code source}'s position; the source position does not move. */
    public void copyIn(ByteBuffer source) {
        int start = source.position();
        for (int w = 0; w < bytes.length; w++) {
            int n = bytes[w].capacity();
            bytes[w].put(0, source, start + w * WINDOW_BYTES, n);
        }
    }

    /** Copies the payload to {@code target}'s position; the target position does not move. */
    public void copyOut(ByteBuffer target) {
        int start = target.position();
        for (int w = 0; w < bytes.length; w++) {
            int n = bytes[w].capacity();
            target.put(start + w * WINDOW_BYTES, bytes[w], 0, n);
        }
    }

    public long size() {
        return size;
    }

    private void put(int w, Object array, int offset, int n) {
        if (array instanceof float[]) {
            ((FloatBuffer) typed[w]).put(0, (float[]) array, offset, n);
        } else if (array instanceof byte[]) {
            bytes[w].put(0, (byte[]) array, offset, n);
        } else if (array instanceof double[]) {
            ((DoubleBuffer) typed[w]).put(0, (double[]) array, offset, n);
        } else if (array instanceof int[]) {
            ((IntBuffer) typed[w]).put(0, (int[]) array, offset, n);
        } else if (array instanceof long[]) {
            ((LongBuffer) typed[w]).put(0, (long[]) array, offset, n);
        } else if (array instanceof short[]) {
            ((ShortBuffer) typed[w]).put(0, (short[]) array, offset, n);
        } else {
            boolean[] values = (boolean[]) array;
            ByteBuffer window = bytes[w];
            for (int i = 0; i < n; i++) {
                window.put(i, values[offset + i] ? (byte) 1 : (byte) 0);
            }
        }
    }

    private void get(int w, Object array, int offset, int n) {
        if (array instanceof float[]) {
            ((FloatBuffer) typed[w]).get(0, (float[]) array, offset, n);
        } else if (array instanceof byte[]) {
            bytes[w].get(0, (byte[]) array, offset, n);
        } else if (array instanceof double[]) {
            ((DoubleBuffer) typed[w]).get(0, (double[]) array, offset, n);
        } else if (array instanceof int[]) {
            ((IntBuffer) typed[w]).get(0, (int[]) array, offset, n);
        } else if (array instanceof long[]) {
            ((LongBuffer) typed[w]).get(0, (long[]) array, offset, n);
        } else if (array instanceof short[]) {
            ((ShortBuffer) typed[w]).get(0, (short[]) array, offset, n);
        } else {
            boolean[] values = (boolean[]) array;
            ByteBuffer window = bytes[w];
            for (int i = 0; i < n; i++) {
                values[offset + i] = window.get(i) != 0;
            }
        }
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

package io.arrowshm.internal.stream;

import io.arrowshm.internal.posix.FaultBarrier;
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
 * {@code ArrowBuf}s past 2 GiB copy like small ones. Large copies are split across cores by
 * the {@link CopySplitter}; every copy is expressed as a range of elements or bytes so a part
 * is the same code as the whole.
 *
 * <p>Every copy goes through NIO bulk operations (bool through a small chunk), which HotSpot
 * protects against SIGBUS on a truncated segment (the fault surfaces as an {@link InternalError}
 * that callers translate). Arrow's {@code setZero} is not protected on JDK 17 and aborts the JVM there, so zeroing
 * copies from a zero buffer instead. Only absolute operations are used, so the views are
 * shared by threads without allocation or copying of state.
 */
public final class PayloadCodec {
    /** Window length: 1 GiB. */
    public static final int DEFAULT_WINDOW_BYTES = 1 << 30;
    /** The source of {@link #zero()}: small enough to keep, large enough to amortise each call. */
    private static final int ZERO_CHUNK = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();
    /**
     * bool values convert through a chunk of this many bytes, copied in bulk. A per-element store
     * into a truncated segment costs one SIGBUS per element in compiled code (the fault is only
     * noted there, and delivered when the loop ends: about a minute for 32 Mi elements); a bulk
     * copy stops at its first fault, and the barrier after each chunk delivers it.
     */
    private static final int BOOLEAN_CHUNK = 4096;

    private final long size;
    private final int windowBytes;
    private final ByteBuffer[] bytes;
    private final Buffer[] typed;
    private final CopySplitter splitter;

    /**
     * @param elementArray the primitive array type the stream's dtype accepts besides {@code byte[]}
     */
    public PayloadCodec(Mapping payload, long size, Class<?> elementArray) {
        this(payload, size, elementArray, DEFAULT_WINDOW_BYTES, CopySplitter.shared());
    }

    /**
     * With a chosen window length (a positive multiple of 8) and splitter: tests use small
     * windows to cross many boundaries, and small thresholds to split small payloads.
     */
    PayloadCodec(Mapping payload, long size, Class<?> elementArray, int windowBytes, CopySplitter splitter) {
        if (windowBytes <= 0 || windowBytes % Long.BYTES != 0) {
            throw new IllegalArgumentException("window must be a positive multiple of 8 bytes, got " + windowBytes);
        }
        this.size = size;
        this.windowBytes = windowBytes;
        this.splitter = splitter;
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

    /**
     * Loads the payload's last byte. A segment truncated below the payload's size has lost its
     * last page, so this faults (an {@link InternalError}, made synchronous by the caller's
     * fault barrier) exactly when part of the payload is no longer backed.
     */
    public byte probeLastByte() {
        ByteBuffer last = bytes[bytes.length - 1];
        return last.get(last.capacity() - 1);
    }

    // ------------------------------------------------------------------ into the payload

    public void copyIn(byte[] source) {
        if (splitter.serial(size)) {
            bytesIn(source, 0, source.length);
        } else {
            splitter.run(source.length, 1, (from, to) -> bytesIn(source, (int) from, (int) to));
        }
    }

    public void copyIn(short[] source) {
        if (splitter.serial(size)) {
            shortsIn(source, 0, source.length);
        } else {
            splitter.run(source.length, 2, (from, to) -> shortsIn(source, (int) from, (int) to));
        }
    }

    public void copyIn(int[] source) {
        if (splitter.serial(size)) {
            intsIn(source, 0, source.length);
        } else {
            splitter.run(source.length, 4, (from, to) -> intsIn(source, (int) from, (int) to));
        }
    }

    public void copyIn(long[] source) {
        if (splitter.serial(size)) {
            longsIn(source, 0, source.length);
        } else {
            splitter.run(source.length, 8, (from, to) -> longsIn(source, (int) from, (int) to));
        }
    }

    public void copyIn(float[] source) {
        if (splitter.serial(size)) {
            floatsIn(source, 0, source.length);
        } else {
            splitter.run(source.length, 4, (from, to) -> floatsIn(source, (int) from, (int) to));
        }
    }

    public void copyIn(double[] source) {
        if (splitter.serial(size)) {
            doublesIn(source, 0, source.length);
        } else {
            splitter.run(source.length, 8, (from, to) -> doublesIn(source, (int) from, (int) to));
        }
    }

    public void copyIn(boolean[] source) {
        if (splitter.serial(size)) {
            booleansIn(source, 0, source.length);
        } else {
            splitter.run(source.length, 1, (from, to) -> booleansIn(source, (int) from, (int) to));
        }
    }

    /** Copies {@code size} bytes from {@code source}'s position; the position does not move. */
    public void copyIn(ByteBuffer source) {
        int start = source.position();
        if (splitter.serial(size)) {
            bufferIn(source, start, 0, size);
        } else {
            splitter.run(size, 1, (from, to) -> bufferIn(source, start, from, to));
        }
    }

    /** Copies bytes [0, size) of {@code source}. */
    public void copyIn(ArrowBuf source) {
        if (splitter.serial(size)) {
            arrowIn(source, 0, size);
        } else {
            splitter.run(size, 1, (from, to) -> arrowIn(source, from, to));
        }
    }

    /** Zero-fills the payload. */
    public void zero() {
        if (splitter.serial(size)) {
            zero(0, size);
        } else {
            splitter.run(size, 1, this::zero);
        }
    }

    // ------------------------------------------------------------------ out of the payload

    public void copyOut(byte[] target) {
        if (splitter.serial(size)) {
            bytesOut(target, 0, target.length);
        } else {
            splitter.run(target.length, 1, (from, to) -> bytesOut(target, (int) from, (int) to));
        }
    }

    public void copyOut(short[] target) {
        if (splitter.serial(size)) {
            shortsOut(target, 0, target.length);
        } else {
            splitter.run(target.length, 2, (from, to) -> shortsOut(target, (int) from, (int) to));
        }
    }

    public void copyOut(int[] target) {
        if (splitter.serial(size)) {
            intsOut(target, 0, target.length);
        } else {
            splitter.run(target.length, 4, (from, to) -> intsOut(target, (int) from, (int) to));
        }
    }

    public void copyOut(long[] target) {
        if (splitter.serial(size)) {
            longsOut(target, 0, target.length);
        } else {
            splitter.run(target.length, 8, (from, to) -> longsOut(target, (int) from, (int) to));
        }
    }

    public void copyOut(float[] target) {
        if (splitter.serial(size)) {
            floatsOut(target, 0, target.length);
        } else {
            splitter.run(target.length, 4, (from, to) -> floatsOut(target, (int) from, (int) to));
        }
    }

    public void copyOut(double[] target) {
        if (splitter.serial(size)) {
            doublesOut(target, 0, target.length);
        } else {
            splitter.run(target.length, 8, (from, to) -> doublesOut(target, (int) from, (int) to));
        }
    }

    public void copyOut(boolean[] target) {
        if (splitter.serial(size)) {
            booleansOut(target, 0, target.length);
        } else {
            splitter.run(target.length, 1, (from, to) -> booleansOut(target, (int) from, (int) to));
        }
    }

    /** Copies the payload to {@code target}'s position; the position does not move. */
    public void copyOut(ByteBuffer target) {
        int start = target.position();
        if (splitter.serial(size)) {
            bufferOut(target, start, 0, size);
        } else {
            splitter.run(size, 1, (from, to) -> bufferOut(target, start, from, to));
        }
    }

    /** Copies the payload into bytes [0, size) of {@code target}. */
    public void copyOut(ArrowBuf target) {
        if (splitter.serial(size)) {
            arrowOut(target, 0, size);
        } else {
            splitter.run(size, 1, (from, to) -> arrowOut(target, from, to));
        }
    }

    // ------------------------------------------------------------------ ranges

    private void bytesIn(byte[] source, int from, int to) {
        int per = windowBytes;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            bytes[w].put(at, source, e, n);
            e += n;
        }
    }

    private void bytesOut(byte[] target, int from, int to) {
        int per = windowBytes;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            bytes[w].get(at, target, e, n);
            e += n;
        }
    }

    private void shortsIn(short[] source, int from, int to) {
        int per = windowBytes / 2;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((ShortBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void shortsOut(short[] target, int from, int to) {
        int per = windowBytes / 2;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((ShortBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void intsIn(int[] source, int from, int to) {
        int per = windowBytes / 4;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((IntBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void intsOut(int[] target, int from, int to) {
        int per = windowBytes / 4;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((IntBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void longsIn(long[] source, int from, int to) {
        int per = windowBytes / 8;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((LongBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void longsOut(long[] target, int from, int to) {
        int per = windowBytes / 8;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((LongBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void floatsIn(float[] source, int from, int to) {
        int per = windowBytes / 4;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((FloatBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void floatsOut(float[] target, int from, int to) {
        int per = windowBytes / 4;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((FloatBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void doublesIn(double[] source, int from, int to) {
        int per = windowBytes / 8;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((DoubleBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void doublesOut(double[] target, int from, int to) {
        int per = windowBytes / 8;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(to - e, per - at);
            ((DoubleBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void booleansIn(boolean[] source, int from, int to) {
        byte[] chunk = new byte[Math.min(BOOLEAN_CHUNK, Math.max(0, to - from))];
        int per = windowBytes;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(Math.min(to - e, per - at), chunk.length);
            for (int i = 0; i < n; i++) {
                chunk[i] = source[e + i] ? (byte) 1 : (byte) 0;
            }
            bytes[w].put(at, chunk, 0, n);
            FaultBarrier.deliverPending();
            e += n;
        }
    }

    private void booleansOut(boolean[] target, int from, int to) {
        byte[] chunk = new byte[Math.min(BOOLEAN_CHUNK, Math.max(0, to - from))];
        int per = windowBytes;
        for (int e = from; e < to; ) {
            int w = e / per;
            int at = e - w * per;
            int n = Math.min(Math.min(to - e, per - at), chunk.length);
            bytes[w].get(at, chunk, 0, n);
            FaultBarrier.deliverPending();
            for (int i = 0; i < n; i++) {
                target[e + i] = chunk[i] != 0;
            }
            e += n;
        }
    }

    private void bufferIn(ByteBuffer source, int start, long from, long to) {
        for (long b = from; b < to; ) {
            int w = (int) (b / windowBytes);
            int at = (int) (b - (long) w * windowBytes);
            int n = (int) Math.min(to - b, windowBytes - at);
            bytes[w].put(at, source, (int) (start + b), n);
            b += n;
        }
    }

    private void bufferOut(ByteBuffer target, int start, long from, long to) {
        for (long b = from; b < to; ) {
            int w = (int) (b / windowBytes);
            int at = (int) (b - (long) w * windowBytes);
            int n = (int) Math.min(to - b, windowBytes - at);
            target.put((int) (start + b), bytes[w], at, n);
            b += n;
        }
    }

    private void arrowIn(ArrowBuf source, long from, long to) {
        for (long b = from; b < to; ) {
            int w = (int) (b / windowBytes);
            int at = (int) (b - (long) w * windowBytes);
            int n = (int) Math.min(to - b, windowBytes - at);
            bytes[w].put(at, source.nioBuffer(b, n), 0, n);
            b += n;
        }
    }

    private void arrowOut(ArrowBuf target, long from, long to) {
        for (long b = from; b < to; ) {
            int w = (int) (b / windowBytes);
            int at = (int) (b - (long) w * windowBytes);
            int n = (int) Math.min(to - b, windowBytes - at);
            target.nioBuffer(b, n).put(0, bytes[w], at, n);
            b += n;
        }
    }

    private void zero(long from, long to) {
        for (long b = from; b < to; ) {
            int w = (int) (b / windowBytes);
            int at = (int) (b - (long) w * windowBytes);
            int n = (int) Math.min(Math.min(to - b, windowBytes - at), ZERO_CHUNK);
            bytes[w].put(at, ZEROS, 0, n);
            b += n;
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

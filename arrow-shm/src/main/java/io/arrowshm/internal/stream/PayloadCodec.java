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
        this(payload, 0, size, elementArray, DEFAULT_WINDOW_BYTES, CopySplitter.shared());
    }

    /**
     * Over bytes [{@code offset}, {@code offset + size}) of {@code mapping}: a ring's slot data,
     * which the {@code copyIn(at, ...)}/{@code copyOut(at, ...)} forms address slot by slot.
     * {@code offset} must be a multiple of 8 so the typed views stay aligned.
     */
    public PayloadCodec(Mapping mapping, long offset, long size, Class<?> elementArray) {
        this(mapping, offset, size, elementArray, DEFAULT_WINDOW_BYTES, CopySplitter.shared());
    }

    /**
     * With a chosen window length (a positive multiple of 8) and splitter: tests use small
     * windows to cross many boundaries, and small thresholds to split small payloads.
     */
    PayloadCodec(Mapping payload, long size, Class<?> elementArray, int windowBytes, CopySplitter splitter) {
        this(payload, 0, size, elementArray, windowBytes, splitter);
    }

    PayloadCodec(Mapping payload, long offset, long size, Class<?> elementArray, int windowBytes,
                 CopySplitter splitter) {
        if (offset < 0 || offset % Long.BYTES != 0) {
            throw new IllegalArgumentException("region offset must be a non-negative multiple of 8, got " + offset);
        }
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
            long start = (long) w * windowBytes;
            bytes[w] = payload.byteBuffer(offset + start, (int) Math.min(windowBytes, size - start));
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
        copyIn(0, source);
    }

    /** Copies all of source into the region from byte {@code at} (a multiple of the element size). */
    public void copyIn(long at, byte[] source) {
        long base = at;
        if (splitter.serial((long) source.length * 1)) {
            bytesIn(source, 0, source.length, base);
        } else {
            splitter.run(source.length, 1, (from, to) -> bytesIn(source, (int) from, (int) to, base));
        }
    }

    public void copyIn(short[] source) {
        copyIn(0, source);
    }

    /** Copies all of source into the region from byte {@code at} (a multiple of the element size). */
    public void copyIn(long at, short[] source) {
        long base = at / 2;
        if (splitter.serial((long) source.length * 2)) {
            shortsIn(source, 0, source.length, base);
        } else {
            splitter.run(source.length, 2, (from, to) -> shortsIn(source, (int) from, (int) to, base));
        }
    }

    public void copyIn(int[] source) {
        copyIn(0, source);
    }

    /** Copies all of source into the region from byte {@code at} (a multiple of the element size). */
    public void copyIn(long at, int[] source) {
        long base = at / 4;
        if (splitter.serial((long) source.length * 4)) {
            intsIn(source, 0, source.length, base);
        } else {
            splitter.run(source.length, 4, (from, to) -> intsIn(source, (int) from, (int) to, base));
        }
    }

    public void copyIn(long[] source) {
        copyIn(0, source);
    }

    /** Copies all of source into the region from byte {@code at} (a multiple of the element size). */
    public void copyIn(long at, long[] source) {
        long base = at / 8;
        if (splitter.serial((long) source.length * 8)) {
            longsIn(source, 0, source.length, base);
        } else {
            splitter.run(source.length, 8, (from, to) -> longsIn(source, (int) from, (int) to, base));
        }
    }

    public void copyIn(float[] source) {
        copyIn(0, source);
    }

    /** Copies all of source into the region from byte {@code at} (a multiple of the element size). */
    public void copyIn(long at, float[] source) {
        long base = at / 4;
        if (splitter.serial((long) source.length * 4)) {
            floatsIn(source, 0, source.length, base);
        } else {
            splitter.run(source.length, 4, (from, to) -> floatsIn(source, (int) from, (int) to, base));
        }
    }

    public void copyIn(double[] source) {
        copyIn(0, source);
    }

    /** Copies all of source into the region from byte {@code at} (a multiple of the element size). */
    public void copyIn(long at, double[] source) {
        long base = at / 8;
        if (splitter.serial((long) source.length * 8)) {
            doublesIn(source, 0, source.length, base);
        } else {
            splitter.run(source.length, 8, (from, to) -> doublesIn(source, (int) from, (int) to, base));
        }
    }

    public void copyIn(boolean[] source) {
        copyIn(0, source);
    }

    /** Copies all of source into the region from byte {@code at} (a multiple of the element size). */
    public void copyIn(long at, boolean[] source) {
        long base = at;
        if (splitter.serial((long) source.length * 1)) {
            booleansIn(source, 0, source.length, base);
        } else {
            splitter.run(source.length, 1, (from, to) -> booleansIn(source, (int) from, (int) to, base));
        }
    }

    /** Copies {@code size} bytes from {@code source}'s position; the position does not move. */
    public void copyIn(ByteBuffer source) {
        copyIn(0, size, source);
    }

    /** Copies {@code length} bytes from {@code source}'s position to the region's byte {@code at}; the position does not move. */
    public void copyIn(long at, long length, ByteBuffer source) {
        int start = source.position();
        if (splitter.serial(length)) {
            bufferIn(source, start, 0, length, at);
        } else {
            splitter.run(length, 1, (from, to) -> bufferIn(source, start, from, to, at));
        }
    }

    /** Copies bytes [0, size) of {@code source}. */
    public void copyIn(ArrowBuf source) {
        copyIn(0, size, source);
    }

    /** Copies bytes [0, length) of {@code source} to the region's byte {@code at}. */
    public void copyIn(long at, long length, ArrowBuf source) {
        if (splitter.serial(length)) {
            arrowIn(source, 0, length, at);
        } else {
            splitter.run(length, 1, (from, to) -> arrowIn(source, from, to, at));
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
        copyOut(0, target);
    }

    /** Fills target from the region from byte {@code at} (a multiple of the element size). */
    public void copyOut(long at, byte[] target) {
        long base = at;
        if (splitter.serial((long) target.length * 1)) {
            bytesOut(target, 0, target.length, base);
        } else {
            splitter.run(target.length, 1, (from, to) -> bytesOut(target, (int) from, (int) to, base));
        }
    }

    public void copyOut(short[] target) {
        copyOut(0, target);
    }

    /** Fills target from the region from byte {@code at} (a multiple of the element size). */
    public void copyOut(long at, short[] target) {
        long base = at / 2;
        if (splitter.serial((long) target.length * 2)) {
            shortsOut(target, 0, target.length, base);
        } else {
            splitter.run(target.length, 2, (from, to) -> shortsOut(target, (int) from, (int) to, base));
        }
    }

    public void copyOut(int[] target) {
        copyOut(0, target);
    }

    /** Fills target from the region from byte {@code at} (a multiple of the element size). */
    public void copyOut(long at, int[] target) {
        long base = at / 4;
        if (splitter.serial((long) target.length * 4)) {
            intsOut(target, 0, target.length, base);
        } else {
            splitter.run(target.length, 4, (from, to) -> intsOut(target, (int) from, (int) to, base));
        }
    }

    public void copyOut(long[] target) {
        copyOut(0, target);
    }

    /** Fills target from the region from byte {@code at} (a multiple of the element size). */
    public void copyOut(long at, long[] target) {
        long base = at / 8;
        if (splitter.serial((long) target.length * 8)) {
            longsOut(target, 0, target.length, base);
        } else {
            splitter.run(target.length, 8, (from, to) -> longsOut(target, (int) from, (int) to, base));
        }
    }

    public void copyOut(float[] target) {
        copyOut(0, target);
    }

    /** Fills target from the region from byte {@code at} (a multiple of the element size). */
    public void copyOut(long at, float[] target) {
        long base = at / 4;
        if (splitter.serial((long) target.length * 4)) {
            floatsOut(target, 0, target.length, base);
        } else {
            splitter.run(target.length, 4, (from, to) -> floatsOut(target, (int) from, (int) to, base));
        }
    }

    public void copyOut(double[] target) {
        copyOut(0, target);
    }

    /** Fills target from the region from byte {@code at} (a multiple of the element size). */
    public void copyOut(long at, double[] target) {
        long base = at / 8;
        if (splitter.serial((long) target.length * 8)) {
            doublesOut(target, 0, target.length, base);
        } else {
            splitter.run(target.length, 8, (from, to) -> doublesOut(target, (int) from, (int) to, base));
        }
    }

    public void copyOut(boolean[] target) {
        copyOut(0, target);
    }

    /** Fills target from the region from byte {@code at} (a multiple of the element size). */
    public void copyOut(long at, boolean[] target) {
        long base = at;
        if (splitter.serial((long) target.length * 1)) {
            booleansOut(target, 0, target.length, base);
        } else {
            splitter.run(target.length, 1, (from, to) -> booleansOut(target, (int) from, (int) to, base));
        }
    }

    /** Copies the payload to {@code target}'s position; the position does not move. */
    public void copyOut(ByteBuffer target) {
        copyOut(0, size, target);
    }

    /** Copies {@code length} bytes from the region's byte {@code at} to {@code target}'s position; the position does not move. */
    public void copyOut(long at, long length, ByteBuffer target) {
        int start = target.position();
        if (splitter.serial(length)) {
            bufferOut(target, start, 0, length, at);
        } else {
            splitter.run(length, 1, (from, to) -> bufferOut(target, start, from, to, at));
        }
    }

    /** Copies the payload into bytes [0, size) of {@code target}. */
    public void copyOut(ArrowBuf target) {
        copyOut(0, size, target);
    }

    /** Copies {@code length} bytes from the region's byte {@code at} into bytes [0, length) of {@code target}. */
    public void copyOut(long at, long length, ArrowBuf target) {
        if (splitter.serial(length)) {
            arrowOut(target, 0, length, at);
        } else {
            splitter.run(length, 1, (from, to) -> arrowOut(target, from, to, at));
        }
    }

    // ------------------------------------------------------------------ ranges

    private void bytesIn(byte[] source, int from, int to, long base) {
        int per = windowBytes;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            bytes[w].put(at, source, e, n);
            e += n;
        }
    }

    private void bytesOut(byte[] target, int from, int to, long base) {
        int per = windowBytes;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            bytes[w].get(at, target, e, n);
            e += n;
        }
    }

    private void shortsIn(short[] source, int from, int to, long base) {
        int per = windowBytes / 2;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((ShortBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void shortsOut(short[] target, int from, int to, long base) {
        int per = windowBytes / 2;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((ShortBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void intsIn(int[] source, int from, int to, long base) {
        int per = windowBytes / 4;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((IntBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void intsOut(int[] target, int from, int to, long base) {
        int per = windowBytes / 4;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((IntBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void longsIn(long[] source, int from, int to, long base) {
        int per = windowBytes / 8;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((LongBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void longsOut(long[] target, int from, int to, long base) {
        int per = windowBytes / 8;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((LongBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void floatsIn(float[] source, int from, int to, long base) {
        int per = windowBytes / 4;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((FloatBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void floatsOut(float[] target, int from, int to, long base) {
        int per = windowBytes / 4;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((FloatBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void doublesIn(double[] source, int from, int to, long base) {
        int per = windowBytes / 8;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((DoubleBuffer) typed[w]).put(at, source, e, n);
            e += n;
        }
    }

    private void doublesOut(double[] target, int from, int to, long base) {
        int per = windowBytes / 8;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(to - e, per - at);
            ((DoubleBuffer) typed[w]).get(at, target, e, n);
            e += n;
        }
    }

    private void booleansIn(boolean[] source, int from, int to, long base) {
        byte[] chunk = new byte[Math.min(BOOLEAN_CHUNK, Math.max(0, to - from))];
        int per = windowBytes;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(Math.min(to - e, per - at), chunk.length);
            for (int i = 0; i < n; i++) {
                chunk[i] = source[e + i] ? (byte) 1 : (byte) 0;
            }
            bytes[w].put(at, chunk, 0, n);
            FaultBarrier.deliverPending();
            e += n;
        }
    }

    private void booleansOut(boolean[] target, int from, int to, long base) {
        byte[] chunk = new byte[Math.min(BOOLEAN_CHUNK, Math.max(0, to - from))];
        int per = windowBytes;
        for (int e = from; e < to; ) {
            long index = base + e;
            int w = (int) (index / per);
            int at = (int) (index - (long) w * per);
            int n = Math.min(Math.min(to - e, per - at), chunk.length);
            bytes[w].get(at, chunk, 0, n);
            FaultBarrier.deliverPending();
            for (int i = 0; i < n; i++) {
                target[e + i] = chunk[i] != 0;
            }
            e += n;
        }
    }

    private void bufferIn(ByteBuffer source, int start, long from, long to, long region) {
        for (long b = from; b < to; ) {
            int w = (int) ((region + b) / windowBytes);
            int at = (int) (region + b - (long) w * windowBytes);
            int n = (int) Math.min(to - b, windowBytes - at);
            bytes[w].put(at, source, (int) (start + b), n);
            b += n;
        }
    }

    private void bufferOut(ByteBuffer target, int start, long from, long to, long region) {
        for (long b = from; b < to; ) {
            int w = (int) ((region + b) / windowBytes);
            int at = (int) (region + b - (long) w * windowBytes);
            int n = (int) Math.min(to - b, windowBytes - at);
            target.put((int) (start + b), bytes[w], at, n);
            b += n;
        }
    }

    private void arrowIn(ArrowBuf source, long from, long to, long region) {
        for (long b = from; b < to; ) {
            int w = (int) ((region + b) / windowBytes);
            int at = (int) (region + b - (long) w * windowBytes);
            int n = (int) Math.min(to - b, windowBytes - at);
            bytes[w].put(at, source.nioBuffer(b, n), 0, n);
            b += n;
        }
    }

    private void arrowOut(ArrowBuf target, long from, long to, long region) {
        for (long b = from; b < to; ) {
            int w = (int) ((region + b) / windowBytes);
            int at = (int) (region + b - (long) w * windowBytes);
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

package io.arrowshm.internal.stream;

import com.sun.jna.Pointer;
import io.arrowshm.internal.posix.FaultBarrier;
import java.nio.ByteBuffer;

/**
 * Copies between two host address ranges of this process, either of which may be a mapped
 * segment that another process can truncate. The copy is the payload codec's: NIO bulk
 * copies (which HotSpot protects against SIGBUS), split across the {@link CopySplitter} when
 * large, and the fault barrier before returning, so a fault on a truncated segment is thrown
 * here, as the JVM's {@link InternalError}, and never surfaces later in unrelated code.
 */
public final class AddressCopy {
    /** NIO buffers index with {@code int}: ranges are copied in windows of 1 GiB. */
    private static final int WINDOW_BYTES = 1 << 30;

    private AddressCopy() {
    }

    /**
     * Copies {@code bytes} from {@code source} to {@code target}; the ranges must be mapped
     * for the whole call and must not overlap.
     *
     * @throws InternalError when a page of either range is no longer backed (the caller's
     *     guard turns it into the library's exception)
     */
    public static void copy(long source, long target, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot copy " + bytes + " bytes");
        }
        if (bytes == 0) {
            return;
        }
        if (source == 0 || target == 0) {
            throw new IllegalArgumentException("cannot copy " + bytes + " bytes " + (source == 0 ? "from" : "to")
                    + " address 0");
        }
        if (source < target ? target - source < bytes : source - target < bytes) {
            throw new IllegalArgumentException("the " + bytes + "-byte ranges at 0x" + Long.toHexString(source)
                    + " and 0x" + Long.toHexString(target) + " overlap");
        }
        CopySplitter splitter = CopySplitter.shared();
        if (splitter.serial(bytes)) {
            range(source, target, 0, bytes);
        } else {
            splitter.run(bytes, 1, (from, to) -> range(source, target, from, to));
        }
        FaultBarrier.deliverPending();
    }

    private static void range(long source, long target, long from, long to) {
        for (long b = from; b < to; ) {
            int n = (int) Math.min(to - b, WINDOW_BYTES);
            ByteBuffer in = new Pointer(source + b).getByteBuffer(0, n);
            ByteBuffer out = new Pointer(target + b).getByteBuffer(0, n);
            out.put(0, in, 0, n);
            b += n;
        }
    }
}

package io.arrowshm.gpu;

import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.nio.ByteBuffer;

/**
 * Decodes a stream's {@code _gpu} segment, whichever writer made it: arrow-shm's record
 * (starts with {@link GpuRecordLayout#MAGIC}) or pyshmem's torch pickle (starts with the
 * pickle PROTO opcode, 0x80).
 *
 * <pre>{@code
 * GpuHandle h = GpuHandleSegment.decode(ByteBuffer.wrap(segmentBytes));
 * if (h instanceof TorchCudaHandle t && t.eventSyncRequired()) { ... wait on t.eventHandle() ... }
 * }</pre>
 */
public final class GpuHandleSegment {
    private static final int PICKLE_PROTO = 0x80;

    private GpuHandleSegment() {
    }

    /**
     * @throws InvalidGpuHandleException {@link Kind#UNKNOWN_FORMAT} when the segment is
     *     neither format, or the format's own error
     */
    public static GpuHandle decode(ByteBuffer segment) {
        ByteBuffer view = segment.slice();
        if (startsWithMagic(view)) {
            return GpuRecord.decode(view);
        }
        if (view.remaining() > 0 && Byte.toUnsignedInt(view.get(0)) == PICKLE_PROTO) {
            return TorchIpcPickle.parse(view);
        }
        throw new InvalidGpuHandleException(Kind.UNKNOWN_FORMAT, "_gpu segment of " + view.remaining()
                + " bytes is neither an arrow-shm GPU record nor a protocol-4 torch pickle; recreate the"
                + " stream, or open it through its CPU mirror");
    }

    private static boolean startsWithMagic(ByteBuffer view) {
        byte[] magic = GpuRecordLayout.MAGIC;
        if (view.remaining() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (view.get(i) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}

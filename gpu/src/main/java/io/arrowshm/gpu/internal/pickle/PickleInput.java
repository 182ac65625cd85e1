package io.arrowshm.gpu.internal.pickle;

import io.arrowshm.gpu.InvalidGpuHandleException;
import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A little-endian cursor over the pickle bytes that never reads past the end: every read
 * checks the remaining length first, so a forged length fails as {@link Kind#TRUNCATED}
 * before anything is allocated.
 */
final class PickleInput {
    private final ByteBuffer bytes;

    /** Reads {@code source} from its position to its limit; the source itself is not moved. */
    PickleInput(ByteBuffer source) {
        this.bytes = source.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Offset of the next byte, from the start of the pickle. */
    int offset() {
        return bytes.position();
    }

    int remaining() {
        return bytes.remaining();
    }

    int u8(String what) {
        need(1, what);
        return Byte.toUnsignedInt(bytes.get());
    }

    int u16(String what) {
        need(2, what);
        return Short.toUnsignedInt(bytes.getShort());
    }

    int i32(String what) {
        need(4, what);
        return bytes.getInt();
    }

    long u32(String what) {
        need(4, what);
        return Integer.toUnsignedLong(bytes.getInt());
    }

    /** A u64; values above Long.MAX_VALUE come back negative and callers treat them as too large. */
    long u64(String what) {
        need(8, what);
        return bytes.getLong();
    }

    /** {@code length} bytes; {@code length} may be any declared value, checked before allocating. */
    byte[] bytes(long length, String what) {
        need(length, what);
        byte[] out = new byte[(int) length];
        bytes.get(out);
        return out;
    }

    /** {@code length} bytes of strict UTF-8. */
    String utf8(long length, String what) {
        int at = offset();
        byte[] raw = bytes(length, what);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidGpuHandleException(Kind.MALFORMED,
                    what + " at offset " + at + " is not valid UTF-8" + PickleMachine.ADVICE);
        }
    }

    private void need(long length, String what) {
        if (length < 0 || length > bytes.remaining()) {
            String declared = length < 0 ? Long.toUnsignedString(length) : Long.toString(length);
            throw new InvalidGpuHandleException(Kind.TRUNCATED,
                    "GPU handle payload ends inside " + what + " at offset " + bytes.position()
                            + ": it needs " + declared + " byte(s), " + bytes.remaining() + " remain"
                            + PickleMachine.ADVICE);
        }
    }
}

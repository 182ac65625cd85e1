package io.arrowshm.gpu;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, for payloads CPython's pickler would never produce. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes proto4() {
        return new PickleBytes().op(0x80).op(4);
    }

    PickleBytes op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBytes u32(long value) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array());
    }

    PickleBytes u64(long value) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    /** SHORT_BINUNICODE. */
    PickleBytes str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return op(0x8c, utf8.length).raw(utf8);
    }

    /** SHORT_BINUNICODE, SHORT_BINUNICODE, STACK_GLOBAL. */
    PickleBytes global(String module, String name) {
        return str(module).str(name).op(0x93);
    }

    PickleBytes repeat(int times, int... ops) {
        for (int i = 0; i < times; i++) {
            op(ops);
        }
        return this;
    }

    PickleBytes stop() {
        return op('.');
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes());
    }
}

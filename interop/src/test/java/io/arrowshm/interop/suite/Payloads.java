package io.arrowshm.interop.suite;

import io.arrowshm.DType;
import io.arrowshm.SharedMemory;
import io.arrowshm.testing.Patterns;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The payloads both languages build the same way (pyshmem_peer.py mirrors this): the rolling
 * byte pattern of {@link Patterns}, or the tiled {@link SpecialValues}. Java writes special
 * values as its typed arrays ({@code float[]}, {@code short[]} float16 bits, {@code boolean[]},
 * interleaved complex), so their bits travel through the typed copy paths, not only as bytes.
 */
final class Payloads {
    /** Above this size a reply carries only the SHA-256, not the bytes. */
    static final int SHOWN_BYTES = 4096;
    private static final int PATTERN_PERIOD = 65536;

    private Payloads() {
    }

    enum Kind {
        PATTERN, SPECIAL;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static byte[] bytes(DType dtype, long size, Kind kind, int seed) {
        return kind == Kind.PATTERN ? Patterns.bytes(dtype, size, seed)
                : SpecialValues.bytes(dtype, size / dtype.itemSize(), seed);
    }

    /**
     * SHA-256 of the pattern without holding it: it repeats every 64 KiB, so a 256 MiB payload
     * hashes from one block.
     */
    static String patternSha256(DType dtype, long size, int seed) {
        byte[] block = Patterns.bytes(dtype, Math.min(size, PATTERN_PERIOD), seed);
        MessageDigest digest = sha256();
        for (long done = 0; done < size; done += block.length) {
            digest.update(block, 0, (int) Math.min(block.length, size - done));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256(byte[] bytes) {
        return Patterns.sha256(bytes);
    }

    /** The dtype's Java array ({@link DType#javaArrayType()}) holding these little-endian bytes. */
    static Object typed(DType dtype, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Class<?> type = dtype.javaArrayType();
        if (type == byte[].class) {
            return bytes.clone();
        } else if (type == boolean[].class) {
            boolean[] out = new boolean[bytes.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = bytes[i] != 0;
            }
            return out;
        } else if (type == short[].class) {
            short[] out = new short[bytes.length / 2];
            in.asShortBuffer().get(out);
            return out;
        } else if (type == int[].class) {
            int[] out = new int[bytes.length / 4];
            in.asIntBuffer().get(out);
            return out;
        } else if (type == long[].class) {
            long[] out = new long[bytes.length / 8];
            in.asLongBuffer().get(out);
            return out;
        } else if (type == float[].class) {
            float[] out = new float[bytes.length / 4];
            for (int i = 0; i < out.length; i++) {
                out[i] = Float.intBitsToFloat(in.getInt(4 * i)); // raw bits, NaN payloads kept
            }
            return out;
        }
        double[] out = new double[bytes.length / 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.longBitsToDouble(in.getLong(8 * i));
        }
        return out;
    }

    /** The little-endian bytes of a typed array, floats by their raw bits. */
    static byte[] bytesOf(Object array) {
        if (array instanceof byte[]) {
            return ((byte[]) array).clone();
        } else if (array instanceof boolean[]) {
            boolean[] values = (boolean[]) array;
            byte[] out = new byte[values.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) (values[i] ? 1 : 0);
            }
            return out;
        }
        int length = java.lang.reflect.Array.getLength(array);
        ByteBuffer out = ByteBuffer.allocate(length * elementBytes(array)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; i++) {
            if (array instanceof short[]) {
                out.putShort(((short[]) array)[i]);
            } else if (array instanceof int[]) {
                out.putInt(((int[]) array)[i]);
            } else if (array instanceof long[]) {
                out.putLong(((long[]) array)[i]);
            } else if (array instanceof float[]) {
                out.putInt(Float.floatToRawIntBits(((float[]) array)[i]));
            } else {
                out.putLong(Double.doubleToRawLongBits(((double[]) array)[i]));
            }
        }
        return out.array();
    }

    /** Publishes a typed array through the {@code write} overload of its type. */
    static void write(SharedMemory shm, Object array) {
        if (array instanceof byte[]) {
            shm.write((byte[]) array);
        } else if (array instanceof boolean[]) {
            shm.write((boolean[]) array);
        } else if (array instanceof short[]) {
            shm.write((short[]) array);
        } else if (array instanceof int[]) {
            shm.write((int[]) array);
        } else if (array instanceof long[]) {
            shm.write((long[]) array);
        } else if (array instanceof float[]) {
            shm.write((float[]) array);
        } else {
            shm.write((double[]) array);
        }
    }

    /** Reads the stream through the {@code readInto} overload of its dtype's Java array; returns the array. */
    static Object readTyped(SharedMemory shm) {
        Object array = java.lang.reflect.Array.newInstance(shm.dtype().javaArrayType().getComponentType(),
                Math.toIntExact(shm.size() / javaElementBytes(shm.dtype())));
        if (array instanceof byte[]) {
            shm.readInto((byte[]) array);
        } else if (array instanceof boolean[]) {
            shm.readInto((boolean[]) array);
        } else if (array instanceof short[]) {
            shm.readInto((short[]) array);
        } else if (array instanceof int[]) {
            shm.readInto((int[]) array);
        } else if (array instanceof long[]) {
            shm.readInto((long[]) array);
        } else if (array instanceof float[]) {
            shm.readInto((float[]) array);
        } else {
            shm.readInto((double[]) array);
        }
        return array;
    }

    /** The stream's payload through {@code readInto(byte[])}. */
    static byte[] readBytes(SharedMemory shm) {
        byte[] bytes = new byte[Math.toIntExact(shm.size())];
        shm.readInto(bytes);
        return bytes;
    }

    private static int javaElementBytes(DType dtype) {
        return dtype == DType.COMPLEX64 || dtype == DType.COMPLEX128 ? dtype.itemSize() / 2 : dtype.itemSize();
    }

    private static int elementBytes(Object array) {
        if (array instanceof short[]) {
            return 2;
        }
        return array instanceof int[] || array instanceof float[] ? 4 : 8;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

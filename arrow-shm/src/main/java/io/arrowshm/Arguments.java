package io.arrowshm;

import io.arrowshm.internal.format.MetadataLayout;
import io.arrowshm.internal.stream.SeqlockReader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Checks of a caller's arguments against a stream, made before the stream is touched: a
 * write or read with the wrong length or type fails with {@link IllegalArgumentException}
 * and leaves the stream exactly as it was.
 */
final class Arguments {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long size;

    Arguments(String name, DType dtype, long[] shape, long size) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.size = size;
    }

    /** A primitive array of {@code length} elements of {@code itemBytes} each, of type {@code arrayType}. */
    <T> T array(T array, int length, int itemBytes) {
        Class<?> type = array.getClass();
        if (!dtype.accepts(type)) {
            throw new IllegalArgumentException("stream '" + name + "' holds " + dtype.numpyName() + "; use "
                    + dtype.javaArrayType().getSimpleName() + " or byte[] (raw), not " + type.getSimpleName());
        }
        if ((long) length * itemBytes != size) {
            throw new IllegalArgumentException("expected " + size / itemBytes + " elements for '" + name
                    + "' (shape " + Arrays.toString(shape) + ", " + dtype.numpyName() + "), got " + length);
        }
        return array;
    }

    ByteBuffer source(ByteBuffer bytes) {
        if (bytes.remaining() != size) {
            throw new IllegalArgumentException("expected " + size + " bytes for '" + name + "', got "
                    + bytes.remaining() + " remaining in the buffer");
        }
        return bytes;
    }

    ArrowBuf source(ArrowBuf bytes) {
        if (bytes.capacity() < size) {
            throw new IllegalArgumentException("expected an ArrowBuf of at least " + size + " bytes for '" + name
                    + "', got capacity " + bytes.capacity());
        }
        return bytes;
    }

    ByteBuffer target(ByteBuffer bytes) {
        if (bytes.isReadOnly() || bytes.remaining() < size) {
            throw new IllegalArgumentException("readInto needs a writable buffer with " + size
                    + " bytes remaining for '" + name + "', got " + bytes.remaining()
                    + (bytes.isReadOnly() ? " (read-only)" : ""));
        }
        return bytes;
    }

    ArrowBuf target(ArrowBuf bytes) {
        if (bytes.capacity() < size) {
            throw new IllegalArgumentException("readInto needs an ArrowBuf of at least " + size + " bytes for '"
                    + name + "', got capacity " + bytes.capacity());
        }
        return bytes;
    }

    static long after(long after) {
        if (after < 0) {
            throw new IllegalArgumentException("after must be non-negative, got " + after);
        }
        return after;
    }

    /** A {@link System#nanoTime()} deadline {@code timeout} from now (a year or more waits for good). */
    static long deadline(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be non-negative, got " + timeout);
        }
        if (timeout.compareTo(Duration.ofDays(365)) > 0) {
            return SeqlockReader.FOREVER;
        }
        return System.nanoTime() + timeout.toNanos();
    }

    /** prod(shape) * itemsize, with pyshmem's limits on the shape. */
    static long size(DType dtype, long[] shape) {
        if (shape.length == 0 || shape.length > MetadataLayout.MAX_NDIM) {
            throw new IllegalArgumentException("shape must have 1.." + MetadataLayout.MAX_NDIM
                    + " dimensions, got " + shape.length);
        }
        long size = dtype.itemSize();
        for (long dim : shape) {
            if (dim <= 0) {
                throw new IllegalArgumentException("shape dimensions must be positive, got " + Arrays.toString(shape));
            }
            try {
                size = Math.multiplyExact(size, dim);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " is too large: its size overflows 64 bits");
            }
        }
        return size;
    }
}

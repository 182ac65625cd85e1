package io.arrowshm.spi;

import io.arrowshm.DType;
import java.util.Arrays;

/**
 * What the core asks a {@link GpuSupport} for: the payload of stream {@code stream} on CUDA
 * ordinal {@code deviceIndex}, {@code size} bytes of {@code dtype} elements in C order.
 *
 * @param creatorPid the PID stored in the stream's metadata (the process that created it)
 */
public record DeviceRequest(String stream, int deviceIndex, DType dtype, long[] shape, long size, long creatorPid) {
    public DeviceRequest {
        if (deviceIndex < 0) {
            throw new IllegalArgumentException("device index must not be negative, got " + deviceIndex);
        }
        if (size <= 0) {
            throw new IllegalArgumentException("payload size must be positive, got " + size);
        }
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The device as pyshmem spells it: {@code "cuda:N"}. */
    public String device() {
        return "cuda:" + deviceIndex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceRequest r && r.stream.equals(stream) && r.deviceIndex == deviceIndex
                && r.dtype == dtype && Arrays.equals(r.shape, shape) && r.size == size && r.creatorPid == creatorPid;
    }

    @Override
    public int hashCode() {
        return stream.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "DeviceRequest[" + stream + " on " + device() + ", " + dtype.numpyName() + Arrays.toString(shape) + "]";
    }
}

package io.arrowshm;

import java.util.Arrays;

/**
 * A GPU stream's payload in device memory, as this handle sees it: what a CUDA library needs
 * to wrap it without a copy (ND4J's CUDA backend, JCuda, a JNI kernel). The memory is the
 * live payload: like {@link SharedMemory#buffer()}, it carries no consistency guarantee, so
 * use it under {@link SharedMemory#locked()}, or take a consistent copy into your own device
 * buffer with {@link SharedMemory#readIntoDevice(long)}. It is valid while the handle is open.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.open("frames", OpenOptions.gpuDevice("cuda:0"));
 *      var held = shm.locked()) {
 *     DeviceView v = shm.deviceView();
 *     myKernel(v.pointer(), v.size());       // cuda:0 pointer, v.size() bytes of v.dtype()
 * }
 * }</pre>
 *
 * @param pointer device pointer of the first element, in this process
 * @param size payload bytes
 * @param dtype element type
 * @param shape dimensions, C order (a copy)
 * @param deviceIndex CUDA ordinal
 */
public record DeviceView(long pointer, long size, DType dtype, long[] shape, int deviceIndex) {
    public DeviceView {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: prod(shape). */
    public long length() {
        return size / dtype.itemSize();
    }

    /** The device as pyshmem spells it, {@code "cuda:N"}. */
    public String device() {
        return "cuda:" + deviceIndex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceView v && v.pointer == pointer && v.size == size && v.dtype == dtype
                && Arrays.equals(v.shape, shape) && v.deviceIndex == deviceIndex;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pointer) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "DeviceView[" + device() + ", 0x" + Long.toHexString(pointer) + ", " + dtype.numpyName()
                + Arrays.toString(shape) + ", " + size + " bytes]";
    }
}

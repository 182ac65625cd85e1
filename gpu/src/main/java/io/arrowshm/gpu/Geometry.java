package io.arrowshm.gpu;

import io.arrowshm.gpu.InvalidGpuHandleException.Kind;

/** Overflow-checked shape arithmetic shared by both handle formats. */
final class Geometry {
    private Geometry() {
    }

    /** prod(shape) * itemSize, or a {@link Kind#GEOMETRY_MISMATCH} when it does not fit in a long. */
    static long byteSize(long[] shape, int itemSize, Kind kind) {
        try {
            long bytes = itemSize;
            for (long dim : shape) {
                bytes = Math.multiplyExact(bytes, dim);
            }
            return bytes;
        } catch (ArithmeticException e) {
            throw new InvalidGpuHandleException(kind, "shape " + GpuHandle.tuple(shape) + " of "
                    + itemSize + "-byte elements overflows 64 bits; the handle is damaged: recreate the stream");
        }
    }

    /**
     * The strides torch gives a contiguous tensor: each dim's stride is the product of the
     * later dims, counting 0-length dims as 1 (ATen's {@code compute_contiguous_strides}).
     */
    static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long step = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = step;
            step = Math.multiplyExact(step, Math.max(shape[i], 1));
        }
        return strides;
    }
}

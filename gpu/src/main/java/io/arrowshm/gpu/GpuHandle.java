package io.arrowshm.gpu;

import io.arrowshm.DType;
import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a stream's {@code _gpu} segment says about its device memory, whichever writer made
 * it: a torch pickle from pyshmem ({@link TorchCudaHandle}) or arrow-shm's own record
 * ({@link GpuRecord}). An attacher needs only these facts: open {@link #ipcMemHandle()} on
 * {@link #deviceIndex()}, then the payload is {@link #payloadSizeBytes()} bytes at
 * {@link #payloadOffsetBytes()} from the mapped base.
 *
 * <pre>{@code
 * GpuHandle h = GpuHandleSegment.decode(segmentBytes);
 * h.requireMatches("frames", DType.FLOAT32, new long[] {2, 3}, 0);
 * }</pre>
 */
public sealed interface GpuHandle permits TorchCudaHandle, GpuRecord {

    /** CUDA ordinal the memory lives on. */
    int deviceIndex();

    /** Tensor shape (a copy). */
    long[] shape();

    /** The element type's name, torch's and NumPy's alike (e.g. {@code "float32"}). */
    String dtypeName();

    /** The 64-byte {@code cudaIpcMemHandle_t} of the allocation's base (a copy). */
    byte[] ipcMemHandle();

    /** Byte offset of the first element from the base that {@link #ipcMemHandle()} maps. */
    long payloadOffsetBytes();

    /** Bytes of the payload: prod(shape) * itemsize. */
    long payloadSizeBytes();

    /**
     * Checks this handle against the stream's metadata, as pyshmem checks the rebuilt tensor.
     *
     * @throws InvalidGpuHandleException {@link Kind#GEOMETRY_MISMATCH} naming both geometries
     */
    default void requireMatches(String stream, DType dtype, long[] shape, int deviceIndex) {
        if (!Arrays.equals(shape(), shape) || !dtypeName().equals(dtype.numpyName())) {
            throw new InvalidGpuHandleException(Kind.GEOMETRY_MISMATCH, "GPU handle for '" + stream
                    + "' does not match the stream geometry (expected shape " + tuple(shape) + " dtype "
                    + dtype.numpyName() + ", got shape " + tuple(shape()) + " dtype " + dtypeName()
                    + "); the _gpu segment belongs to another generation: reopen the stream or recreate it");
        }
        if (deviceIndex() != deviceIndex) {
            throw new InvalidGpuHandleException(Kind.GEOMETRY_MISMATCH, "GPU handle for '" + stream
                    + "' is on cuda:" + deviceIndex() + " but its metadata says cuda:" + deviceIndex
                    + "; reopen the stream or recreate it");
        }
    }

    /** Python's tuple spelling, as pyshmem's messages print shapes. */
    static String tuple(long[] values) {
        String inner = Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(", "));
        return "(" + inner + (values.length == 1 ? ",)" : ")");
    }
}

package io.arrowshm.gpu;

import io.arrowshm.DType;
import io.arrowshm.gpu.InvalidGpuHandleException.Kind;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The 15 arguments of torch's {@code rebuild_cuda_tensor} as pyshmem stores them in the
 * {@code _gpu} segment (spec §6.1), read by {@link TorchIpcPickle} without torch. The
 * constructor checks that the geometry is self-consistent (contiguous strides, storage
 * large enough); {@link #requireMatches} checks it against the stream's metadata.
 *
 * <pre>{@code
 * TorchCudaHandle h = TorchIpcPickle.parse(segment);
 * long devicePtr = base + h.payloadOffsetBytes();   // base from cuIpcOpenMemHandle(h.ipcMemHandle())
 * }</pre>
 *
 * @param shape arg 1, {@code tensor_size}
 * @param stride arg 2, {@code tensor_stride}, in elements; always C-contiguous here
 * @param tensorOffset arg 3, element offset of the tensor inside its storage
 * @param storageClass arg 4, {@code torch.storage.TypedStorage} or {@code torch.storage._TypedStorage}
 * @param dtypeName arg 5, canonical torch dtype name, e.g. {@code "float32"}
 * @param itemSize bytes per element of {@code dtypeName}
 * @param deviceIndex arg 6, CUDA ordinal
 * @param storageHandle arg 7, the parsed {@code storage_handle}
 * @param storageSizeBytes arg 8, bytes of the storage
 * @param storageOffsetBytes arg 9, byte offset of the storage inside the cudaMalloc block
 * @param requiresGrad arg 10
 * @param refCounterHandle arg 11, name of torch's shared-memory ref-counter file
 * @param refCounterOffset arg 12, int64 slot in that file
 * @param eventHandle arg 13, the 64-byte {@code cudaIpcEventHandle_t}
 * @param eventSyncRequired arg 14, whether a consumer must wait on that event before first use
 */
public record TorchCudaHandle(
        long[] shape,
        long[] stride,
        long tensorOffset,
        String storageClass,
        String dtypeName,
        int itemSize,
        int deviceIndex,
        CudaIpcHandle storageHandle,
        long storageSizeBytes,
        long storageOffsetBytes,
        boolean requiresGrad,
        byte[] refCounterHandle,
        long refCounterOffset,
        byte[] eventHandle,
        boolean eventSyncRequired) implements GpuHandle {

    /**
     * @throws InvalidGpuHandleException {@link Kind#GEOMETRY_MISMATCH} when the fields
     *     disagree, {@link Kind#WRONG_STRUCTURE} for a malformed event handle
     */
    public TorchCudaHandle {
        shape = shape.clone();
        stride = stride.clone();
        refCounterHandle = refCounterHandle.clone();
        eventHandle = eventHandle.clone();
        checkGeometry(shape, stride, tensorOffset, itemSize, deviceIndex, storageSizeBytes, storageOffsetBytes,
                refCounterOffset);
        if (eventHandle.length != CudaIpcHandle.IPC_HANDLE_SIZE) {
            throw new InvalidGpuHandleException(Kind.WRONG_STRUCTURE, "event handle is " + eventHandle.length
                    + " bytes; a cudaIpcEventHandle_t is " + CudaIpcHandle.IPC_HANDLE_SIZE
                    + "; the _gpu segment is damaged: recreate the stream");
        }
    }

    private static void checkGeometry(long[] shape, long[] stride, long tensorOffset, int itemSize, int device,
            long storageSize, long storageOffset, long refCounterOffset) {
        String problem = null;
        if (Arrays.stream(shape).anyMatch(d -> d < 0)) {
            problem = "shape " + GpuHandle.tuple(shape) + " has a negative dimension";
        } else if (stride.length != shape.length) {
            problem = "stride " + GpuHandle.tuple(stride) + " has " + stride.length + " entries for the "
                    + shape.length + "-d shape " + GpuHandle.tuple(shape);
        } else if (tensorOffset < 0 || storageSize < 0 || storageOffset < 0 || refCounterOffset < 0) {
            problem = "negative offset or size (tensor_offset " + tensorOffset + ", storage_size_bytes "
                    + storageSize + ", storage_offset_bytes " + storageOffset + ", ref_counter_offset "
                    + refCounterOffset + ")";
        } else if (device < 0) {
            problem = "device index " + device + " is negative";
        }
        if (problem == null) {
            long payload = Geometry.byteSize(shape, itemSize, Kind.GEOMETRY_MISMATCH);
            long[] contiguous;
            try {
                contiguous = Geometry.contiguousStrides(shape);
            } catch (ArithmeticException e) {
                contiguous = null;
            }
            if (contiguous == null || !Arrays.equals(stride, contiguous)) {
                // pyshmem allocates with torch.empty, so anything else means a foreign or damaged payload,
                // and a flat copy of a strided tensor would read the wrong elements.
                problem = "stride " + GpuHandle.tuple(stride) + " is not C-contiguous for shape "
                        + GpuHandle.tuple(shape) + (contiguous == null ? "" : " (expected " + GpuHandle.tuple(contiguous) + ")");
            } else if (tensorOffset > (Long.MAX_VALUE - payload) / itemSize
                    || tensorOffset * itemSize + payload > storageSize) {
                problem = "tensor of " + payload + " bytes at element offset " + tensorOffset
                        + " does not fit in its " + storageSize + "-byte storage";
            } else if (storageOffset > Long.MAX_VALUE - storageSize) {
                problem = "storage offset " + storageOffset + " plus size " + storageSize + " overflows";
            }
        }
        if (problem != null) {
            throw new InvalidGpuHandleException(Kind.GEOMETRY_MISMATCH, "GPU handle geometry is inconsistent: "
                    + problem + "; the _gpu segment is damaged or foreign: recreate the stream");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] stride() {
        return stride.clone();
    }

    @Override
    public byte[] refCounterHandle() {
        return refCounterHandle.clone();
    }

    @Override
    public byte[] eventHandle() {
        return eventHandle.clone();
    }

    @Override
    public byte[] ipcMemHandle() {
        return storageHandle.memHandle();
    }

    @Override
    public long payloadOffsetBytes() {
        return storageOffsetBytes + tensorOffset * itemSize;
    }

    @Override
    public long payloadSizeBytes() {
        return Geometry.byteSize(shape, itemSize, Kind.GEOMETRY_MISMATCH);
    }

    /** pyshmem's dtype for {@link #dtypeName()}, empty for torch dtypes pyshmem cannot store. */
    public Optional<DType> dtype() {
        return TorchDTypes.byName(dtypeName).flatMap(TorchDTypes.Info::dtype);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchCudaHandle h
                && Arrays.equals(shape, h.shape) && Arrays.equals(stride, h.stride)
                && tensorOffset == h.tensorOffset && storageClass.equals(h.storageClass)
                && dtypeName.equals(h.dtypeName) && itemSize == h.itemSize && deviceIndex == h.deviceIndex
                && storageHandle.equals(h.storageHandle) && storageSizeBytes == h.storageSizeBytes
                && storageOffsetBytes == h.storageOffsetBytes && requiresGrad == h.requiresGrad
                && Arrays.equals(refCounterHandle, h.refCounterHandle) && refCounterOffset == h.refCounterOffset
                && Arrays.equals(eventHandle, h.eventHandle) && eventSyncRequired == h.eventSyncRequired;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + storageHandle.hashCode();
    }

    @Override
    public String toString() {
        return "TorchCudaHandle[shape=" + GpuHandle.tuple(shape) + ", dtype=" + dtypeName + ", device=cuda:"
                + deviceIndex + ", " + storageHandle + ", storageOffsetBytes=" + storageOffsetBytes
                + ", tensorOffset=" + tensorOffset + ", storageSizeBytes=" + storageSizeBytes
                + ", eventSyncRequired=" + eventSyncRequired + ", eventHandle="
                + HexFormat.of().formatHex(eventHandle, 0, 8) + "...]";
    }
}

package io.arrowshm.gpu;

/**
 * The byte layout of arrow-shm's own {@code _gpu} segment record, written for GPU streams
 * that Java creates ({@link GpuRecord}). All fields are little-endian; the record is 272
 * bytes with no padding and no reserved bytes.
 *
 * <p>Why not torch's pickle: pyshmem's consumers rebuild through torch's
 * {@code rebuild_cuda_tensor}, which opens the producer's torch ref-counter file (arg 11, a
 * {@code RefcountedMapAllocator} shared-memory file whose layout is private to each torch
 * release) and expects the producer to honour the counts. A Java producer cannot supply
 * that faithfully (spec §6, [Java note]), so it writes this record instead. pyshmem fails to
 * unpickle it cleanly ({@code UnpicklingError: invalid load key, 'A'}); in its default open
 * mode a stream with a CPU mirror then falls back to the mirror, which is why Java creates
 * GPU streams with a mirror by default.
 *
 * <p>Readers tell the formats apart by the first bytes: {@link #MAGIC} here, the pickle
 * PROTO opcode (0x80) for torch.
 */
public final class GpuRecordLayout {
    private GpuRecordLayout() {
    }

    /** 8 bytes {@code "ASHMGPU\0"} mark the record; 'A' is not a pickle opcode. */
    public static final int MAGIC_OFFSET = 0;
    /** The magic bytes. */
    public static final byte[] MAGIC = {'A', 'S', 'H', 'M', 'G', 'P', 'U', 0};
    /** u16 layout version; {@link #VERSION} for this layout. */
    public static final int VERSION_OFFSET = 8;
    /** u16 dtype code, pyshmem's table (see {@link io.arrowshm.DType}). */
    public static final int DTYPE_OFFSET = 10;
    /** i32 CUDA ordinal of the allocation, at least 0. */
    public static final int DEVICE_OFFSET = 12;
    /** u64 bytes of the device allocation, a positive multiple of {@link #ALLOCATION_GRANULARITY}. */
    public static final int ALLOCATION_SIZE_OFFSET = 16;
    /** u64 byte offset of the payload from the allocation base. */
    public static final int PAYLOAD_OFFSET_OFFSET = 24;
    /** u64 payload bytes, equal to prod(shape) * itemsize; offset + size fit in the allocation. */
    public static final int PAYLOAD_SIZE_OFFSET = 32;
    /** i64 PID of the creating process, greater than 0; the IPC handle dies with it. */
    public static final int CREATOR_PID_OFFSET = 40;
    /** u16 number of dimensions, 1..{@link #MAX_NDIM}. */
    public static final int NDIM_OFFSET = 48;
    /** u16 total record length, {@link #RECORD_LENGTH}; lets a later version grow the record. */
    public static final int RECORD_LENGTH_OFFSET = 50;
    /** u32 CRC-32 (java.util.zip.CRC32) of bytes [0, RECORD_LENGTH) with this field taken as zero. */
    public static final int CRC_OFFSET = 52;
    /** u64[19] dimensions, each above 0 below ndim, 0 from ndim on. */
    public static final int SHAPE_OFFSET = 56;
    /** Largest rank, the same as the metadata header's. */
    public static final int MAX_NDIM = 19;
    /** 64-byte {@code cudaIpcMemHandle_t} of the allocation base ({@code cuIpcGetMemHandle}). */
    public static final int IPC_HANDLE_OFFSET = SHAPE_OFFSET + 8 * MAX_NDIM;
    /** Bytes of the IPC handle. */
    public static final int IPC_HANDLE_LENGTH = 64;
    /** Bytes of the whole record. */
    public static final int RECORD_LENGTH = IPC_HANDLE_OFFSET + IPC_HANDLE_LENGTH;
    /** The layout version this class describes. */
    public static final int VERSION = 1;
    /**
     * Allocations are rounded up to 2 MiB, as torch's caching allocator rounds large blocks:
     * an IPC mapping covers the whole allocation, and stating its size lets an opener check
     * the payload's offset and size against what it maps.
     */
    public static final long ALLOCATION_GRANULARITY = 2L * 1024 * 1024;
}

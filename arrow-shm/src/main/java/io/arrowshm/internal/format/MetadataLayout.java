package io.arrowshm.internal.format;

/**
 * The byte layout of pyshmem's metadata segment (spec §2, §8): every offset, width and flag
 * bit in one place. All multi-byte fields are little-endian.
 */
public final class MetadataLayout {
    private MetadataLayout() {
    }

    // ---- v3 header, bytes [0, 256) ----

    /** 8 bytes {@code "PYSHMEM\0"} mark a v3 header. */
    public static final int MAGIC_OFFSET = 0;
    /** The magic bytes. */
    public static final byte[] MAGIC = {'P', 'Y', 'S', 'H', 'M', 'E', 'M', 0};
    /** u16 layout version; 3 for this layout. */
    public static final int VERSION_OFFSET = 8;
    /** u16 header size; always 256. */
    public static final int HEADER_SIZE_OFFSET = 10;
    /** u32 feature flags ({@code FLAG_*}). */
    public static final int FLAGS_OFFSET = 12;
    /** u16 dtype code (see {@link io.arrowshm.DType}). */
    public static final int DTYPE_OFFSET = 16;
    /** u16 number of dimensions, 1..19. */
    public static final int NDIM_OFFSET = 18;
    /** i32 CUDA ordinal of a GPU stream; -1 for a CPU stream. */
    public static final int DEVICE_INDEX_OFFSET = 20;
    /** i64 PID of the creating process, greater than 0. */
    public static final int CREATOR_PID_OFFSET = 24;
    /** u64 payload bytes, equal to prod(shape) * itemsize. */
    public static final int SIZE_OFFSET = 32;
    /** u64 completed publications (hot, mutable). */
    public static final int COUNT_OFFSET = 40;
    /** i64 seqlock word: even stable, odd writing, negative invalid; its low 32 bits are the futex word. */
    public static final int WRITE_SEQUENCE_OFFSET = 48;
    /** f64 epoch seconds of the last completed write (mutable). */
    public static final int WRITE_TIME_OFFSET = 56;
    /** i64 PID holding the write lock, else 0 (mutable). */
    public static final int LOCK_OWNER_PID_OFFSET = 64;
    /** u32 re-entrant depth of the lock holder, else 0 (mutable). */
    public static final int LOCK_DEPTH_OFFSET = 72;
    /** 16 random bytes naming this generation of the stream. */
    public static final int INSTANCE_ID_OFFSET = 76;
    /** Length of the instance id. */
    public static final int INSTANCE_ID_LENGTH = 16;
    /** u32 CRC-32 of the immutable header fields and the name region. */
    public static final int HEADER_CRC_OFFSET = 92;
    /** u64 user publication token of the last write (mutable). */
    public static final int FRAME_ID_OFFSET = 96;
    /** u64[19] dimensions; entries at and past ndim are 0. */
    public static final int SHAPE_OFFSET = 104;
    /** Largest rank the shape region holds. */
    public static final int MAX_NDIM = 19;
    /** Bytes of the fixed header. */
    public static final int HEADER_LENGTH = 256;
    /** The layout version this class describes. */
    public static final int VERSION = 3;

    /** Byte ranges [start, end) the CRC treats as zero: the mutable fields and the CRC itself. */
    public static final int[][] CRC_EXCLUDED_RANGES = {
        {COUNT_OFFSET, COUNT_OFFSET + 8},
        {WRITE_SEQUENCE_OFFSET, WRITE_SEQUENCE_OFFSET + 8},
        {WRITE_TIME_OFFSET, WRITE_TIME_OFFSET + 8},
        {LOCK_OWNER_PID_OFFSET, LOCK_OWNER_PID_OFFSET + 8},
        {LOCK_DEPTH_OFFSET, LOCK_DEPTH_OFFSET + 4},
        {HEADER_CRC_OFFSET, HEADER_CRC_OFFSET + 4},
        {FRAME_ID_OFFSET, FRAME_ID_OFFSET + 8},
    };

    // ---- name region, bytes [256, 512) ----

    /** Start of the UTF-8, NUL-padded stream name. */
    public static final int NAME_REGION_OFFSET = 256;
    /** Bytes reserved for the name. */
    public static final int NAME_REGION_LENGTH = 256;
    /** Size of a metadata segment pyshmem creates. */
    public static final int TOTAL_LENGTH = NAME_REGION_OFFSET + NAME_REGION_LENGTH;

    // ---- flags ----

    /** The payload lives in a CUDA allocation; device_index is its ordinal. */
    public static final int FLAG_GPU_ENABLED = 1;
    /** The data segment holds a valid payload (always set for CPU streams). */
    public static final int FLAG_CPU_MIRROR = 1 << 1;
    /** instance_id is valid and non-zero. */
    public static final int FLAG_INSTANCE_ID = 1 << 2;
    /** header_crc is valid. */
    public static final int FLAG_HEADER_CRC = 1 << 3;
    /** Writers FUTEX_WAKE the write_sequence word after each publication. */
    public static final int FLAG_NOTIFY = 1 << 4;
    /** Every flag 1.4.0 knows; any other bit fails validation. */
    public static final int KNOWN_FLAGS = FLAG_GPU_ENABLED | FLAG_CPU_MIRROR | FLAG_INSTANCE_ID
            | FLAG_HEADER_CRC | FLAG_NOTIFY;

    // ---- legacy v2: float64[32] over bytes [0, 256) ----

    /** v2 marker: float64 slot 0 holds 2.0. */
    public static final int V2_VERSION = 2;
    /** v2 slot of the publication count. */
    public static final int V2_COUNT = 1;
    /** v2 slot of the dtype code. */
    public static final int V2_DTYPE = 2;
    /** v2 slot of ndim. */
    public static final int V2_NDIM = 3;
    /** v2 slot of the payload size. */
    public static final int V2_SIZE = 4;
    /** v2 slot of gpu_enabled (0 or 1). */
    public static final int V2_GPU_ENABLED = 5;
    /** v2 slot of device_index. */
    public static final int V2_DEVICE_INDEX = 6;
    /** v2 slot of creator_pid. */
    public static final int V2_CREATOR_PID = 7;
    /** v2 slot of write_time. */
    public static final int V2_WRITE_TIME = 8;
    /** v2 slot of write_sequence. */
    public static final int V2_WRITE_SEQUENCE = 9;
    /** v2 slot of lock_owner_pid. */
    public static final int V2_LOCK_OWNER_PID = 10;
    /** v2 slot of lock_depth. */
    public static final int V2_LOCK_DEPTH = 11;
    /** v2 slot of cpu_mirror (0 or 1). */
    public static final int V2_CPU_MIRROR = 12;
    /** v2 slot of shape[0]; shape[i] is at V2_SHAPE + i. */
    public static final int V2_SHAPE = 13;

    /** Byte offset of v2 float64 slot {@code index}. */
    public static int v2Offset(int index) {
        return index * Double.BYTES;
    }
}

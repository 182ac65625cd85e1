package io.arrowshm.internal.ring;

/**
 * The byte layout of a ring segment, version 1: every offset, size, limit and stamp encoding of
 * {@code docs/ring-format.md} in one place, named as the document names them. All integers are
 * little-endian at naturally aligned offsets from the start of the file.
 *
 * <pre>
 * [0, 4096)                        header: immutable fields [0, 768), hot words at 1024, 1152, 1280
 * [4096, 4096 + 128 * max_cursors)  cursor table
 * [slot_table_offset, + 64 * capacity)   slot table (stamp, frame_id, write_ns per slot)
 * [data_offset, + slot_size * capacity)  slot data, packed, data_offset on a 64 KiB boundary
 * </pre>
 */
public final class RingDescriptor {
    private RingDescriptor() {
    }

    // ---- names (§1) ----

    /** Prefix of a ring's segment under /dev/shm, followed by 14 hex digits of sha1(name). */
    public static final String SEGMENT_PREFIX = "arrowshm_ring_";
    /** Suffix of a creator's temporary file before it is linked to the final name (§9.1). */
    public static final String TEMP_SUFFIX = ".tmp";
    /** Lock file suffix of the writer lease. */
    public static final String WRITER_LOCK_SUFFIX = ".writer.lock";
    /** Lock file suffix of the cursor table lock. */
    public static final String TABLE_LOCK_SUFFIX = ".table.lock";
    /** Lock file infix of a cursor's liveness lock: {@code .cursor-<index>.lock}. */
    public static final String CURSOR_LOCK_INFIX = ".cursor-";
    /** Longest ring name, in UTF-8 bytes (the name field). */
    public static final int MAX_NAME_BYTES = 256;
    /** Longest cursor name, in UTF-8 bytes. */
    public static final int MAX_CURSOR_NAME_BYTES = 64;

    // ---- header, immutable part [0, 768) (§2.1) ----

    /** 8 bytes {@code "ASHMRING"}. */
    public static final int MAGIC_OFFSET = 0;
    /** The magic bytes. */
    public static final byte[] MAGIC = {'A', 'S', 'H', 'M', 'R', 'I', 'N', 'G'};
    /** u16 layout version. */
    public static final int VERSION_OFFSET = 8;
    /** The version this class describes. */
    public static final int VERSION = 1;
    /** u16 bytes of the header region. */
    public static final int HEADER_SIZE_OFFSET = 10;
    /** The header region's size: one 4 KiB block before the cursor table. */
    public static final int HEADER_SIZE = 4096;
    /** u32 feature flags; none defined in version 1, so it must be 0. */
    public static final int FLAGS_OFFSET = 12;
    /** u16 pyshmem dtype code. */
    public static final int DTYPE_OFFSET = 16;
    /** u16 number of dimensions, 1..19. */
    public static final int NDIM_OFFSET = 18;
    /** u32 overflow policy: {@link #OVERFLOW_BLOCK} or {@link #OVERFLOW_OVERWRITE}. */
    public static final int OVERFLOW_OFFSET = 20;
    /** Overflow code: the writer waits for the slowest gating cursor. */
    public static final int OVERFLOW_BLOCK = 0;
    /** Overflow code: the writer never waits; lapped readers count what they lost. */
    public static final int OVERFLOW_OVERWRITE = 1;
    /** i64 pid of the creating process, greater than 0. */
    public static final int CREATOR_PID_OFFSET = 24;
    /** u64 bytes of one tensor, prod(shape) * itemsize. */
    public static final int SLOT_SIZE_OFFSET = 32;
    /** u64 number of slots. */
    public static final int CAPACITY_OFFSET = 40;
    /** u32 entries in the cursor table. */
    public static final int MAX_CURSORS_OFFSET = 48;
    /** u32 bytes of one cursor entry, {@link #CURSOR_ENTRY_SIZE}. */
    public static final int CURSOR_ENTRY_SIZE_OFFSET = 52;
    /** u32 bytes of one slot entry, {@link #SLOT_ENTRY_SIZE}. */
    public static final int SLOT_ENTRY_SIZE_OFFSET = 56;
    /** u32 reserved, 0. */
    public static final int RESERVED_OFFSET = 60;
    /** u64 start of the cursor table. */
    public static final int CURSOR_TABLE_OFFSET_OFFSET = 64;
    /** u64 start of the slot table. */
    public static final int SLOT_TABLE_OFFSET_OFFSET = 72;
    /** u64 start of the slot data. */
    public static final int DATA_OFFSET_OFFSET = 80;
    /** u64 total bytes the file must hold. */
    public static final int SEGMENT_SIZE_OFFSET = 88;
    /** 16 random bytes naming this generation. */
    public static final int INSTANCE_ID_OFFSET = 96;
    /** Length of the instance id. */
    public static final int INSTANCE_ID_LENGTH = 16;
    /** i64 creation time, epoch nanoseconds. */
    public static final int CREATED_NS_OFFSET = 112;
    /** u64[19] dimensions; entries at and past ndim are 0. */
    public static final int SHAPE_OFFSET = 120;
    /** Largest rank (pyshmem's). */
    public static final int MAX_NDIM = 19;
    /** u32 CRC-32 over [0, {@link #IMMUTABLE_LENGTH}) with this field taken as zero. */
    public static final int HEADER_CRC_OFFSET = 272;
    /** UTF-8 name, NUL-padded to {@link #MAX_NAME_BYTES}. */
    public static final int NAME_OFFSET = 512;
    /** End of the immutable part, which the CRC covers. */
    public static final int IMMUTABLE_LENGTH = 768;

    // ---- header, hot words (§2.2), each group on its own 128-byte block ----

    /** u64 positions published; its low 32 bits are the data futex word. */
    public static final int WRITE_POSITION_OFFSET = 1024;
    /** u32 readers parked or about to park on the data futex word (atomic add). */
    public static final int READER_WAITERS_OFFSET = 1032;
    /** i64 pid of the writer lease holder, 0 when none. */
    public static final int WRITER_PID_OFFSET = 1152;
    /** u32 1 while the writer parks waiting for cursors. */
    public static final int WRITER_WAITING_OFFSET = 1160;
    /** u32 the space futex word: readers add 1 when they free space for a waiting writer. */
    public static final int READ_NOTIFY_OFFSET = 1164;
    /** u32 increased under the table lock when the set of gating cursors may have grown. */
    public static final int CURSOR_EPOCH_OFFSET = 1280;

    // ---- cursor table (§2.3) ----

    /** Start of the cursor table. */
    public static final int CURSOR_TABLE_OFFSET = HEADER_SIZE;
    /** Bytes of one cursor entry. */
    public static final int CURSOR_ENTRY_SIZE = 128;
    /** u32 entry state: {@link #CURSOR_FREE} or {@link #CURSOR_ACTIVE}. */
    public static final int CURSOR_STATE = 0;
    /** State of an unused, all-zero entry. */
    public static final int CURSOR_FREE = 0;
    /** State of a named cursor. */
    public static final int CURSOR_ACTIVE = 1;
    /** u32 cursor flags ({@link #CURSOR_BLOCKING}, {@link #CURSOR_UNTETHERED}). */
    public static final int CURSOR_FLAGS = 4;
    /** Flag: the cursor holds a BLOCK writer back. */
    public static final int CURSOR_BLOCKING = 1;
    /** Flag: its grace ran out while detached; it holds nobody back until a reader attaches. */
    public static final int CURSOR_UNTETHERED = 2;
    /** Every flag version 1 defines. */
    public static final int CURSOR_KNOWN_FLAGS = CURSOR_BLOCKING | CURSOR_UNTETHERED;
    /** u64 next position the cursor delivers; stored only by its attached reader. */
    public static final int CURSOR_POSITION = 8;
    /** i64 pid of the attached reader's process, 0 when detached. */
    public static final int CURSOR_PID = 16;
    /** i64 epoch nanoseconds of the last detach; 0 while attached. */
    public static final int CURSOR_DETACHED_NS = 24;
    /** u64 how long a detached cursor keeps holding a BLOCK writer back. */
    public static final int CURSOR_GRACE_NS = 32;
    /** u64 attaches so far (diagnostic). */
    public static final int CURSOR_ATTACH_COUNT = 40;
    /** u16 bytes of the name. */
    public static final int CURSOR_NAME_LENGTH = 48;
    /** u32 1 while the attached reader counts itself in reader_waiters. */
    public static final int CURSOR_PARKED = 52;
    /** The cursor's UTF-8 name, NUL-padded. */
    public static final int CURSOR_NAME = 64;

    // ---- slot table (§2.4) ----

    /** Bytes of one slot entry. */
    public static final int SLOT_ENTRY_SIZE = 64;
    /** i64 the slot's seqlock word (see {@link #written}, {@link #writing}, {@link #abandoned}). */
    public static final int SLOT_STAMP = 0;
    /** u64 the writer's token for the frame. */
    public static final int SLOT_FRAME_ID = 8;
    /** i64 epoch nanoseconds when the writer began the frame. */
    public static final int SLOT_WRITE_NS = 16;

    // ---- slot data (§2.5) ----

    /** The slot data starts on a multiple of this, so it is page-aligned with 4 KiB and 64 KiB pages. */
    public static final int DATA_ALIGNMENT = 65536;

    // ---- limits (§3) ----

    /** Most slots a ring may have. */
    public static final long MAX_CAPACITY = 1L << 20;
    /** Most cursor entries. */
    public static final int MAX_CURSORS = 1024;
    /** Positions, slot sizes and the segment size stay below this, so every stamp fits an i64. */
    public static final long POSITION_LIMIT = 1L << 62;

    // ---- futex and waits (§7) ----

    /** Longest single park: a lost wake-up or a dead peer costs at most this. */
    public static final long MAX_PARK_NANOS = 50_000_000L;
    /** Default grace of a detached cursor (§8.1). */
    public static final long DEFAULT_GRACE_NANOS = 5_000_000_000L;
    /** A blocked writer first probes the cursors holding it back this long into its wait (§5.4). */
    public static final long PROBE_INTERVAL_NANOS = 10_000_000L;

    // ---- stamps ----

    /** The stamp of a slot holding the complete frame of {@code position}. */
    public static long written(long position) {
        return 2 * position + 2;
    }

    /** The stamp of a slot the writer is filling with {@code position}. */
    public static long writing(long position) {
        return 2 * position + 1;
    }

    /** The stamp of a slot whose writer died while writing {@code position}. */
    public static long abandoned(long position) {
        return -(2 * position + 1);
    }

    /** Start of the slot table for {@code maxCursors} cursor entries. */
    public static long slotTableOffset(int maxCursors) {
        return CURSOR_TABLE_OFFSET + (long) CURSOR_ENTRY_SIZE * maxCursors;
    }

    /** Start of the slot data. */
    public static long dataOffset(int maxCursors, long capacity) {
        long end = slotTableOffset(maxCursors) + SLOT_ENTRY_SIZE * capacity;
        return (end + DATA_ALIGNMENT - 1) / DATA_ALIGNMENT * DATA_ALIGNMENT;
    }
}

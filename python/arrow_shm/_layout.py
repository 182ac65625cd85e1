"""The ring segment's binary layout (ring format §2): every offset, width and limit, named once.

All integers are little-endian at naturally aligned offsets from the start of the file.
"""
from __future__ import annotations

# --- header, immutable part: bytes [0, 768) (§2.1) ---------------------------------------
MAGIC = b"ASHMRING"
#: The format version this implementation reads and writes.
VERSION = 1
#: Bytes of the header; the cursor table follows it.
HEADER_SIZE = 4096
#: The immutable part of the header, which header_crc covers.
IMMUTABLE_SIZE = 768

MAGIC_OFFSET = 0            # 8 bytes, "ASHMRING"
VERSION_OFFSET = 8          # u16
HEADER_SIZE_OFFSET = 10     # u16, 4096
FLAGS_OFFSET = 12           # u32, 0 in version 1
DTYPE_CODE_OFFSET = 16      # u16, pyshmem's dtype table
NDIM_OFFSET = 18            # u16, 1..19
OVERFLOW_OFFSET = 20        # u32, 0 BLOCK, 1 OVERWRITE
CREATOR_PID_OFFSET = 24     # i64, > 0
SLOT_SIZE_OFFSET = 32       # u64, prod(shape) * itemsize
CAPACITY_OFFSET = 40        # u64, slots
MAX_CURSORS_OFFSET = 48     # u32, cursor table entries
CURSOR_ENTRY_SIZE_OFFSET = 52  # u32, 128
SLOT_ENTRY_SIZE_OFFSET = 56    # u32, 64
RESERVED_60_OFFSET = 60     # u32, 0
CURSOR_TABLE_OFFSET_OFFSET = 64  # u64, 4096
SLOT_TABLE_OFFSET_OFFSET = 72    # u64, 4096 + 128 * max_cursors
DATA_OFFSET_OFFSET = 80     # u64, slot table end rounded up to 64 KiB
SEGMENT_SIZE_OFFSET = 88    # u64, data_offset + slot_size * capacity
INSTANCE_ID_OFFSET = 96     # 16 random bytes, not all zero: this generation
INSTANCE_ID_SIZE = 16
CREATED_NS_OFFSET = 112     # i64, CLOCK_REALTIME nanoseconds
SHAPE_OFFSET = 120          # u64[19], 0 past ndim
MAX_NDIM = 19
HEADER_CRC_OFFSET = 272     # u32, CRC-32 of [0, 768) with these 4 bytes as zero
RESERVED_276_OFFSET = 276   # 236 bytes, 0
RESERVED_276_SIZE = 236
NAME_OFFSET = 512           # 256 bytes, UTF-8, NUL-padded
NAME_SIZE = 256
RESERVED_768_OFFSET = 768   # 256 bytes, 0
RESERVED_768_SIZE = 256

OVERFLOW_BLOCK = 0
OVERFLOW_OVERWRITE = 1

# --- header, hot words (§2.2), each group on its own 128-byte block ------------------------
#: u64: positions published; its low 32 bits are the data futex word.
WRITE_POSITION_OFFSET = 1024
#: u32: readers parked, or about to park, on the data futex word (atomic add).
READER_WAITERS_OFFSET = 1032
#: i64: pid of the writer lease holder, 0 when none (diagnostic).
WRITER_PID_OFFSET = 1152
#: u32: 1 while the writer is parked, or about to park, waiting for cursors.
WRITER_WAITING_OFFSET = 1160
#: u32: the space futex word, increased by readers that free space for a waiting writer.
READ_NOTIFY_OFFSET = 1164
#: u32: increased (under the table lock) whenever the set of gating cursors may have grown.
CURSOR_EPOCH_OFFSET = 1280

# --- cursor table (§2.3): max_cursors entries of 128 bytes from cursor_table_offset --------
CURSOR_ENTRY_SIZE = 128
CURSOR_STATE = 0            # u32, 0 FREE, 1 ACTIVE
CURSOR_FLAGS = 4            # u32, bit 0 BLOCKING, bit 1 UNTETHERED
CURSOR_POSITION = 8         # u64, the next position this cursor delivers (its reader's own)
CURSOR_PID = 16             # i64, the attached reader's pid, 0 when detached
CURSOR_DETACHED_NS = 24     # i64, CLOCK_REALTIME ns of the last detach, 0 while attached
CURSOR_GRACE_NS = 32        # u64, how long a detached cursor holds a BLOCK writer back
CURSOR_ATTACH_COUNT = 40    # u64, attaches so far (diagnostic)
CURSOR_NAME_LENGTH = 48     # u16, 1..64
CURSOR_PARKED = 52          # u32, 1 while the reader counts itself in reader_waiters
CURSOR_RESERVED_56 = 56     # 8 bytes, 0
CURSOR_NAME = 64            # 64 bytes, UTF-8, NUL-padded
CURSOR_NAME_SIZE = 64

CURSOR_FREE = 0
CURSOR_ACTIVE = 1
CURSOR_BLOCKING = 1 << 0
CURSOR_UNTETHERED = 1 << 1
CURSOR_KNOWN_FLAGS = CURSOR_BLOCKING | CURSOR_UNTETHERED

# --- slot table (§2.4): capacity entries of 64 bytes from slot_table_offset ----------------
SLOT_ENTRY_SIZE = 64
SLOT_STAMP = 0              # i64, the slot's seqlock word (see stamps below)
SLOT_FRAME_ID = 8           # u64, the writer's token for the frame
SLOT_WRITE_NS = 16          # i64, CLOCK_REALTIME ns when the writer began the frame

# --- limits ---------------------------------------------------------------------------------
MAX_CAPACITY = 1 << 20
MAX_CURSORS = 1024
#: Sizes and positions stay below this, so every stamp fits an i64 (§2.4, §3).
SIZE_LIMIT = 1 << 62
#: data_offset is rounded up to this (64 KiB), so the slot data is page-aligned (§2.5).
DATA_ALIGNMENT = 1 << 16


# --- stamps (§2.4) --------------------------------------------------------------------------
def writing(p: int) -> int:
    """The stamp of a slot the writer is writing position p into (odd)."""
    return 2 * p + 1


def complete(p: int) -> int:
    """The stamp of a slot that holds the complete frame of position p (even, > 0)."""
    return 2 * p + 2


def abandoned(p: int) -> int:
    """The stamp of position p, abandoned because its writer died writing it (negative)."""
    return -(2 * p + 1)


# --- geometry (§2.1): the offsets a reader recomputes rather than trusts -------------------
def slot_table_offset(max_cursors: int) -> int:
    return HEADER_SIZE + CURSOR_ENTRY_SIZE * max_cursors


def data_offset(max_cursors: int, capacity: int) -> int:
    end = slot_table_offset(max_cursors) + SLOT_ENTRY_SIZE * capacity
    return -(-end // DATA_ALIGNMENT) * DATA_ALIGNMENT


def segment_size(max_cursors: int, capacity: int, slot_size: int) -> int:
    """Bytes of the whole file; may exceed SIZE_LIMIT (the caller refuses that)."""
    return data_offset(max_cursors, capacity) + slot_size * capacity

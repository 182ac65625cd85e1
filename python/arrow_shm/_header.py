"""Encoding and validating a ring's immutable header (ring format §2.1 and §3)."""
from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from . import _dtypes, _layout as L, _names
from .errors import InvalidMetadataError


@dataclass(frozen=True)
class RingGeometry:
    """The immutable facts of one ring generation, as validated from its header."""

    name: str
    dtype: np.dtype
    shape: Tuple[int, ...]
    overflow: int
    creator_pid: int
    slot_size: int
    capacity: int
    max_cursors: int
    slot_table_offset: int
    data_offset: int
    segment_size: int
    instance_id: bytes
    created_ns: int

    @property
    def digest(self) -> str:
        return _names.h14(self.name.encode("utf-8"))

    @property
    def overwrite(self) -> bool:
        return self.overflow == L.OVERFLOW_OVERWRITE


def header_crc(immutable: bytes) -> int:
    """CRC-32 (zlib's) over bytes [0, 768) with header_crc's own four bytes taken as zero."""
    crc = zlib.crc32(immutable[:L.HEADER_CRC_OFFSET])
    crc = zlib.crc32(b"\0\0\0\0", crc)
    return zlib.crc32(immutable[L.HEADER_CRC_OFFSET + 4:L.IMMUTABLE_SIZE], crc) & 0xFFFFFFFF


def slot_size_of(shape: Tuple[int, ...], itemsize: int) -> Optional[int]:
    """prod(shape) * itemsize, or None when it would pass 2^62."""
    size = itemsize
    for dim in shape:
        size *= dim
        if size >= L.SIZE_LIMIT:
            return None
    return size


def encode(name: str, dtype_code: int, shape: Tuple[int, ...], capacity: int, max_cursors: int,
           overflow: int, creator_pid: int, instance_id: bytes, created_ns: int) -> bytes:
    """The 768 immutable header bytes of a new ring; the caller has checked every argument."""
    itemsize = _dtypes.BY_CODE[dtype_code].itemsize
    slot_size = slot_size_of(shape, itemsize)
    assert slot_size is not None and len(instance_id) == L.INSTANCE_ID_SIZE
    raw = bytearray(L.IMMUTABLE_SIZE)
    raw[L.MAGIC_OFFSET:L.MAGIC_OFFSET + 8] = L.MAGIC
    struct.pack_into("<HHI", raw, L.VERSION_OFFSET, L.VERSION, L.HEADER_SIZE, 0)
    struct.pack_into("<HHIqQQIII", raw, L.DTYPE_CODE_OFFSET, dtype_code, len(shape), overflow, creator_pid,
                     slot_size, capacity, max_cursors, L.CURSOR_ENTRY_SIZE, L.SLOT_ENTRY_SIZE)
    struct.pack_into("<QQQQ", raw, L.CURSOR_TABLE_OFFSET_OFFSET, L.HEADER_SIZE, L.slot_table_offset(max_cursors),
                     L.data_offset(max_cursors, capacity), L.segment_size(max_cursors, capacity, slot_size))
    raw[L.INSTANCE_ID_OFFSET:L.INSTANCE_ID_OFFSET + L.INSTANCE_ID_SIZE] = instance_id
    struct.pack_into("<q", raw, L.CREATED_NS_OFFSET, created_ns)
    struct.pack_into(f"<{len(shape)}Q", raw, L.SHAPE_OFFSET, *shape)
    name_bytes = name.encode("utf-8")
    raw[L.NAME_OFFSET:L.NAME_OFFSET + len(name_bytes)] = name_bytes
    struct.pack_into("<I", raw, L.HEADER_CRC_OFFSET, header_crc(bytes(raw)))
    return bytes(raw)


class _Checker:
    """Raises InvalidMetadataError naming the field, the file and what to do."""

    def __init__(self, path: str, name: Optional[str]) -> None:
        self.path = path
        self.name = name

    def fail(self, field: str, what: str) -> InvalidMetadataError:
        ring = f"ring {self.name!r}" if self.name is not None else "a ring"
        remedy = (f"remove it with arrow_shm.Ring.unlink({self.name!r}) and create it again"
                  if self.name is not None else "remove it (python -m arrow_shm purge, or rm the file)")
        return InvalidMetadataError(field, f"{self.path} is not a valid ring file for {ring}: {field} {what}; {remedy}")

    def require(self, ok: bool, field: str, what: str) -> None:
        if not ok:
            raise self.fail(field, what)


def validate(header: bytes, file_size: int, path: str, digest: str, expected_name: Optional[str]) -> RingGeometry:
    """Checks a private copy of the first 4096 bytes in §3's order and returns the geometry.

    ``expected_name`` is the name asked for, or None when discovering (the stored name must then
    hash to ``digest``, the file's h14).
    """
    check = _Checker(path, expected_name)
    # 1. size
    check.require(file_size >= L.HEADER_SIZE and len(header) >= L.HEADER_SIZE, "file size",
                  f"is {file_size} bytes, less than the {L.HEADER_SIZE}-byte header")
    # 2. identity
    check.require(header[L.MAGIC_OFFSET:L.MAGIC_OFFSET + 8] == L.MAGIC, "magic",
                  f"is {header[:8]!r}, not {L.MAGIC!r}")
    version, header_size, flags = struct.unpack_from("<HHI", header, L.VERSION_OFFSET)
    check.require(version == L.VERSION, "version", f"is {version}: unsupported ring version {version}"
                  f" (this arrow_shm reads version {L.VERSION})")
    check.require(header_size == L.HEADER_SIZE, "header_size", f"is {header_size}, not {L.HEADER_SIZE}")
    check.require(flags == 0, "flags", f"is {flags:#x}; version 1 defines no flag")
    # 3. dtype and shape
    (dtype_code, ndim, overflow, creator_pid, slot_size, capacity, max_cursors, cursor_entry_size,
     slot_entry_size, reserved_60) = struct.unpack_from("<HHIqQQIIII", header, L.DTYPE_CODE_OFFSET)
    check.require(dtype_code < len(_dtypes.BY_CODE), "dtype_code", f"is {dtype_code}, not in the dtype table")
    check.require(1 <= ndim <= L.MAX_NDIM, "ndim", f"is {ndim}, not 1..{L.MAX_NDIM}")
    dims = struct.unpack_from(f"<{L.MAX_NDIM}Q", header, L.SHAPE_OFFSET)
    check.require(all(d > 0 for d in dims[:ndim]) and not any(dims[ndim:]), "shape",
                  f"is {list(dims)}: the first ndim={ndim} dims must be > 0 and the rest 0")
    shape = tuple(dims[:ndim])
    dtype = _dtypes.BY_CODE[dtype_code]
    # 4. slot size
    expected_slot = slot_size_of(shape, dtype.itemsize)
    check.require(expected_slot is not None, "slot_size",
                  f"would be prod{shape} x {dtype.itemsize}, beyond 2^62 bytes")
    check.require(slot_size == expected_slot, "slot_size",
                  f"is {slot_size}, but prod{shape} x {dtype.itemsize} is {expected_slot}")
    # 5. counts, entry sizes, policy, reserved words
    check.require(1 <= capacity <= L.MAX_CAPACITY, "capacity", f"is {capacity}, not 1..{L.MAX_CAPACITY}")
    check.require(1 <= max_cursors <= L.MAX_CURSORS, "max_cursors", f"is {max_cursors}, not 1..{L.MAX_CURSORS}")
    check.require(cursor_entry_size == L.CURSOR_ENTRY_SIZE, "cursor_entry_size",
                  f"is {cursor_entry_size}, not {L.CURSOR_ENTRY_SIZE}")
    check.require(slot_entry_size == L.SLOT_ENTRY_SIZE, "slot_entry_size",
                  f"is {slot_entry_size}, not {L.SLOT_ENTRY_SIZE}")
    check.require(overflow in (L.OVERFLOW_BLOCK, L.OVERFLOW_OVERWRITE), "overflow",
                  f"is {overflow}, not 0 (BLOCK) or 1 (OVERWRITE)")
    reserved_ok = (reserved_60 == 0
                   and not any(header[L.RESERVED_276_OFFSET:L.RESERVED_276_OFFSET + L.RESERVED_276_SIZE])
                   and not any(header[L.RESERVED_768_OFFSET:L.RESERVED_768_OFFSET + L.RESERVED_768_SIZE]))
    check.require(reserved_ok, "reserved", "bytes are not all zero (at 60, [276, 512) or [768, 1024))")
    # 6. layout offsets, recomputed rather than trusted
    cursor_table, slot_table, data, segment = struct.unpack_from("<QQQQ", header, L.CURSOR_TABLE_OFFSET_OFFSET)
    check.require(cursor_table == L.HEADER_SIZE, "cursor_table_offset", f"is {cursor_table}, not {L.HEADER_SIZE}")
    want_slot_table = L.slot_table_offset(max_cursors)
    check.require(slot_table == want_slot_table, "slot_table_offset",
                  f"is {slot_table}, not {want_slot_table} (from max_cursors {max_cursors})")
    want_data = L.data_offset(max_cursors, capacity)
    check.require(data == want_data, "data_offset", f"is {data}, not {want_data}")
    want_segment = L.segment_size(max_cursors, capacity, slot_size)
    check.require(want_segment < L.SIZE_LIMIT, "segment_size", f"would be {want_segment}, beyond 2^62 bytes")
    check.require(segment == want_segment, "segment_size", f"is {segment}, not {want_segment}")
    check.require(file_size >= segment, "segment_size",
                  f"is {segment}, but the file holds only {file_size} bytes (it was truncated)")
    # 7. generation and creator
    instance_id = bytes(header[L.INSTANCE_ID_OFFSET:L.INSTANCE_ID_OFFSET + L.INSTANCE_ID_SIZE])
    check.require(any(instance_id), "instance_id", "is all zero")
    check.require(creator_pid > 0, "creator_pid", f"is {creator_pid}, not > 0")
    # 8. the stored name
    stored = bytes(header[L.NAME_OFFSET:L.NAME_OFFSET + L.NAME_SIZE]).split(b"\0", 1)[0]
    try:
        stored_name = stored.decode("utf-8")
    except UnicodeDecodeError:
        raise check.fail("name", f"is not valid UTF-8: {stored!r}") from None
    check.require(bool(stored_name.strip()), "name", "is empty or blank")
    if expected_name is not None:
        check.require(stored_name == expected_name, "name", f"is {stored_name!r}, not {expected_name!r}")
    check.require(_names.h14(stored) == digest, "name",
                  f"{stored_name!r} hashes to {_names.h14(stored)}, not to the file's {digest}")
    # 9. checksum
    (stored_crc,) = struct.unpack_from("<I", header, L.HEADER_CRC_OFFSET)
    computed = header_crc(bytes(header[:L.IMMUTABLE_SIZE]))
    check.require(stored_crc == computed, "header_crc", f"is {stored_crc:#010x}, but the header's CRC-32 is {computed:#010x}")
    (created_ns,) = struct.unpack_from("<q", header, L.CREATED_NS_OFFSET)
    return RingGeometry(name=stored_name, dtype=dtype, shape=shape, overflow=overflow, creator_pid=creator_pid,
                        slot_size=slot_size, capacity=capacity, max_cursors=max_cursors,
                        slot_table_offset=slot_table, data_offset=data, segment_size=segment,
                        instance_id=instance_id, created_ns=created_ns)


def check_create_arguments(shape: object, capacity: object, max_cursors: object) -> Tuple[int, ...]:
    """Checks create's geometry arguments before any file is touched; returns the shape as ints."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(int(d) for d in shape)  # type: ignore[union-attr]
        exact = all(int(d) == d and not isinstance(d, (bool, np.bool_)) for d in shape)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"shape must be a tuple of positive ints, got {shape!r}") from None
    if not exact:
        raise ValueError(f"shape must be a tuple of positive ints, got {shape!r}")
    if not 1 <= len(dims) <= L.MAX_NDIM:
        raise ValueError(f"shape must have 1..{L.MAX_NDIM} dims, got {len(dims)}: {dims}")
    if any(d <= 0 for d in dims):
        raise ValueError(f"shape dims must be > 0, got {dims}")
    for value, what, limit in ((capacity, "capacity", L.MAX_CAPACITY), (max_cursors, "max_cursors", L.MAX_CURSORS)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= limit:
            raise ValueError(f"{what} must be an int in 1..{limit}, got {value!r}")
    if math.prod(dims) >= L.SIZE_LIMIT:
        raise ValueError(f"shape {dims} is too large (more than 2^62 elements)")
    return dims

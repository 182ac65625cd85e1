"""Reading classic streams (pyshmem 1.4.0's format, which arrow-shm's Java streams share) with
NumPy, and pyarrow for Arrow views: zero-copy, inside the stream's seqlock check.

    import arrow_shm.streams as streams
    mean = streams.read("frames", lambda tensor, array: float(tensor.to_numpy().mean()))
    total = streams.read_array("frames", lambda values: values.sum())

The views are of the live payload and change under later writes: take from them, inside the
function, what must stay. Writing classic streams is pyshmem's job (``pyshmem.create``,
``write``), or arrow-shm's Java ``SharedMemory``; this module never writes to a stream.
"""
from __future__ import annotations

import mmap
import os
import struct
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple, TypeVar

import numpy as np

from . import _dtypes, _files, _names, _processes
from .errors import InconsistentStreamError, InvalidMetadataError, StreamTimeoutError

T = TypeVar("T")

# pyshmem 1.4.0's v3 metadata segment (spec §2.1): offsets of the fields a reader needs.
_MAGIC = b"PYSHMEM\0"
_META_SIZE = 512
_HEADER_SIZE = 256
_FLAGS_GPU, _FLAGS_MIRROR, _FLAGS_INSTANCE_ID, _FLAGS_CRC, _FLAGS_NOTIFY = 0x01, 0x02, 0x04, 0x08, 0x10
_KNOWN_FLAGS = 0x1F
_WRITE_SEQUENCE = 48       # i64 seqlock word: even stable, odd writing, negative failed
_COUNT = 40                # u64 completed publications
_WRITE_TIME = 56           # f64 seconds
_LOCK_OWNER_PID = 64       # i64
_FRAME_ID = 96             # u64
_SHAPE = 104               # u64[19]
_CRC = 92                  # u32
#: Mutable ranges the CRC takes as zero (spec §2.6).
_CRC_ZEROED = ((40, 76), (92, 104))
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY


@dataclass(frozen=True)
class StreamInfo:
    """A classic stream's validated header and counters."""

    name: str
    dtype: str
    shape: Tuple[int, ...]
    size: int
    count: int
    write_sequence: int
    write_time: float
    frame_id: int
    creator_pid: int
    instance_id: str
    notify: bool


def _missing(name: str) -> str:
    return f"stream {name!r} does not exist (no /dev/shm/ps_<hash>_meta); create it with pyshmem.create({name!r}, ...) first"


def _fail(name: str, field: str, what: str) -> InvalidMetadataError:
    return InvalidMetadataError(field, f"stream {name!r}: metadata {field} {what}; it is not a readable"
                                " pyshmem 1.4 (v3) CPU stream")


def _validate(name: str, meta: bytes, meta_size: int) -> Tuple[np.dtype, Tuple[int, ...], int, int]:
    """Checks a private copy of the metadata (spec §5 step 3, v3): (dtype, shape, size, flags)."""
    if meta_size < _META_SIZE:
        raise _fail(name, "size", f"is {meta_size} bytes, less than {_META_SIZE}")
    if meta[:8] != _MAGIC:
        raise _fail(name, "magic", "is missing (a legacy v2 stream or not a stream: read it with pyshmem)")
    version, header_size, flags, code, ndim, device = struct.unpack_from("<HHIHHi", meta, 8)
    if version != 3:
        raise _fail(name, "version", f"is {version}, not 3")
    if header_size != _HEADER_SIZE:
        raise _fail(name, "header_size", f"is {header_size}, not {_HEADER_SIZE}")
    if flags & ~_KNOWN_FLAGS:
        raise _fail(name, "flags", f"has unknown bits {flags:#x}")
    if not flags & _FLAGS_MIRROR:
        raise _fail(name, "flags", "lack CPU_MIRROR: a GPU stream without a CPU copy (read it with pyshmem and torch)")
    instance = meta[76:92]
    if bool(flags & _FLAGS_INSTANCE_ID) != any(instance):
        raise _fail(name, "instance_id", "disagrees with its flag")
    stored = meta[256:512].split(b"\0", 1)[0]
    if stored.decode("utf-8", "replace") != name:
        raise _fail(name, "name", f"is {stored!r}, not {name!r}")
    if code >= len(_dtypes.BY_CODE):
        raise _fail(name, "dtype_code", f"is {code}, not in the dtype table")
    if not 1 <= ndim <= 19:
        raise _fail(name, "ndim", f"is {ndim}, not 1..19")
    dims = struct.unpack_from("<19Q", meta, _SHAPE)
    if not all(dims[:ndim]) or any(dims[ndim:]):
        raise _fail(name, "shape", f"is {list(dims)} for ndim {ndim}")
    dtype = _dtypes.BY_CODE[code]
    size = dtype.itemsize * int(np.prod(dims[:ndim], dtype=object))
    (stored_size,) = struct.unpack_from("<Q", meta, 32)
    if stored_size != size:
        raise _fail(name, "size", f"is {stored_size}, not prod{dims[:ndim]} x {dtype.itemsize} = {size}")
    if not flags & _FLAGS_GPU and device != -1:
        raise _fail(name, "device_index", f"is {device}, not -1 for a CPU stream")
    (crc,) = struct.unpack_from("<I", meta, _CRC)
    if flags & _FLAGS_CRC:
        covered = bytearray(meta[:_META_SIZE])
        for start, end in _CRC_ZEROED:
            covered[start:end] = bytes(end - start)
        if zlib.crc32(bytes(covered)) & 0xFFFFFFFF != crc:
            raise _fail(name, "header_crc", "does not match the header (metadata header checksum mismatch)")
    elif crc:
        raise _fail(name, "header_crc", "is set without its flag")
    return dtype, tuple(dims[:ndim]), size, flags


class _Mapped:
    """Read-only mappings of a stream's metadata and data segments."""

    def __init__(self, name: str) -> None:
        digest = _names.h14(_names.encoded(name))
        meta_path, data_path = _names.stream_meta_path(digest), _names.stream_data_path(digest)
        self.meta = self.data = None
        meta_fd = _files.open_trusted(meta_path, _READ_FLAGS, "stream metadata segment", missing=_missing(name))
        try:
            meta_size = os.fstat(meta_fd).st_size
            self.dtype, self.shape, self.size, self.flags = _validate(name, os.pread(meta_fd, _META_SIZE, 0), meta_size)
            self.meta = mmap.mmap(meta_fd, _META_SIZE, mmap.MAP_SHARED, mmap.PROT_READ)
        finally:
            os.close(meta_fd)
        data_fd = _files.open_trusted(data_path, _READ_FLAGS, "stream data segment", missing=_missing(name))
        try:
            data_size = os.fstat(data_fd).st_size
            if data_size < self.size:
                raise _fail(name, "size", f"declares {self.size} bytes but the data segment holds {data_size}")
            self.data = mmap.mmap(data_fd, self.size, mmap.MAP_SHARED, mmap.PROT_READ)
        finally:
            os.close(data_fd)
        self.name = name

    def sequence(self) -> int:
        return struct.unpack_from("<q", self.meta, _WRITE_SEQUENCE)[0]  # type: ignore[arg-type]

    def values(self) -> np.ndarray:
        return np.frombuffer(self.data, self.dtype, count=self.size // self.dtype.itemsize).reshape(self.shape)  # type: ignore[arg-type]

    def consistent(self, use: Callable[[], T], timeout: float) -> T:
        """Runs ``use`` until it overlapped no write (the seqlock check, spec §3.5)."""
        deadline = time.monotonic() + timeout
        while True:
            before = self.sequence()
            if before < 0:
                raise InconsistentStreamError(f"the last write to stream {self.name!r} failed; the next"
                                              " complete write repairs it")
            if before % 2 == 0:
                result = use()
                if self.sequence() == before:
                    return result
            if time.monotonic() >= deadline:
                owner = struct.unpack_from("<q", self.meta, _LOCK_OWNER_PID)[0]  # type: ignore[arg-type]
                why = (f"; its writer, pid {owner}, is gone (it died writing: the next write repairs the stream)"
                       if owner > 0 and not _processes.alive(owner) else "")
                raise StreamTimeoutError(f"no stable write on stream {self.name!r} within {timeout} s{why}")
            time.sleep(1e-4)

    def close(self) -> None:
        for mapping in (self.meta, self.data):
            if mapping is not None:
                try:
                    mapping.close()
                except BufferError:
                    pass  # the caller kept a view: it goes with the view


def read(name: str, use: Callable[[Any, Any], T], timeout: float = 5.0) -> T:
    """Calls ``use(tensor, array)`` on zero-copy views of the live payload, a ``pyarrow.Tensor``
    and a one-row ``pyarrow.FixedShapeTensorArray``, and returns its result once no write
    overlapped the call (it runs again if one did). bool comes as its 0/1 bytes (uint8);
    complex payloads raise TypeError (Arrow tensors have none: use :func:`read_array`)."""
    import pyarrow as pa

    mapped = _Mapped(name)
    try:
        views = _arrow_views(mapped, pa)
        return mapped.consistent(lambda: use(*views), timeout)
    finally:
        views = None  # the views first, so that the mappings can close
        mapped.close()


def _arrow_views(mapped: "_Mapped", pa: Any) -> Tuple[Any, Any]:
    values = mapped.values().view(_dtypes.arrow_dtype(mapped.dtype))
    return (pa.Tensor.from_numpy(values),
            pa.FixedShapeTensorArray.from_numpy_ndarray(values.reshape((1,) + mapped.shape)))


def read_array(name: str, use: Callable[[np.ndarray], T], timeout: float = 5.0) -> T:
    """Calls ``use(values)`` on a read-only zero-copy NumPy view of the live payload (any dtype),
    and returns its result once no write overlapped the call."""
    mapped = _Mapped(name)
    values = mapped.values()
    try:
        return mapped.consistent(lambda: use(values), timeout)
    finally:
        del values
        mapped.close()


def info(name: str) -> StreamInfo:
    """The stream's validated header and counters (one consistent sample of them)."""
    mapped = _Mapped(name)
    try:
        def sample() -> StreamInfo:
            meta = bytes(mapped.meta[:_HEADER_SIZE])  # type: ignore[index]
            count, sequence, write_time = struct.unpack_from("<Qqd", meta, _COUNT)
            (frame_id,) = struct.unpack_from("<Q", meta, _FRAME_ID)
            (creator,) = struct.unpack_from("<q", meta, 24)
            return StreamInfo(name=name, dtype=str(mapped.dtype), shape=mapped.shape, size=mapped.size, count=count,
                              write_sequence=sequence, write_time=write_time, frame_id=frame_id, creator_pid=creator,
                              instance_id=meta[76:92].hex(), notify=bool(mapped.flags & _FLAGS_NOTIFY))
        return sample()
    finally:
        mapped.close()


def list_streams() -> List[str]:
    """Sorted names of the valid CPU streams in /dev/shm (pyshmem's and arrow-shm's)."""
    names = []
    try:
        entries = os.listdir(_names.SHM_DIR)
    except FileNotFoundError:
        return []
    for entry in entries:
        if entry.startswith(_names.STREAM_PREFIX) and entry.endswith("_meta") and _names.is_h14(entry[3:-5]):
            path = os.path.join(_names.SHM_DIR, entry)
            try:
                fd = _files.open_trusted(path, _READ_FLAGS, "stream metadata segment")
            except OSError:
                continue
            if fd is None:
                continue
            try:
                meta = os.pread(fd, _META_SIZE, 0)
                stored = meta[256:512].split(b"\0", 1)[0].decode("utf-8")
                if _names.h14(stored.encode("utf-8")) == entry[3:-5]:
                    _validate(stored, meta, os.fstat(fd).st_size)
                    names.append(stored)
            except (InvalidMetadataError, UnicodeDecodeError, OSError, struct.error):
                pass
            finally:
                os.close(fd)
    return sorted(names)

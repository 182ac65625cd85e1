"""Creating, opening and unlinking ring files (ring format §9.1-§9.3)."""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
import time
from typing import Iterator, Optional, Tuple

from . import _dtypes, _files, _header, _layout as L, _locks, _names
from ._header import RingGeometry
from .errors import (InvalidMetadataError, SharedMemoryError, SharedMemoryFullError, StaleStreamError,
                     StreamExistsError)

#: create and unlink hold pyshmem's stream lock only while they create or remove files; a
#: longer wait means a stuck holder.
STREAM_LOCK_TIMEOUT = 30.0
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
OVERFLOW_CODES = {"block": L.OVERFLOW_BLOCK, "overwrite": L.OVERFLOW_OVERWRITE}
OVERFLOW_NAMES = {code: name for name, code in OVERFLOW_CODES.items()}


def missing_message(name: str) -> str:
    return (f"ring {name!r} does not exist; create it with arrow_shm.Ring.create({name!r}, shape=...,"
            " dtype=..., capacity=...) first")


@contextlib.contextmanager
def stream_lock(digest: str, name: str, lock_directory: Optional[str]) -> Iterator[None]:
    """pyshmem's lock of the name, held while one kind or the other is created or removed (§9.1)."""
    with _locks.LockFile(_names.stream_lock_file(digest), lock_directory) as lock:
        lock.lock(time.monotonic() + STREAM_LOCK_TIMEOUT, f"the name lock of {name!r}")
        yield


def read_header(fd: int) -> Tuple[bytes, int]:
    """A private copy of the header (pread: a file truncated meanwhile gives short bytes, not a
    fault) and the file's size."""
    size = os.fstat(fd).st_size
    return os.pread(fd, L.HEADER_SIZE, 0), size


def validated(fd: int, path: str, digest: str, name: Optional[str]) -> RingGeometry:
    header, size = read_header(fd)
    return _header.validate(header, size, path, digest, name)


def open_file(name: str) -> Tuple[int, RingGeometry]:
    """§9.2: the ring's descriptor (read-write) and its validated geometry."""
    raw = _names.encoded(name)
    digest = _names.h14(raw)
    path = _names.ring_path(digest)
    fd = _files.open_trusted(path, _files.SEGMENT_OPEN_FLAGS, "ring segment", missing=missing_message(name))
    assert fd is not None
    try:
        return fd, validated(fd, path, digest, name)
    except BaseException:
        os.close(fd)
        raise


def create_file(name: str, shape: object, dtype: object, capacity: object, overflow: object,
                max_cursors: object, lock_directory: Optional[str]) -> Tuple[int, RingGeometry]:
    """§9.1: checks the arguments, then makes the file appear complete under its final name."""
    raw = _names.encoded(name)
    code = _dtypes.code_of(dtype)
    dims = _header.check_create_arguments(shape, capacity, max_cursors)
    if overflow not in OVERFLOW_CODES:
        raise ValueError(f"overflow must be 'block' or 'overwrite', got {overflow!r}")
    slot_size = _header.slot_size_of(dims, _dtypes.BY_CODE[code].itemsize)
    if slot_size is None or L.segment_size(int(max_cursors), int(capacity), slot_size) >= L.SIZE_LIMIT:
        raise ValueError(f"a ring of {capacity} frames of shape {dims} would pass 2^62 bytes")
    digest = _names.h14(raw)
    final = _names.ring_path(digest)
    with stream_lock(digest, name, lock_directory):
        if os.path.lexists(_names.stream_meta_path(digest)):
            raise StreamExistsError(f"a classic stream named {name!r} exists (pyshmem or arrow-shm); a ring and"
                                    f" a stream do not share a name. Unlink the stream, or pick another name")
        instance_id = bytes(L.INSTANCE_ID_SIZE)
        while not any(instance_id):
            instance_id = secrets.token_bytes(L.INSTANCE_ID_SIZE)
        header = _header.encode(name, code, dims, int(capacity), int(max_cursors), OVERFLOW_CODES[overflow],  # type: ignore[index]
                                os.getpid(), instance_id, time.time_ns())
        size = L.segment_size(int(max_cursors), int(capacity), slot_size)
        temporary = f"{final}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(temporary, _files.SEGMENT_CREATE_FLAGS, _files.FILE_MODE)
        try:
            try:
                os.fchmod(fd, _files.FILE_MODE)
                _reserve(fd, size, final)
                os.pwrite(fd, header, 0)
                geometry = validated(fd, temporary, digest, name)  # the file as an opener will see it
                try:
                    os.link(temporary, final)
                except FileExistsError:
                    raise StreamExistsError(f"ring {name!r} already exists; open it with"
                                            f" arrow_shm.Ring.open({name!r}), or unlink it first") from None
            finally:
                os.unlink(temporary)
        except BaseException:
            os.close(fd)
            raise
    return fd, geometry


def _reserve(fd: int, size: int, path: str) -> None:
    """Reserves the file's memory now, so that a full /dev/shm fails here and not later as SIGBUS."""
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise SharedMemoryFullError(f"cannot reserve {size} bytes for {path}: /dev/shm is full (free space"
                                        " with `python -m arrow_shm purge` or unlink rings you no longer need,"
                                        " or enlarge /dev/shm)") from None
        if exc.errno in (errno.EOPNOTSUPP, errno.EINVAL):
            os.ftruncate(fd, size)
        else:
            raise


def stored_instance_id(fd: int) -> Optional[bytes]:
    """The instance_id of a ring file whose header is readable, else None."""
    header, _ = read_header(fd)
    if len(header) < L.INSTANCE_ID_OFFSET + L.INSTANCE_ID_SIZE or header[:8] != L.MAGIC:
        return None
    return bytes(header[L.INSTANCE_ID_OFFSET:L.INSTANCE_ID_OFFSET + L.INSTANCE_ID_SIZE])


def unlink(name: str, lock_directory: Optional[str], expected_instance: Optional[bytes] = None) -> bool:
    """§9.3: removes the ring's name and its generation's lock files; True if a ring was removed.

    With ``expected_instance`` (a handle's own unlink) it removes the name only if it still
    names that generation, and raises StaleStreamError otherwise.
    """
    raw = _names.encoded(name)
    digest = _names.h14(raw)
    path = _names.ring_path(digest)
    with stream_lock(digest, name, lock_directory):
        fd = _files.open_trusted(path, _READ_FLAGS, "ring segment")
        if fd is None:
            if expected_instance is not None:
                remove_generation_locks(digest, expected_instance, lock_directory)
            return False
        try:
            instance = stored_instance_id(fd)
        finally:
            os.close(fd)
        if expected_instance is not None and instance != expected_instance:
            raise StaleStreamError(f"ring {name!r} now holds a newer generation (instance"
                                   f" {instance.hex() if instance else 'unknown'}); this handle's ring was"
                                   " already unlinked, so nothing was removed")
        os.unlink(path)
        if instance is not None:
            remove_generation_locks(digest, instance, lock_directory)
        return True


def remove_generation_locks(digest: str, instance_id: bytes, lock_directory: Optional[str]) -> None:
    """Removes every lock file of one generation (writer, table and each cursor's)."""
    prefix = _names.generation_lock_prefix(digest, instance_id) + "."
    directory = lock_directory or _locks.lock_directory()
    dir_fd = _locks.open_directory(directory)
    try:
        for entry in os.listdir(dir_fd):
            if entry.startswith(prefix) and entry.endswith(".lock"):
                try:
                    os.unlink(entry, dir_fd=dir_fd)
                except FileNotFoundError:
                    pass
    finally:
        os.close(dir_fd)


def geometry_or_none(digest: str) -> Optional[RingGeometry]:
    """The geometry of /dev/shm/arrowshm_ring_<digest> if it is a valid ring (discovery)."""
    path = _names.ring_path(digest)
    try:
        fd = _files.open_trusted(path, _READ_FLAGS, "ring segment")
    except (SharedMemoryError, OSError):
        return None
    if fd is None:
        return None
    try:
        return validated(fd, path, digest, None)
    except (InvalidMetadataError, OSError):
        return None
    finally:
        os.close(fd)


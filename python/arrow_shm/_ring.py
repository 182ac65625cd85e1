"""``arrow_shm.Ring``: the public handle of a ring stream. It delegates: the format lives in
_header/_layout, the protocol in _writer, _reader and _cursors, the files in _lifecycle."""
from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from . import _discovery, _layout as L, _lifecycle, _names, _processes, _sync
from ._cursors import CursorInfo, CursorTable
from ._deadline import SPIN_SECONDS
from ._mapping import RingMapping
from ._reader import RingReader
from ._writer import RingWriter

# The API defaults both implementations share (docs/ring-format.md, last section).
DEFAULT_CAPACITY = 16
DEFAULT_MAX_CURSORS = 16
DEFAULT_GRACE = 5.0
DEFAULT_WRITER_WAIT = 5.0


@dataclass(frozen=True)
class RingInfo:
    """What ``ring.stat()`` and ``python -m arrow_shm stat NAME`` report (ring format §9.4)."""

    name: str
    dtype: str
    shape: Tuple[int, ...]
    capacity: int
    overflow: str
    max_cursors: int
    slot_size: int
    segment_size: int
    instance_id: str
    creator_pid: int
    creator_alive: bool
    created_ns: int
    #: Positions published so far.
    write_position: int
    #: The writer lease holder's pid, 0 when the ring has no writer.
    writer_pid: int
    writer_alive: bool
    cursors: List[CursorInfo]


class _ClassOrInstance:
    """A method that does one thing on the class (``Ring.unlink(name)``) and another on an
    instance (``ring.unlink()``), as Java's static and instance methods of one name do."""

    def __init__(self, on_class: Callable[..., Any], on_instance: Callable[..., Any]) -> None:
        self._on_class = on_class
        self._on_instance = on_instance
        self.__doc__ = f"On the class: {on_class.__doc__}\n\nOn a handle: {on_instance.__doc__}"

    def __get__(self, instance: Any, owner: type) -> Callable[..., Any]:
        if instance is None:
            return self._on_class
        return functools.partial(self._on_instance, instance)


class Ring:
    """A named ring of ``capacity`` tensor slots in shared memory, one writer, named cursors.

    >>> import numpy as np, arrow_shm                                    # doctest: +SKIP
    >>> ring = arrow_shm.Ring.create("frames", shape=(480, 640), dtype="float32", capacity=64)
    >>> with ring.writer() as w:
    ...     w.write(np.zeros((480, 640), np.float32))
    >>> with arrow_shm.Ring.open("frames") as other, other.reader("trainer") as r:
    ...     frame = r.take(timeout=1.0)
    >>> arrow_shm.Ring.unlink("frames")

    A handle owns its mapping; writers and readers made from it hold their own reference, so
    closing the handle never pulls memory from under them. Handles work on one generation of the
    name: after an unlink they keep working on the old one until closed.
    """

    def __init__(self, fd: int, geometry: Any, lock_directory: Optional[str] = None) -> None:
        """Use :meth:`create` or :meth:`open`."""
        try:
            self._mapping: Optional[RingMapping] = RingMapping(fd, geometry)
        except BaseException:
            os.close(fd)
            raise
        self._geometry = geometry
        self._lock_directory = lock_directory
        self._lock = threading.Lock()

    # --- making and finding rings -----------------------------------------------------------------
    @classmethod
    def create(cls, name: str, *, shape: Any, dtype: Any = "float32", capacity: int = DEFAULT_CAPACITY,
               overflow: str = "block", max_cursors: int = DEFAULT_MAX_CURSORS) -> "Ring":
        """Creates the ring ``name`` and returns a handle to it.

        ``shape`` (1 to 19 dims) and ``dtype`` (pyshmem's table: int8..uint64, float16/32/64,
        bool, complex64/128) describe one frame; ``capacity`` frames (1..1,048,576, default 16) are kept.
        ``overflow="block"``: the writer waits for every blocking cursor (lossless);
        ``"overwrite"``: it never waits and lapped readers count their losses. ``max_cursors``
        (1..1024) named cursors fit in the table. Raises StreamExistsError when a ring or a
        classic stream of that name exists; ValueError/TypeError for bad arguments (before any
        file is touched); SharedMemoryFullError when /dev/shm lacks the room.
        """
        _sync.require_supported()
        fd, geometry = _lifecycle.create_file(name, shape, dtype, capacity, overflow, max_cursors, None)
        return cls(fd, geometry)

    @classmethod
    def open(cls, name: str) -> "Ring":
        """Opens an existing ring. Raises StreamNotFoundError when there is none,
        InvalidMetadataError (``.field`` names the header field) when its header fails
        validation, UntrustedFileError when the file at its name is a link, FIFO, socket or
        device, or belongs to another user."""
        _sync.require_supported()
        fd, geometry = _lifecycle.open_file(name)
        return cls(fd, geometry)

    @staticmethod
    def _unlink_name(name: str) -> bool:
        """``Ring.unlink(name)`` removes the ring of that name, whichever generation holds it,
        with its lock files; returns False (silently) when there is none. Open handles keep
        working on the removed generation until they close."""
        return _lifecycle.unlink(name, None)

    def _unlink_handle(self) -> None:
        """``ring.unlink()`` removes this handle's ring if the name still holds its generation
        (else raises StaleStreamError), then closes the handle."""
        g = self._geometry
        try:
            _lifecycle.unlink(g.name, self._lock_directory, expected_instance=g.instance_id)
        finally:
            self.close()

    unlink = _ClassOrInstance(_unlink_name, _unlink_handle)

    @staticmethod
    def list() -> List[str]:
        """The sorted names of every valid ring on this host."""
        return _discovery.list_rings()

    @staticmethod
    def purge() -> List[str]:
        """Unlinks every valid ring on this host (and leftovers: temporary files of dead creators,
        lock files of generations that are gone); returns the rings' names, sorted."""
        return _discovery.purge(None)

    @staticmethod
    def _stat_name(name: str) -> RingInfo:
        """``Ring.stat(name)`` opens the ring, reports on it and closes it again."""
        with Ring.open(name) as ring:
            return ring._stat_handle()

    def _stat_handle(self) -> RingInfo:
        """``ring.stat()``: the header, write position, writer and every cursor (probed, so
        ``live`` is current)."""
        mapping = self._require()
        g = self._geometry
        cursors = self.cursors()
        writer = mapping.i64[L.WRITER_PID_OFFSET // 8]
        return RingInfo(name=g.name, dtype=str(g.dtype), shape=g.shape, capacity=g.capacity,
                        overflow=self.overflow, max_cursors=g.max_cursors, slot_size=g.slot_size,
                        segment_size=g.segment_size, instance_id=g.instance_id.hex(), creator_pid=g.creator_pid,
                        creator_alive=_processes.alive(g.creator_pid), created_ns=g.created_ns,
                        write_position=self.write_position, writer_pid=writer,
                        writer_alive=_processes.alive(writer), cursors=cursors)

    stat = _ClassOrInstance(_stat_name, _stat_handle)

    # --- writers, readers, cursors ----------------------------------------------------------------
    def writer(self, timeout: Optional[float] = DEFAULT_WRITER_WAIT) -> RingWriter:
        """Takes the writer lease (one writer per ring, across processes) and returns the writer.

        If another writer holds it, waits up to ``timeout`` seconds (default 5; 0: fail at once;
        None: no limit), then raises StreamTimeoutError naming the holder. A writer that died
        loses the lease at once, and the next one recovers the position it left half-written.
        """
        return RingWriter(self, timeout)

    def reader(self, cursor: str, start: str = "oldest", *, blocking: bool = True,
               grace: float = DEFAULT_GRACE, spin: float = SPIN_SECONDS) -> RingReader:
        """Attaches to the named cursor (made on first use) and returns its reader.

        ``start`` places a new cursor: ``"oldest"`` (the oldest frame still held), ``"latest"``
        (the newest frame) or ``"next"`` (frames written from now on); an existing cursor resumes
        at its position, and frames overwritten while it was away count in ``reader.lost``.
        ``blocking``: under ``overflow="block"`` the writer waits for this cursor. ``grace``:
        seconds a detached cursor (reader closed or dead) keeps holding the writer back, so that
        a restarted reader loses nothing. ``spin``: seconds a wait re-checks before it parks on the
        futex (longer: lower latency for more CPU; Java's ``CursorOptions.waitStrategy``).
        Raises CursorInUseError when a live reader holds it.
        """
        return RingReader(self, cursor, start, blocking, grace, spin)

    def cursors(self) -> List[CursorInfo]:
        """Every named cursor: position, lag, reader pid and whether it is live, blocking or
        untethered (dead readers found are marked detached, as any probe does)."""
        return CursorTable(self._require(), self._lock_directory).infos()

    def drop_cursor(self, name: str) -> bool:
        """Removes a named cursor (it stops holding the writer back and forgets its position).
        Returns False when there is no such cursor; raises CursorInUseError while a reader holds it."""
        return CursorTable(self._require(), self._lock_directory).drop(_names.cursor_name_bytes(name))

    # --- facts ------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._geometry.name

    @property
    def shape(self) -> Tuple[int, ...]:
        return self._geometry.shape

    @property
    def dtype(self) -> np.dtype:
        return self._geometry.dtype

    @property
    def capacity(self) -> int:
        return self._geometry.capacity

    @property
    def overflow(self) -> str:
        """``"block"`` or ``"overwrite"``."""
        return _lifecycle.OVERFLOW_NAMES[self._geometry.overflow]

    @property
    def max_cursors(self) -> int:
        return self._geometry.max_cursors

    @property
    def slot_size(self) -> int:
        """Bytes of one frame."""
        return self._geometry.slot_size

    @property
    def instance_id(self) -> str:
        """This generation of the name, as 32 hex digits."""
        return self._geometry.instance_id.hex()

    @property
    def creator_pid(self) -> int:
        return self._geometry.creator_pid

    @property
    def created_ns(self) -> int:
        return self._geometry.created_ns

    @property
    def write_position(self) -> int:
        """Positions published so far (the next frame written gets this position)."""
        return CursorTable(self._require(), self._lock_directory).write_position()

    @property
    def oldest_position(self) -> int:
        """The oldest position the ring still holds: ``max(0, write_position - capacity)``."""
        return max(0, self.write_position - self._geometry.capacity)

    @property
    def closed(self) -> bool:
        return self._mapping is None

    # --- lifetime -----------------------------------------------------------------------------------
    def _require(self) -> RingMapping:
        mapping = self._mapping
        if mapping is None:
            raise ValueError(f"ring {self._geometry.name!r} is closed; open it again with"
                             f" arrow_shm.Ring.open({self._geometry.name!r})")
        return mapping

    def _retain_mapping(self) -> RingMapping:
        with self._lock:
            return self._require().retain()

    def close(self) -> None:
        """Drops this handle's reference to the mapping; writers and readers made from it keep
        working until they close. Harmless twice."""
        with self._lock:
            mapping, self._mapping = self._mapping, None
        if mapping is not None:
            mapping.release()

    def __enter__(self) -> "Ring":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_mapping", None) is not None:
            try:
                self.close()
            except Exception:
                pass

    def __repr__(self) -> str:
        g = self._geometry
        state = "closed" if self._mapping is None else f"{self.overflow}"
        return f"<arrow_shm.Ring {g.name!r} {g.dtype}{list(g.shape)} x {g.capacity}, {state}>"

"""A reader of a ring through a named cursor (ring format §6, §7.1): frames as copies, leases
of a slot, and batches of consecutive slots as NumPy and Arrow views."""
from __future__ import annotations

import contextlib
import math
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Optional, Tuple

import numpy as np

from . import _dtypes, _layout as L, _names, _processes, _sync
from ._cursors import START_RULES, CursorTable
from ._deadline import SPIN_SECONDS, Deadline, check_timeout
from .errors import InconsistentStreamError, LappedError, StreamTimeoutError

if TYPE_CHECKING:
    from ._ring import Ring

_WORDS_PER_SLOT = L.SLOT_ENTRY_SIZE // 8


@dataclass(frozen=True)
class Frame:
    """One delivered frame."""

    #: Its position in the ring (0, 1, 2, ... in write order).
    position: int
    #: The writer's token for it (0 unless the writer gave one).
    frame_id: int
    #: CLOCK_REALTIME nanoseconds when the writer began it.
    write_ns: int
    #: Frames this cursor lost just before this one (overwritten before it read them).
    lost: int
    #: The tensor: a copy from :meth:`RingReader.take`, a view of the slot in a lease.
    array: np.ndarray

    @property
    def write_time(self) -> float:
        """When the writer began the frame, in seconds since the UNIX epoch (as ``time.time()``)."""
        return self.write_ns / 1e9


@dataclass(frozen=True)
class Batch:
    """``len(batch)`` consecutive frames from ``position`` on, as one (k, *shape) array."""

    position: int
    #: u64 frame ids, one per frame.
    frame_ids: np.ndarray
    #: CLOCK_REALTIME nanoseconds, one per frame.
    write_ns: np.ndarray
    #: Frames lost just before the first one.
    lost: int
    #: (k, *shape): a copy from take_batch, a view of the slots in lease_batch.
    array: np.ndarray

    def __len__(self) -> int:
        return int(self.array.shape[0])

    def to_arrow(self) -> Any:
        """The frames as a pyarrow ``FixedShapeTensorArray`` (``arrow.fixed_shape_tensor``) over the
        same memory, without a copy. bool comes as its 0/1 bytes (uint8); complex dtypes raise
        TypeError (Arrow has no complex numbers). Needs pyarrow."""
        try:
            import pyarrow as pa
        except ImportError as exc:
            raise ImportError("Batch.to_arrow() needs pyarrow: pip install pyarrow (or arrow_shm[arrow])") from exc
        values = self.array.view(_dtypes.arrow_dtype(self.array.dtype))
        return pa.FixedShapeTensorArray.from_numpy_ndarray(values)


class RingReader:
    """Reads a ring through one named cursor. Made by :meth:`arrow_shm.Ring.reader`; holds the
    cursor (one reader per cursor) until :meth:`close` or the end of a ``with`` block, and is
    used by one thread at a time.

    >>> with ring.reader("trainer", start="oldest") as r:     # doctest: +SKIP
    ...     frame = r.take(timeout=1.0)                       # a copy
    ...     with r.lease(timeout=1.0) as view:                # the slot itself, read-only
    ...         total = float(view.sum())
    ...     r.lost, r.position
    """

    def __init__(self, ring: "Ring", cursor: str, start: str, blocking: bool, grace: float,
                 spin: float = SPIN_SECONDS) -> None:
        raw = _names.cursor_name_bytes(cursor)
        if start not in START_RULES:
            raise ValueError(f"start must be one of {', '.join(map(repr, START_RULES))}, got {start!r}")
        grace_seconds = check_timeout(grace, "grace")
        if grace_seconds is None or math.isinf(grace_seconds) or grace_seconds * 1e9 >= 2 ** 63:
            raise ValueError(f"grace must be a finite number of seconds >= 0, got {grace!r}")
        spin_seconds = check_timeout(spin, "spin")
        if spin_seconds is None or math.isinf(spin_seconds):
            raise ValueError(f"spin must be a finite number of seconds >= 0, got {spin!r}")
        self._spin = spin_seconds
        self._mapping = ring._retain_mapping()
        try:
            self._table = CursorTable(self._mapping, ring._lock_directory)
            self._entry, self._cursor_lock, attach_lost = self._table.attach(raw, start, bool(blocking),
                                                                             int(grace_seconds * 1e9))
        except BaseException:
            self._mapping.release()
            raise
        g = self._mapping.geometry
        m = self._mapping
        self._geometry = g
        self._name = cursor
        self._capacity = g.capacity
        self._stamps = m.i64
        self._words = m.u64
        self._stamp_base = g.slot_table_offset // 8
        self._slots = m.slots
        self._position_index = self._table.position_index(self._entry)
        self._parked_index = self._table.parked_index(self._entry)
        self._position = self._words[self._position_index]
        self._lost = attach_lost
        self._pending_lost = attach_lost
        self._abandoned = 0
        # §6.6's fence and wake only matter to a writer that waits for this cursor.
        self._frees_writer = bool(blocking) and g.overflow == L.OVERFLOW_BLOCK
        self._current: Optional[Frame] = None

    # --- facts ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The cursor's name."""
        return self._name

    @property
    def ring_name(self) -> str:
        return self._geometry.name

    @property
    def position(self) -> int:
        """The next position this cursor delivers; every position below it was consumed."""
        return self._position

    @property
    def lost(self) -> int:
        """Frames this reader lost in total: overwritten before it read them (also while the cursor
        was away and past its grace)."""
        return self._lost

    @property
    def abandoned(self) -> int:
        """Positions skipped because a writer died while writing them."""
        return self._abandoned

    @property
    def available(self) -> int:
        """Frames written that this cursor has not consumed yet (some may be overwritten before it
        reads them under ``overflow="overwrite"``)."""
        return max(0, self._write_position() - self._position)

    @property
    def current(self) -> Optional[Frame]:
        """Inside :meth:`lease`: the leased frame (its ``array`` is the view); else None."""
        return self._current

    @property
    def closed(self) -> bool:
        return self._cursor_lock is None

    # --- the protocol -----------------------------------------------------------------------------
    def _advance(self, position: int) -> None:
        """position = new (release store); wake a writer waiting for space (§6.6)."""
        _sync.release_fence()
        self._words[self._position_index] = position
        self._position = position
        if self._frees_writer:
            _sync.full_fence()
            m = self._mapping
            if m.u32[L.WRITER_WAITING_OFFSET // 4] != 0:
                _sync.atomic_add(m.address + L.READ_NOTIFY_OFFSET, 1, wake=_sync.WAKE_ALL)

    def _write_position(self) -> int:
        return self._table.write_position()

    def _lapped(self, p: int) -> None:
        """§6.4: the frames from p up to the oldest retained one were overwritten."""
        w = self._write_position()
        q = max(p + 1, w - self._capacity)
        self._lost += q - p
        self._pending_lost += q - p
        self._advance(q)

    def _readable(self, deadline: Deadline) -> Tuple[int, int, int]:
        """Waits until the cursor's position holds a complete frame: (p, slot, its stamp).
        Skips abandoned positions and handles being lapped on the way (§6.3)."""
        if self._cursor_lock is None:
            raise ValueError(f"reader {self._name!r} of ring {self._geometry.name!r} is closed")
        stamps = self._stamps
        capacity = self._capacity
        rechecked = False
        while True:
            p = self._position
            s = p % capacity
            t = stamps[self._stamp_base + s * _WORDS_PER_SLOT]
            _sync.acquire_fence()
            want = 2 * p + 2
            if t == want:
                return p, s, t
            if t == -(2 * p + 1):
                self._abandoned += 1
                self._advance(p + 1)
                continue
            if t > want or (t < 0 and -t > 2 * p + 1):
                self._lapped(p)
                continue
            w = self._write_position()
            if w > p:
                # The writer stores a slot's stamp before it publishes the position.
                if rechecked:
                    raise InconsistentStreamError(
                        f"ring {self._geometry.name!r} is inconsistent: position {p} is published"
                        f" (write_position {w}) but slot {s} has stamp {t}")
                rechecked = True
                continue
            rechecked = False
            self._wait_for_data(p, s, w, deadline)

    def _settled(self, p: int, index: int) -> bool:
        """Whether p's slot holds something other than "not written yet" (§7.1's re-check)."""
        t = self._stamps[index]
        _sync.acquire_fence()
        return t == 2 * p + 2 or t == -(2 * p + 1) or t > 2 * p + 2 or (t < 0 and -t > 2 * p + 1)

    def _wait_for_data(self, p: int, s: int, w: int, deadline: Deadline) -> None:
        """§7.1: spin briefly, then park on the data futex word until p may be readable."""
        index = self._stamp_base + s * _WORDS_PER_SLOT
        words = self._words
        wp = L.WRITE_POSITION_OFFSET // 8
        spin_end = time.perf_counter() + min(self._spin, deadline.remaining())
        while time.perf_counter() < spin_end:
            if words[wp] != w or self._settled(p, index):
                return
        if deadline.expired():
            raise StreamTimeoutError(self._timeout_message(p, deadline))
        m = self._mapping
        waiters = m.address + L.READER_WAITERS_OFFSET
        futex = m.address + L.WRITE_POSITION_OFFSET
        parked = m.u32
        _sync.atomic_add(waiters, 1)
        try:
            parked[self._parked_index] = 1
            while True:
                w = self._write_position()
                if w > p or self._settled(p, index):
                    return
                if deadline.expired():
                    raise StreamTimeoutError(self._timeout_message(p, deadline))
                _sync.wait(futex, w, deadline.remaining())
        finally:
            parked[self._parked_index] = 0
            _sync.atomic_add(waiters, -1)

    def _timeout_message(self, p: int, deadline: Deadline) -> str:
        writer = self._mapping.i64[L.WRITER_PID_OFFSET // 8]
        if writer == 0:
            who = "the ring has no writer now"
        elif _processes.alive(writer):
            who = f"its writer is pid {writer}"
        else:
            who = f"its writer, pid {writer}, is gone (it died without closing; a new writer recovers the ring)"
        return (f"timed out {deadline.describe()} waiting for position {p} of ring {self._geometry.name!r}"
                f" (cursor {self._name!r}): {who}")

    def _stable(self, index: int, t: int) -> bool:
        """The seqlock re-check: the stamp is unchanged after the reads (LoadLoad before it)."""
        _sync.acquire_fence()
        return self._stamps[index] == t

    def _take_lost(self) -> int:
        lost, self._pending_lost = self._pending_lost, 0
        return lost

    # --- the public reads -------------------------------------------------------------------------
    def take(self, timeout: Optional[float] = None) -> Frame:
        """The next frame, as a copy: waits up to ``timeout`` seconds (None: no limit; 0: only if
        one is there), then raises StreamTimeoutError."""
        deadline = Deadline(timeout)
        words = self._words
        while True:
            p, s, t = self._readable(deadline)
            index = self._stamp_base + s * _WORDS_PER_SLOT
            array = self._slots[s].copy()
            frame_id = words[index + 1]
            write_ns = self._stamps[index + 2]
            if self._stable(index, t):
                self._advance(p + 1)
                return Frame(p, frame_id, write_ns, self._take_lost(), array)
            # overwritten while copied: _readable finds the newer stamp and counts the loss

    @contextlib.contextmanager
    def lease(self, timeout: Optional[float] = None) -> Iterator[np.ndarray]:
        """The next frame's slot itself, a read-only array, valid inside the ``with`` block.

        Under ``overflow="block"`` with a blocking cursor the writer stays off the slot until the
        block ends. Otherwise the writer may overwrite it meanwhile: the stamps are checked when
        the block ends, and an overwritten lease counts as lost and raises LappedError. The frame
        is consumed when the block ends, also when it raises. :attr:`current` describes it.
        """
        deadline = Deadline(timeout)
        p, s, t = self._readable(deadline)
        index = self._stamp_base + s * _WORDS_PER_SLOT
        view = self._slots[s]
        view.flags.writeable = False
        self._current = Frame(p, self._words[index + 1], self._stamps[index + 2], self._take_lost(), view)
        failed = True
        try:
            yield view
            failed = False
        finally:
            self._current = None
            intact = self._stable(index, t)
            if not intact:
                self._lost += 1
            self._advance(p + 1)
            if not intact and not failed:
                raise LappedError(f"the frame at position {p} of ring {self._geometry.name!r} was overwritten"
                                  f" while leased (cursor {self._name!r}); what was computed from it is not"
                                  " that frame. It counts as lost")

    def _batch_extent(self, p: int, s: int, max_frames: int) -> int:
        """How many consecutive complete frames from p lie in one run of slots (up to max_frames)."""
        w = self._write_position()
        limit = min(max_frames, self._capacity - s, max(1, w - p))
        k = 1
        while k < limit:
            t = self._stamps[self._stamp_base + (s + k) * _WORDS_PER_SLOT]
            _sync.acquire_fence()
            if t != 2 * (p + k) + 2:
                break
            k += 1
        return k

    def _batch_facts(self, p: int, s: int, k: int) -> Tuple[np.ndarray, np.ndarray, list]:
        """Frame ids and times of p..p+k-1, and the stamps the seqlock re-check expects of them
        (the complete stamps _batch_extent saw, not a second reading that could be newer)."""
        words = self._words
        base = self._stamp_base + s * _WORDS_PER_SLOT
        stamps = [2 * (p + i) + 2 for i in range(k)]
        ids = np.array([words[base + i * _WORDS_PER_SLOT + 1] for i in range(k)], dtype=np.uint64)
        times = np.array([self._stamps[base + i * _WORDS_PER_SLOT + 2] for i in range(k)], dtype=np.int64)
        return ids, times, stamps

    def _batch_stable(self, s: int, stamps: list) -> bool:
        _sync.acquire_fence()
        base = self._stamp_base + s * _WORDS_PER_SLOT
        return all(self._stamps[base + i * _WORDS_PER_SLOT] == t for i, t in enumerate(stamps))

    def take_batch(self, max_frames: int, timeout: Optional[float] = None) -> Batch:
        """Up to ``max_frames`` consecutive frames as one copied (k, *shape) array: waits (up to
        ``timeout``) for the first, then takes those already written that lie in consecutive slots."""
        limit = _check_max_frames(max_frames)
        deadline = Deadline(timeout)
        while True:
            p, s, _ = self._readable(deadline)
            k = self._batch_extent(p, s, limit)
            ids, times, stamps = self._batch_facts(p, s, k)
            array = self._slots[s:s + k].copy()
            if self._batch_stable(s, stamps):
                self._advance(p + k)
                return Batch(p, ids, times, self._take_lost(), array)

    @contextlib.contextmanager
    def lease_batch(self, max_frames: int, timeout: Optional[float] = None) -> Iterator[Batch]:
        """As :meth:`take_batch`, but the batch's ``array`` is the slots themselves (read-only, no
        copy) and ``batch.to_arrow()`` a FixedShapeTensorArray over them, valid inside the block;
        the frames are consumed when it ends. Overwritten meanwhile (only possible without
        back-pressure): its frames count as lost and LappedError is raised, as in :meth:`lease`."""
        limit = _check_max_frames(max_frames)
        deadline = Deadline(timeout)
        p, s, _ = self._readable(deadline)
        k = self._batch_extent(p, s, limit)
        ids, times, stamps = self._batch_facts(p, s, k)
        view = self._slots[s:s + k]
        view.flags.writeable = False
        failed = True
        try:
            yield Batch(p, ids, times, self._take_lost(), view)
            failed = False
        finally:
            intact = self._batch_stable(s, stamps)
            if not intact:
                self._lost += k
            self._advance(p + k)
            if not intact and not failed:
                raise LappedError(f"frames {p}..{p + k - 1} of ring {self._geometry.name!r} were overwritten"
                                  f" while leased (cursor {self._name!r}); they count as lost")

    def __iter__(self) -> Iterator[Frame]:
        """Frames as copies, forever (``take()`` without a deadline)."""
        while True:
            yield self.take()

    # --- closing ----------------------------------------------------------------------------------
    def close(self) -> None:
        """Detaches the cursor (its position stays; a reader of the same name resumes there). Harmless twice."""
        lock, self._cursor_lock = self._cursor_lock, None
        if lock is None:
            return
        try:
            self._table.detach(self._entry, lock)
        finally:
            self._mapping.release()

    def __enter__(self) -> "RingReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_cursor_lock", None) is not None:
            try:
                self.close()
            except Exception:
                pass

    def __repr__(self) -> str:
        state = "closed" if self._cursor_lock is None else f"position {self._position}, lost {self._lost}"
        return f"<arrow_shm.RingReader {self._name!r} of {self._geometry.name!r}, {state}>"


def _check_max_frames(max_frames: object) -> int:
    if isinstance(max_frames, bool) or not isinstance(max_frames, (int, np.integer)) or max_frames < 1:
        raise ValueError(f"max_frames must be an int >= 1, got {max_frames!r}")
    return int(max_frames)

"""The writer of a ring (ring format §5): the lease, recovery, writing a position, and waiting
for space under BLOCK."""
from __future__ import annotations

import contextlib
import math
import os
import time
from typing import TYPE_CHECKING, Iterator, List, Optional, Tuple

import numpy as np

from . import _layout as L, _names, _processes, _sync
from ._cursors import CursorTable, require_linked
from ._deadline import SPIN_SECONDS, Deadline
from ._locks import LockFile
from .errors import InconsistentStreamError, SharedMemoryError, StreamTimeoutError

if TYPE_CHECKING:
    from ._ring import Ring

#: A waiting writer probes the cursors holding it back this often, from this far into the wait (§5.4).
PROBE_INTERVAL = 0.010
#: How long a probe waits for the table lock before leaving it for the next round.
PROBE_LOCK_TIMEOUT = 0.001
_U64 = 0xFFFFFFFFFFFFFFFF


class RingWriter:
    """The one writer of a ring: holds the writer lease until :meth:`close` (or the end of a
    ``with`` block). Made by :meth:`arrow_shm.Ring.writer`; used by one thread at a time.

    >>> with ring.writer() as w:                       # doctest: +SKIP
    ...     position = w.write(frame, frame_id=7)      # a copy into the next slot
    ...     with w.write_view() as slot:               # or fill the slot in place
    ...         slot[...] = 0
    """

    def __init__(self, ring: "Ring", timeout: Optional[float]) -> None:
        deadline = Deadline(timeout)
        self._mapping = ring._retain_mapping()
        try:
            g = self._mapping.geometry
            self._geometry = g
            self._table = CursorTable(self._mapping, ring._lock_directory)
            self._lease = self._take_lease(deadline)
        except BaseException:
            self._mapping.release()
            raise
        m = self._mapping
        self._capacity = g.capacity
        self._block = g.overflow == L.OVERFLOW_BLOCK
        self._stamp_base = g.slot_table_offset // 8
        self._slots = m.slots
        self._elements_shape = g.shape
        self._wp_index = L.WRITE_POSITION_OFFSET // 8
        self._data_futex = m.address + L.WRITE_POSITION_OFFSET
        self._read_notify = m.address + L.READ_NOTIFY_OFFSET
        self._cached_epoch: Optional[int] = None
        self._cached_min = 0
        self._dirty = False
        try:
            m.i64[L.WRITER_PID_OFFSET // 8] = os.getpid()
            m.u32[L.WRITER_WAITING_OFFSET // 4] = 0  # a writer that died parked left it at 1
            self._position = self._recover()
        except BaseException:
            self._close_lease()
            raise

    # --- the lease (§5.1) and recovery (§5.2) --------------------------------------------------
    def _take_lease(self, deadline: Deadline) -> LockFile:
        g = self._geometry
        lock = LockFile(_names.writer_lock_file(g.digest, g.instance_id), self._table._lock_directory)
        try:
            while not lock.try_lock():
                if deadline.expired():
                    holder = self._mapping.i64[L.WRITER_PID_OFFSET // 8]
                    raise StreamTimeoutError(f"ring {g.name!r} already has a writer ({_processes.describe(holder)});"
                                             f" gave up {deadline.describe()}. A ring has one writer at a time:"
                                             " close the other one, or pass a longer timeout to ring.writer()")
                time.sleep(min(1e-3, deadline.remaining()))
            require_linked(self._mapping, lock)
        except BaseException:
            lock.close()
            raise
        return lock

    def _recover(self) -> int:
        """§5.2: settles the position the last writer left unpublished; returns P."""
        m = self._mapping
        p = self._table.write_position()
        s = p % self._capacity
        index = self._stamp_base + s * (L.SLOT_ENTRY_SIZE // 8)
        t = m.i64[index]
        _sync.acquire_fence()
        if t == L.writing(p):
            _sync.release_fence()
            m.i64[index] = L.abandoned(p)
            self._publish(p + 1)
            return p + 1
        if t == L.complete(p):
            self._publish(p + 1)
            return p + 1
        older = p - self._capacity
        if (t == 0 and p < self._capacity) or (older >= 0 and t in (L.complete(older), L.abandoned(older))):
            return p
        raise InconsistentStreamError(
            f"ring {self._geometry.name!r} is inconsistent: slot {s} has stamp {t}, which fits no state for"
            f" write_position {p}; the writer lease is refused. Unlink the ring and create it again")

    def _publish(self, next_position: int) -> None:
        """write_position = next (release), full fence, wake parked readers (§5.3 steps 7, 8)."""
        m = self._mapping
        _sync.release_fence()
        m.u64[self._wp_index] = next_position
        _sync.full_fence()
        if m.u32[L.READER_WAITERS_OFFSET // 4] != 0:
            _sync.wake(self._data_futex)

    # --- writing (§5.3) ----------------------------------------------------------------------
    @property
    def position(self) -> int:
        """The position the next write gets."""
        return self._position

    @property
    def ring_name(self) -> str:
        return self._geometry.name

    @property
    def closed(self) -> bool:
        return self._lease is None

    def _checked(self, array: object) -> np.ndarray:
        g = self._geometry
        value = np.asarray(array)
        if value.dtype != g.dtype:
            raise ValueError(f"ring {g.name!r} holds {g.dtype}, got {value.dtype}: convert it first"
                             f" (array.astype({str(g.dtype)!r}))")
        if value.shape != g.shape:
            raise ValueError(f"ring {g.name!r} holds shape {g.shape}, got {value.shape}")
        return value

    def _begin(self, timeout: Optional[float]) -> Tuple[int, int, int]:
        """Steps 1-3: (P, slot, stamp index) with the odd stamp stored."""
        if self._lease is None:
            raise ValueError(f"the writer of ring {self._geometry.name!r} is closed")
        if self._dirty:
            self._position = self._recover()  # an interrupt came between two of our own stores
        p = self._position
        s = p % self._capacity
        if self._block:
            self._wait_for_space(p, Deadline(timeout))
        index = self._stamp_base + s * (L.SLOT_ENTRY_SIZE // 8)
        self._dirty = True
        self._mapping.i64[index] = L.writing(p)
        return p, s, index

    def _finish(self, p: int, index: int, frame_id: int, write_ns: int) -> None:
        """Steps 5-9."""
        m = self._mapping
        m.u64[index + 1] = frame_id
        m.i64[index + 2] = write_ns
        _sync.release_fence()
        m.i64[index] = L.complete(p)
        self._publish(p + 1)
        self._position = p + 1
        self._dirty = False

    def _abandon(self, p: int, index: int) -> None:
        """A failure after the odd stamp: publish P as abandoned and go on at P + 1 (§5.3)."""
        _sync.release_fence()
        self._mapping.i64[index] = L.abandoned(p)
        self._publish(p + 1)
        self._position = p + 1
        self._dirty = False

    def write(self, array: object, frame_id: Optional[int] = None, timeout: Optional[float] = None) -> int:
        """Copies ``array`` (the ring's dtype and shape exactly) into the next slot and publishes it.

        ``frame_id`` is a u64 token readers see (0 when None). Under ``overflow="block"`` the write
        waits for every gating cursor to have consumed the frame it replaces, up to ``timeout``
        seconds (None: no limit), then raises StreamTimeoutError naming the cursors holding it back.
        Returns the position written.
        """
        value = self._checked(array)
        token = _token(frame_id)
        write_ns = time.time_ns()
        p, s, index = self._begin(timeout)
        try:
            _sync.release_fence()  # StoreStore: the payload stays after the odd stamp
            np.copyto(self._slots[s], value, casting="no")
        except BaseException:
            self._abandon(p, index)
            raise
        self._finish(p, index, token, write_ns)
        return p

    @contextlib.contextmanager
    def write_view(self, frame_id: Optional[int] = None, timeout: Optional[float] = None) -> Iterator[np.ndarray]:
        """Lends the next slot itself, a writable array of the ring's dtype and shape, to fill in
        place (no copy). Leaving the block normally publishes it; an exception abandons the
        position (readers skip it, counting it in ``reader.abandoned``) and propagates. Waits for
        space as :meth:`write` does. The array must not be used after the block."""
        token = _token(frame_id)
        write_ns = time.time_ns()
        p, s, index = self._begin(timeout)
        try:
            _sync.release_fence()
            yield self._slots[s]
        except BaseException:
            self._abandon(p, index)
            raise
        self._finish(p, index, token, write_ns)

    # --- BLOCK: waiting for space (§5.4) ----------------------------------------------------------
    def _scan(self, p: int) -> Tuple[int, List[Tuple[int, int]]]:
        """Rescans the cursor table: (minimum gating position or +inf, gating (entry, position)s)."""
        epoch = self._mapping.u32[L.CURSOR_EPOCH_OFFSET // 4]
        _sync.acquire_fence()
        gating = self._table.gating(p)
        low = min((position for _, position in gating), default=math.inf)
        self._cached_epoch = epoch
        self._cached_min = low
        return low, gating

    def _wait_for_space(self, p: int, deadline: Deadline) -> None:
        need = p - self._capacity + 1  # every gating cursor must have consumed position need - 1
        if need <= 0:
            return
        epoch = self._mapping.u32[L.CURSOR_EPOCH_OFFSET // 4]
        _sync.acquire_fence()
        if epoch == self._cached_epoch and self._cached_min >= need:
            return
        low, _ = self._scan(p)
        if low >= need:
            return
        spin_end = time.perf_counter() + SPIN_SECONDS
        while time.perf_counter() < spin_end:
            low, _ = self._scan(p)
            if low >= need:
                return
        self._park_for_space(p, need, deadline)

    def _park_for_space(self, p: int, need: int, deadline: Deadline) -> None:
        m = self._mapping
        waiting = L.WRITER_WAITING_OFFSET // 4
        notify = L.READ_NOTIFY_OFFSET // 4
        m.u32[waiting] = 1
        _sync.full_fence()
        next_probe = time.monotonic() + PROBE_INTERVAL
        try:
            while True:
                n = m.u32[notify]
                _sync.acquire_fence()
                low, gating = self._scan(p)
                if low >= need:
                    return
                holders = [entry for entry, position in gating if position < need]
                now = time.monotonic()
                if now >= next_probe:
                    self._probe(holders)
                    next_probe = now + PROBE_INTERVAL
                    low, gating = self._scan(p)
                    if low >= need:
                        return
                    holders = [entry for entry, position in gating if position < need]
                if deadline.expired():
                    raise StreamTimeoutError(self._blocked_message(p, holders, deadline))
                park = min(deadline.remaining(), _sync.MAX_PARK_SECONDS)
                grace_end = min((end for end in map(self._table.grace_end_ns, holders) if end is not None), default=None)
                if grace_end is not None:
                    # The first probe after a grace ends untethers that cursor.
                    until_grace = max(0.0, (grace_end - time.time_ns()) / 1e9)
                    park = min(park, max(until_grace, next_probe - time.monotonic()))
                _sync.wait(self._read_notify, n, park)
        finally:
            m.u32[waiting] = 0

    def _probe(self, holders: List[int]) -> None:
        """§8.2 on the cursors holding the writer back, if the table lock is free right now."""
        if not holders:
            return
        try:
            with self._table.locked(PROBE_LOCK_TIMEOUT):
                now = time.time_ns()
                for entry in holders:
                    if self._table.state(entry) == L.CURSOR_ACTIVE:
                        self._table.probe(entry, now)
        except StreamTimeoutError:
            pass  # someone is attaching: probe next round

    def _blocked_message(self, p: int, holders: List[int], deadline: Deadline) -> str:
        parts = []
        for entry in holders:
            name = self._table.name_of(entry).decode("utf-8", "replace")
            pid = self._table.pid(entry)
            who = f"reader {_processes.describe(pid)}" if pid else "no reader (detached, within its grace)"
            parts.append(f"cursor {name!r} at position {self._table.position(entry)} ({who})")
        return (f"timed out {deadline.describe()} waiting for space to write position {p} of ring"
                f" {self._geometry.name!r} (overflow=block, capacity {self._capacity}): held back by "
                + (", ".join(parts) or "no cursor any more") + "; read faster, give the write a longer timeout,"
                " or drop cursors nobody reads (ring.drop_cursor(name))")

    # --- closing -------------------------------------------------------------------------------
    def _close_lease(self) -> None:
        lease, self._lease = self._lease, None
        if lease is None:
            return
        try:
            self._mapping.i64[L.WRITER_PID_OFFSET // 8] = 0
        finally:
            lease.close()
            self._mapping.release()

    def close(self) -> None:
        """Ends the writer lease (another writer may then take it); harmless twice."""
        self._close_lease()

    def __enter__(self) -> "RingWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_lease", None) is not None:
            try:
                self.close()
            except Exception:
                pass

    def __repr__(self) -> str:
        state = "closed" if self._lease is None else f"next position {self._position}"
        return f"<arrow_shm.RingWriter of {self._geometry.name!r}, {state}>"


def _token(frame_id: Optional[int]) -> int:
    if frame_id is None:
        return 0
    if isinstance(frame_id, bool) or not isinstance(frame_id, (int, np.integer)):
        raise TypeError(f"frame_id must be an int or None, got {frame_id!r}")
    return int(frame_id) & _U64

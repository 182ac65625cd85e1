"""The cursor table (ring format §2.3, §6.1, §8): attach, detach, drop and probe under the
table lock, the writer's scan of the gating cursors, and validated snapshots for stat."""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

from . import _layout as L, _names, _processes, _sync
from ._locks import LockFile
from ._mapping import RingMapping
from .errors import CursorInUseError, InvalidMetadataError, SharedMemoryError, StaleStreamError

#: The table lock is held for microseconds; waiting longer than this means its holder is stuck.
TABLE_LOCK_TIMEOUT = 5.0
START_RULES = ("oldest", "latest", "next")


@dataclass(frozen=True)
class CursorInfo:
    """One named cursor as ``ring.cursors()`` and ``ring.stat()`` report it."""

    name: str
    #: The next position this cursor delivers; every position below it was consumed.
    position: int
    #: ``write_position - position``: frames written that this cursor has not consumed.
    lag: int
    #: The attached reader's process id, 0 when detached.
    pid: int
    #: Whether a reader process holds the cursor now (its cursor lock).
    live: bool
    #: Whether it holds a BLOCK writer back.
    blocking: bool
    #: Its grace ran out while detached: it holds nobody back until a reader attaches again.
    untethered: bool
    #: CLOCK_REALTIME nanoseconds of its last detach; 0 while attached.
    detached_ns: int
    #: Seconds a detached cursor keeps holding a BLOCK writer back.
    grace: float
    attach_count: int
    #: The cursor table entry (its lock file is ``...cursor-<entry>.lock``).
    entry: int


class CursorTable:
    """Entries of one mapped ring, and the generation's table and cursor lock files."""

    def __init__(self, mapping: RingMapping, lock_directory: Optional[str] = None) -> None:
        self.mapping = mapping
        self.geometry = mapping.geometry
        self._digest = self.geometry.digest
        self._lock_directory = lock_directory

    # --- words of entry i ------------------------------------------------------------------
    @staticmethod
    def base(entry: int) -> int:
        return L.HEADER_SIZE + L.CURSOR_ENTRY_SIZE * entry

    def state(self, entry: int) -> int:
        value = self.mapping.u32[(self.base(entry) + L.CURSOR_STATE) // 4]
        _sync.acquire_fence()
        return value

    def flags(self, entry: int) -> int:
        return self.mapping.u32[(self.base(entry) + L.CURSOR_FLAGS) // 4]

    def position(self, entry: int) -> int:
        value = self.mapping.u64[(self.base(entry) + L.CURSOR_POSITION) // 8]
        _sync.acquire_fence()
        return value

    def position_index(self, entry: int) -> int:
        """The u64 index of the entry's position word (the attached reader's own store)."""
        return (self.base(entry) + L.CURSOR_POSITION) // 8

    def parked_index(self, entry: int) -> int:
        return (self.base(entry) + L.CURSOR_PARKED) // 4

    def pid(self, entry: int) -> int:
        return self.mapping.i64[(self.base(entry) + L.CURSOR_PID) // 8]

    def name_of(self, entry: int) -> bytes:
        base = self.base(entry)
        length = self.mapping.u32[(base + L.CURSOR_NAME_LENGTH) // 4] & 0xFFFF
        return bytes(self.mapping.view(base + L.CURSOR_NAME, min(length, L.CURSOR_NAME_SIZE)))

    def write_position(self) -> int:
        value = self.mapping.u64[L.WRITE_POSITION_OFFSET // 8]
        _sync.acquire_fence()
        if value >= L.SIZE_LIMIT:
            raise self.invalid("write_position", f"is {value}, not below 2^62")
        return value

    def invalid(self, field: str, what: str) -> InvalidMetadataError:
        """A bad mutable word of the header or the cursor table (§3: invalid metadata naming it)."""
        return InvalidMetadataError(field, f"ring {self.geometry.name!r}: {field} {what}; a process of this user"
                                    " wrote outside the protocol. Unlink the ring and create it again")

    @staticmethod
    def field(entry: int, name: str) -> str:
        return f"cursor_table[{entry}].{name}"

    def check_entry(self, entry: int, write_position: int) -> None:
        """Raises InvalidMetadataError unless the entry's words are valid (§3, mutable words)."""
        base = self.base(entry)
        state = self.state(entry)
        if state not in (L.CURSOR_FREE, L.CURSOR_ACTIVE):
            raise self.invalid(self.field(entry, "state"), f"is {state}, not 0 (FREE) or 1 (ACTIVE)")
        if state == L.CURSOR_FREE:
            return
        flags = self.flags(entry)
        if flags & ~L.CURSOR_KNOWN_FLAGS:
            raise self.invalid(self.field(entry, "flags"), f"has unknown bits {flags:#x}")
        length_word = self.mapping.u32[(base + L.CURSOR_NAME_LENGTH) // 4]
        length = length_word & 0xFFFF
        if not 1 <= length <= L.CURSOR_NAME_SIZE:
            raise self.invalid(self.field(entry, "name_length"), f"is {length}, not 1..{L.CURSOR_NAME_SIZE}")
        if length_word >> 16 or any(self.mapping.view(base + L.CURSOR_RESERVED_56, 8)):
            raise self.invalid(self.field(entry, "reserved"), "bytes are not all zero (at 50 and [56, 64))")
        raw = bytes(self.mapping.view(base + L.CURSOR_NAME, length))
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.invalid(self.field(entry, "name"), f"is not valid UTF-8: {raw!r}") from None
        if b"\0" in raw:
            raise self.invalid(self.field(entry, "name"), f"holds a NUL byte: {raw!r}")
        position = self.position(entry)
        if position > write_position:
            raise self.invalid(self.field(entry, "position"), f"is {position}, past write_position {write_position}")

    # --- locks -----------------------------------------------------------------------------
    def lock_file(self, file_name: str) -> LockFile:
        return LockFile(file_name, self._lock_directory)

    def cursor_lock(self, entry: int) -> LockFile:
        return self.lock_file(_names.cursor_lock_file(self._digest, self.geometry.instance_id, entry))

    @contextlib.contextmanager
    def locked(self, timeout: float = TABLE_LOCK_TIMEOUT) -> Iterator[None]:
        """Holds the generation's table lock; refuses an unlinked ring (see require_linked)."""
        lock = self.lock_file(_names.table_lock_file(self._digest, self.geometry.instance_id))
        try:
            lock.lock(time.monotonic() + timeout, f"the cursor table lock of ring {self.geometry.name!r}")
            require_linked(self.mapping, lock)
            yield
        finally:
            lock.close()

    # --- attach, detach, drop, probe ---------------------------------------------------------
    def find(self, name: bytes) -> Optional[int]:
        for entry in range(self.geometry.max_cursors):
            if self.state(entry) == L.CURSOR_ACTIVE and self.name_of(entry) == name:
                return entry
        return None

    def attach(self, name: bytes, start: str, blocking: bool, grace_ns: int) -> Tuple[int, LockFile, int]:
        """§6.1: returns (entry, the held cursor lock, frames lost while the cursor was away)."""
        with self.locked():
            w = self.write_position()
            entry = self.find(name)
            if entry is None:
                entry = self._create(name, start, grace_ns, blocking, w)
            lock = self.cursor_lock(entry)
            try:
                if not lock.try_lock():
                    pid = self.pid(entry)
                    raise CursorInUseError(f"cursor {name.decode()!r} of ring {self.geometry.name!r} is in use by"
                                           f" {_processes.describe(pid)}: a cursor has one reader at a time;"
                                           " close that reader, or read under another cursor name", pid)
                require_linked(self.mapping, lock)
                w = self.write_position()
                self.check_entry(entry, w)
                base = self.base(entry)
                lost = 0
                oldest = max(0, w - self.geometry.capacity)
                if self.position(entry) < oldest:
                    lost = oldest - self.position(entry)
                    _sync.release_fence()
                    self.mapping.u64[self.position_index(entry)] = oldest
                self._repair_parked(entry)
                m = self.mapping
                m.i64[(base + L.CURSOR_PID) // 8] = os.getpid()
                m.i64[(base + L.CURSOR_DETACHED_NS) // 8] = 0
                flags = self.flags(entry) & ~(L.CURSOR_UNTETHERED | L.CURSOR_BLOCKING)
                m.u32[(base + L.CURSOR_FLAGS) // 4] = flags | (L.CURSOR_BLOCKING if blocking else 0)
                m.u64[(base + L.CURSOR_GRACE_NS) // 8] = grace_ns
                index = (base + L.CURSOR_ATTACH_COUNT) // 8
                m.u64[index] = (m.u64[index] + 1) & 0xFFFFFFFFFFFFFFFF
                self._bump_epoch()
                return entry, lock, lost
            except BaseException:
                lock.close()
                raise

    def _create(self, name: bytes, start: str, grace_ns: int, blocking: bool, w: int) -> int:
        for entry in range(self.geometry.max_cursors):
            if self.state(entry) == L.CURSOR_FREE:
                break
        else:
            raise SharedMemoryError(f"ring {self.geometry.name!r} has no free cursor entry (all"
                                    f" {self.geometry.max_cursors} are named cursors); drop one with"
                                    " ring.drop_cursor(name), or create the ring with more max_cursors")
        oldest = max(0, w - self.geometry.capacity)
        position = {"oldest": oldest, "latest": max(oldest, w - 1), "next": w}[start]
        base = self.base(entry)
        m = self.mapping
        m.view(base, L.CURSOR_ENTRY_SIZE)[:] = bytes(L.CURSOR_ENTRY_SIZE)
        m.u32[(base + L.CURSOR_FLAGS) // 4] = L.CURSOR_BLOCKING if blocking else 0
        m.u64[(base + L.CURSOR_POSITION) // 8] = position
        m.u64[(base + L.CURSOR_GRACE_NS) // 8] = grace_ns
        m.view(base + L.CURSOR_NAME, len(name))[:] = name
        m.u32[(base + L.CURSOR_NAME_LENGTH) // 4] = len(name)
        _sync.release_fence()
        m.u32[(base + L.CURSOR_STATE) // 4] = L.CURSOR_ACTIVE
        return entry

    def _bump_epoch(self) -> None:
        """cursor_epoch += 1 (a plain store under the table lock), then a full fence (§6.1 step 5)."""
        index = L.CURSOR_EPOCH_OFFSET // 4
        self.mapping.u32[index] = (self.mapping.u32[index] + 1) & 0xFFFFFFFF
        _sync.full_fence()

    def _repair_parked(self, entry: int) -> None:
        """A reader that died parked left parked = 1 and reader_waiters one too high (§7.1)."""
        index = self.parked_index(entry)
        if self.mapping.u32[index] == 1:
            self.mapping.u32[index] = 0
            _sync.atomic_add(self.mapping.address + L.READER_WAITERS_OFFSET, -1)

    def detach(self, entry: int, lock: LockFile) -> None:
        """§6.1 Detaching: pid = 0, detached_ns = now under the table lock; then drops the cursor
        lock. If the table lock cannot be had, the lock is dropped anyway: a probe finds the
        cursor detached."""
        try:
            with self.locked():
                base = self.base(entry)
                self.mapping.i64[(base + L.CURSOR_PID) // 8] = 0
                self.mapping.i64[(base + L.CURSOR_DETACHED_NS) // 8] = time.time_ns()
                lock.close()
        except (SharedMemoryError, OSError, ValueError):
            pass
        finally:
            lock.close()

    def probe(self, entry: int, now_ns: int) -> bool:
        """§8.2 with the table lock held: whether the cursor is live; marks a dead reader's cursor
        detached and a detached cursor past its grace untethered."""
        base = self.base(entry)
        m = self.mapping
        live = False
        if self.pid(entry) != 0:
            lock = self.cursor_lock(entry)
            try:
                if lock.try_lock():
                    m.i64[(base + L.CURSOR_PID) // 8] = 0
                    m.i64[(base + L.CURSOR_DETACHED_NS) // 8] = now_ns
                    self._repair_parked(entry)
                else:
                    live = True
            finally:
                lock.close()
        if not live:
            flags = self.flags(entry)
            detached_ns = m.i64[(base + L.CURSOR_DETACHED_NS) // 8]
            grace_ns = m.u64[(base + L.CURSOR_GRACE_NS) // 8]
            if not flags & L.CURSOR_UNTETHERED and now_ns - detached_ns >= grace_ns:
                m.u32[(base + L.CURSOR_FLAGS) // 4] = flags | L.CURSOR_UNTETHERED
        return live

    def drop(self, name: bytes) -> bool:
        """§6.1 Dropping: True when dropped, False when there was no such cursor; refuses a live one."""
        with self.locked():
            entry = self.find(name)
            if entry is None:
                return False
            if self.probe(entry, time.time_ns()):
                pid = self.pid(entry)
                raise CursorInUseError(f"cursor {name.decode()!r} of ring {self.geometry.name!r} has a live reader"
                                       f" ({_processes.describe(pid)}); close it before dropping the cursor", pid)
            base = self.base(entry)
            self.mapping.u32[(base + L.CURSOR_STATE) // 4] = L.CURSOR_FREE
            _sync.release_fence()
            self.mapping.view(base, L.CURSOR_ENTRY_SIZE)[:] = bytes(L.CURSOR_ENTRY_SIZE)
            self._bump_epoch()
            return True

    def infos(self) -> List[CursorInfo]:
        """Every ACTIVE cursor, probed (under the table lock) so that ``live`` is current."""
        result = []
        with self.locked():
            w = self.write_position()
            now = time.time_ns()
            for entry in range(self.geometry.max_cursors):
                self.check_entry(entry, w)
                if self.state(entry) != L.CURSOR_ACTIVE:
                    continue
                live = self.probe(entry, now)
                base = self.base(entry)
                m = self.mapping
                flags = self.flags(entry)
                position = self.position(entry)
                result.append(CursorInfo(
                    name=self.name_of(entry).decode("utf-8"), position=position, lag=w - position,
                    pid=self.pid(entry), live=live, blocking=bool(flags & L.CURSOR_BLOCKING),
                    untethered=bool(flags & L.CURSOR_UNTETHERED),
                    detached_ns=m.i64[(base + L.CURSOR_DETACHED_NS) // 8],
                    grace=m.u64[(base + L.CURSOR_GRACE_NS) // 8] / 1e9,
                    attach_count=m.u64[(base + L.CURSOR_ATTACH_COUNT) // 8], entry=entry))
        return result

    # --- the writer's view -------------------------------------------------------------------
    def gating(self, write_position: int) -> List[Tuple[int, int]]:
        """(entry, position) of every gating cursor: ACTIVE, BLOCKING, not UNTETHERED (§5.4)."""
        found = []
        for entry in range(self.geometry.max_cursors):
            state = self.state(entry)
            if state == L.CURSOR_FREE:
                continue
            if state != L.CURSOR_ACTIVE:
                raise self.invalid(self.field(entry, "state"), f"is {state}, not 0 (FREE) or 1 (ACTIVE)")
            flags = self.flags(entry)
            if flags & L.CURSOR_BLOCKING and not flags & L.CURSOR_UNTETHERED:
                position = self.position(entry)
                if position > write_position:
                    raise self.invalid(self.field(entry, "position"),
                                       f"is {position}, past write_position {write_position}")
                found.append((entry, position))
        return found

    def grace_end_ns(self, entry: int) -> Optional[int]:
        """When a detached cursor stops holding the writer back; None while a reader is attached."""
        base = self.base(entry)
        if self.pid(entry) != 0:
            return None
        return self.mapping.i64[(base + L.CURSOR_DETACHED_NS) // 8] + self.mapping.u64[(base + L.CURSOR_GRACE_NS) // 8]


def require_linked(mapping: RingMapping, lock: LockFile) -> None:
    """Refuses a generation that was unlinked: a lock file removed after we opened it excludes
    nobody, and one created after the unlink removed the old one is a new inode; both are caught
    by checking the ring file itself still has its name, after the lock was taken."""
    if not lock.linked() or not mapping.linked():
        raise StaleStreamError(f"ring {mapping.geometry.name!r} was unlinked; open it again"
                               " (arrow_shm.Ring.open) to use the ring that now has the name, if any")

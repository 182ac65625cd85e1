"""Finding rings on this host, and purging them (ring format §9.4)."""
from __future__ import annotations

import os
import re
from typing import List, Optional

from . import _lifecycle, _locks, _names, _processes
from .errors import SharedMemoryError

_RING = re.compile(r"arrowshm_ring_([0-9a-f]{14})")
_TEMPORARY = re.compile(r"arrowshm_ring_[0-9a-f]{14}\.([0-9]+)\.[0-9a-f]{8}\.tmp")
_LOCK = re.compile(r"arrowshm_ring_([0-9a-f]{14})-([0-9a-f]{32})\.(writer|table|cursor-[0-9]+)\.lock")


def _shm_entries() -> List[str]:
    try:
        return os.listdir(_names.SHM_DIR)
    except FileNotFoundError:
        return []


def list_rings() -> List[str]:
    """Sorted names of the valid rings in /dev/shm (files that fail validation are not rings)."""
    names = []
    for entry in _shm_entries():
        match = _RING.fullmatch(entry)
        if match:
            geometry = _lifecycle.geometry_or_none(match.group(1))
            if geometry is not None:
                names.append(geometry.name)
    return sorted(names)


def purge(lock_directory: Optional[str] = None) -> List[str]:
    """Unlinks every valid ring, removes the .tmp files of dead creators and the lock files of
    generations that are gone and that nobody holds; returns the rings' names, sorted."""
    removed = []
    for name in list_rings():
        try:
            if _lifecycle.unlink(name, lock_directory):
                removed.append(name)
        except SharedMemoryError:
            pass  # replaced by something that is not a ring meanwhile: not ours to remove
    for entry in _shm_entries():
        match = _TEMPORARY.fullmatch(entry)
        if match and not _processes.alive(int(match.group(1))):
            path = os.path.join(_names.SHM_DIR, entry)
            try:
                info = os.lstat(path)
                if info.st_uid == os.geteuid() and os.path.isfile(path) and not os.path.islink(path):
                    os.unlink(path)
            except FileNotFoundError:
                pass
    _purge_lock_files(lock_directory)
    return sorted(removed)


def _purge_lock_files(lock_directory: Optional[str]) -> None:
    directory = lock_directory or _locks.lock_directory()
    try:
        entries = os.listdir(directory)
    except FileNotFoundError:
        return
    live = {}
    for entry in entries:
        match = _LOCK.fullmatch(entry)
        if not match:
            continue
        digest, instance = match.group(1), match.group(2)
        if digest not in live:
            geometry = _lifecycle.geometry_or_none(digest)
            live[digest] = geometry.instance_id.hex() if geometry is not None else None
        if live[digest] == instance:
            continue  # its generation is still there
        try:
            with _locks.LockFile(entry, directory) as lock:
                if lock.try_lock():
                    os.unlink(os.path.join(directory, entry))
        except (SharedMemoryError, OSError):
            pass  # untrusted or vanished: leave it

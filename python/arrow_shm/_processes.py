"""Whether a process id names a running process (diagnostics only: liveness itself is a lock)."""
from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """True when ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    if pid <= 0:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # "pid (comm) S ...": the state follows the last ')' (comm may hold anything).
            return stat.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (FileNotFoundError, ProcessLookupError):
        return False
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe(pid: int) -> str:
    """``pid 123 (alive)`` / ``pid 123 (gone)`` / ``no process``, for messages."""
    if pid <= 0:
        return "no process"
    return f"pid {pid} ({'alive' if alive(pid) else 'gone'})"

"""The exceptions of arrow_shm, with the meaning Java's exceptions of the same name have.

Each error also derives from the built-in exception a Python user would catch for it
(``FileNotFoundError``, ``FileExistsError``, ``TimeoutError``, ``ValueError``, ...), so
``except TimeoutError`` works as well as ``except arrow_shm.StreamTimeoutError``. Every
message names the ring, stream or file and says what to do.
"""
from __future__ import annotations

__all__ = [
    "SharedMemoryError",
    "StreamNotFoundError",
    "StreamExistsError",
    "StreamTimeoutError",
    "InvalidMetadataError",
    "InconsistentStreamError",
    "UntrustedFileError",
    "StaleStreamError",
    "CursorInUseError",
    "LappedError",
    "SharedMemoryFullError",
]


class SharedMemoryError(Exception):
    """The base of every arrow_shm error (Java: ``SharedMemoryException``)."""


class StreamNotFoundError(SharedMemoryError, FileNotFoundError):
    """No ring or stream of that name exists (Java: ``StreamNotFoundException``)."""


class StreamExistsError(SharedMemoryError, FileExistsError):
    """``create`` found the name taken, by a ring or a pyshmem stream (Java: ``StreamExistsException``)."""


class StreamTimeoutError(SharedMemoryError, TimeoutError):
    """A wait passed its deadline: a frame, space in the ring, the writer lease or a lock
    (Java: ``StreamTimeoutException``)."""


class InvalidMetadataError(SharedMemoryError, ValueError):
    """A header failed validation; :attr:`field` names the header field that failed
    (Java: ``InvalidMetadataException.field()``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class InconsistentStreamError(SharedMemoryError, RuntimeError):
    """What the shared memory holds contradicts the protocol: a stream's failed or abandoned
    write, or a ring word or stamp that fits no state the format allows
    (Java: ``InconsistentStreamException``)."""


class UntrustedFileError(SharedMemoryError, PermissionError):
    """A file arrow_shm would open (a segment, the lock directory or a lock file) is a symbolic
    link, a FIFO, socket or device, or another user's file; it was not used and nothing was
    changed (Java: ``UntrustedFileException``). :attr:`path` is the refused file."""

    def __init__(self, path: str, found: str, remedy: str) -> None:
        super().__init__(f"{path} {found}; arrow-shm will not use it. {remedy}")
        self.path = path


class StaleStreamError(SharedMemoryError, RuntimeError):
    """A handle's operation found that its ring was unlinked or that the name now holds a newer
    generation (Java: ``StaleStreamException``)."""


class CursorInUseError(SharedMemoryError, RuntimeError):
    """Another live reader holds the cursor (a cursor is read by one reader at a time).
    :attr:`pid` is the holder's process id as the cursor table records it (0 if unknown)."""

    def __init__(self, message: str, pid: int = 0) -> None:
        super().__init__(message)
        self.pid = pid


class LappedError(SharedMemoryError):
    """A zero-copy view (a lease or a leased batch) was overwritten by the writer while it was
    held, so what was computed from it is not a frame the writer wrote. Only possible without
    back-pressure: an ``overwrite`` ring or a non-blocking cursor. Its frames count as lost."""


class SharedMemoryFullError(SharedMemoryError, OSError):
    """/dev/shm has no room for a new ring: reported by ``create``, never later as SIGBUS,
    because the space is reserved up front (Java: ``SharedMemoryFullException``)."""

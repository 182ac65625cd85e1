"""flock(2) lock files in pyshmem's lock directory (ring format §1.3).

A lock is taken with a separate open file description per holder: open the file, then flock
it; two holders in one process therefore exclude each other too. The kernel drops the lock
when the holding process dies.
"""
from __future__ import annotations

import errno
import fcntl
import os
import stat as stat_module
import tempfile
import time
from typing import Optional

from . import _files
from .errors import SharedMemoryError, StreamTimeoutError, UntrustedFileError

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
_GROUP_OTHER = 0o077
_LOCK_FILE_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def lock_directory() -> str:
    """$PYSHMEM_LOCK_DIR if set and non-empty, else <tempfile.gettempdir()>/pyshmem-locks-<uid>."""
    configured = os.environ.get("PYSHMEM_LOCK_DIR")
    if configured:
        return configured
    return os.path.join(tempfile.gettempdir(), f"pyshmem-locks-{os.getuid()}")


def open_directory(path: Optional[str] = None) -> int:
    """Opens the lock directory (creating it 0700), refusing a stranger's, a link or a shared one."""
    path = path or lock_directory()
    for attempt in range(4):
        try:
            fd = os.open(path, _DIRECTORY_FLAGS)
        except FileNotFoundError:
            if attempt == 3:
                raise
            parent = os.path.dirname(path)
            if parent:
                os.makedirs(parent, exist_ok=True)
            try:
                os.mkdir(path, DIRECTORY_MODE)
            except FileExistsError:
                pass
            continue
        except OSError as exc:
            untrusted = _files.untrusted_after_failed_open(path, path, "lock directory", directory=True)
            if untrusted is not None:
                raise untrusted from None
            raise SharedMemoryError(f"cannot open the lock directory {path}: {exc.strerror}") from exc
        try:
            info = os.fstat(fd)
            _files.check_trusted(info, path, "lock directory", directory=True)
            if info.st_mode & _GROUP_OTHER:
                if info.st_mode & stat_module.S_ISVTX:
                    raise UntrustedFileError(path, f"is a shared directory (mode {info.st_mode & 0o7777:o}),"
                                             " not a private lock directory",
                                             "Set PYSHMEM_LOCK_DIR to a directory of your own.")
                os.fchmod(fd, DIRECTORY_MODE)
        except BaseException:
            os.close(fd)
            raise
        return fd
    raise AssertionError("unreachable")


class LockFile:
    """One holder's open file description of a lock file: :meth:`try_lock`, :meth:`lock`
    (polled until a deadline), :meth:`unlock`, :meth:`close`. It owns its descriptor."""

    def __init__(self, file_name: str, directory: Optional[str] = None) -> None:
        directory = directory or lock_directory()
        self.path = os.path.join(directory, file_name)
        dir_fd = open_directory(directory)
        try:
            fd = _files.open_trusted(file_name, _LOCK_FILE_FLAGS, "lock file", dir_fd=dir_fd,
                                     display=self.path, mode=FILE_MODE)
        finally:
            os.close(dir_fd)
        assert fd is not None  # O_CREAT
        if os.fstat(fd).st_mode & _GROUP_OTHER:
            os.fchmod(fd, FILE_MODE)
        self._fd: Optional[int] = fd
        self.held = False

    @property
    def fd(self) -> int:
        if self._fd is None:
            raise ValueError(f"lock file {self.path} is closed")
        return self._fd

    def try_lock(self) -> bool:
        """flock(LOCK_EX | LOCK_NB): True when taken, False when someone else holds it."""
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EINTR):
                return False
            raise SharedMemoryError(f"cannot lock {self.path}: {exc.strerror}") from exc
        self.held = True
        return True

    def lock(self, deadline: Optional[float], what: str) -> None:
        """Polls :meth:`try_lock` until ``deadline`` (time.monotonic(); None: no limit).

        Raises StreamTimeoutError("timed out waiting for <what>") at the deadline.
        """
        pause = 20e-6
        while not self.try_lock():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise StreamTimeoutError(f"timed out waiting for {what} ({self.path})")
            time.sleep(pause if deadline is None else max(0.0, min(pause, deadline - now)))
            pause = min(pause * 2, 1e-3)

    def linked(self) -> bool:
        """Whether the file still has a name (a removed lock file excludes nobody new)."""
        return _files.linked(self.fd)

    def unlock(self) -> None:
        if self._fd is not None and self.held:
            self.held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Unlocks (if held) and closes; harmless twice."""
        fd, self._fd = self._fd, None
        self.held = False
        if fd is not None:
            os.close(fd)  # closing the only descriptor of the description drops its flock

    def __enter__(self) -> "LockFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def try_remove(file_name: str, directory: Optional[str] = None) -> bool:
    """Removes a lock file (relative to the checked directory) if it exists; True if removed."""
    dir_fd = open_directory(directory)
    try:
        os.unlink(file_name, dir_fd=dir_fd)
        return True
    except FileNotFoundError:
        return False
    finally:
        os.close(dir_fd)

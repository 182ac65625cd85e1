"""Opening files arrow_shm can trust (ring format §1.2, §1.3): regular files and directories of
this user, never reached through a symbolic link, never opened in a way that could block."""
from __future__ import annotations

import errno
import os
import stat as stat_module
from typing import Optional

from .errors import SharedMemoryError, StreamNotFoundError, UntrustedFileError

#: Flags for opening an existing segment: no link, no waiting on a FIFO, no terminal.
SEGMENT_OPEN_FLAGS = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
#: Flags for creating a segment's temporary file (§9.1 step 3).
SEGMENT_CREATE_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_MODE = 0o600
_KINDS = (
    (stat_module.S_ISLNK, "a symbolic link"),
    (stat_module.S_ISFIFO, "a FIFO"),
    (stat_module.S_ISSOCK, "a socket"),
    (stat_module.S_ISCHR, "a character device"),
    (stat_module.S_ISBLK, "a block device"),
    (stat_module.S_ISDIR, "a directory"),
    (stat_module.S_ISREG, "a regular file"),
)


def kind_of(mode: int) -> str:
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "a special file"


def check_trusted(info: os.stat_result, path: str, role: str, directory: bool = False) -> None:
    """Raises UntrustedFileError unless ``info`` is a regular file (or a directory) of this user."""
    right_type = stat_module.S_ISDIR(info.st_mode) if directory else stat_module.S_ISREG(info.st_mode)
    if not right_type:
        remove = "rm -r" if stat_module.S_ISDIR(info.st_mode) else "rm"
        raise UntrustedFileError(path, f"is {kind_of(info.st_mode)}, not a {role}",
                                 f"Remove it ({remove} {path}) if nothing of yours needs it, then retry.")
    euid = os.geteuid()
    if info.st_uid != euid:
        raise UntrustedFileError(path, f"is owned by uid {info.st_uid}, not by this process's user (uid {euid}),"
                                 f" so it cannot be trusted as a {role}",
                                 "Ask its owner to remove it (or remove it as root), then retry.")


def untrusted_after_failed_open(path: str, shown: str, role: str, dir_fd: Optional[int] = None,
                                directory: bool = False) -> Optional[UntrustedFileError]:
    """What a failed O_NOFOLLOW open found (a link gives ELOOP, a socket ENXIO), if it is a trust problem."""
    try:
        info = os.lstat(path, dir_fd=dir_fd) if dir_fd is not None else os.lstat(path)
    except OSError:
        return None
    try:
        check_trusted(info, shown, role, directory)
    except UntrustedFileError as exc:
        return exc
    return None


def open_trusted(path: str, flags: int, role: str, *, dir_fd: Optional[int] = None, display: Optional[str] = None,
                 missing: Optional[str] = None, mode: int = FILE_MODE) -> Optional[int]:
    """Opens ``path`` with ``flags`` (which include O_NOFOLLOW) and checks what it opened.

    Returns the descriptor, or None when the file does not exist and ``missing`` is None;
    raises StreamNotFoundError(``missing``) when it does not exist and ``missing`` is given.
    ``display`` is the path shown in messages (the full path when ``path`` is relative to ``dir_fd``).
    """
    shown = display or path
    try:
        fd = os.open(path, flags, mode, dir_fd=dir_fd) if dir_fd is not None else os.open(path, flags, mode)
    except FileNotFoundError:
        if missing is not None:
            raise StreamNotFoundError(missing) from None
        return None
    except OSError as exc:
        untrusted = untrusted_after_failed_open(path, shown, role, dir_fd)
        if untrusted is not None:
            raise untrusted from None
        raise SharedMemoryError(f"cannot open {role} {shown}: {exc.strerror} (errno {errno.errorcode.get(exc.errno, exc.errno)})") from exc
    try:
        check_trusted(os.fstat(fd), shown, role)
    except BaseException:
        os.close(fd)
        raise
    return fd


def linked(fd: int) -> bool:
    """Whether the open file still has a name (st_nlink > 0)."""
    return os.fstat(fd).st_nlink > 0

"""Futex calls, the 32-bit atomic add and memory fences, in pure Python (ring format §4, §7).

Python has no atomic instructions and no fences, so this module builds them from the futex
system call through ctypes:

* **atomic add**: ``FUTEX_WAKE_OP`` with ``FUTEX_OP_ADD`` adds to a 32-bit word atomically in
  the kernel (§4); the same call can wake the word's waiters, which is what a reader that frees
  space does (§6.6: add to ``read_notify``, then wake it) in one system call.
* **full fence** (StoreLoad): where GCC's runtime library ``libatomic.so.1`` is installed (it is
  on every common distribution), :func:`full_fence` calls its C11 ``atomic_thread_fence(SEQ_CST)``
  through ctypes (``lock or`` on x86-64, ``dmb ish`` on aarch64): no system call, so no point at
  which a loaded machine deschedules the caller. Without it, the fence is the kernel's futex
  atomic op, a full barrier on both supported architectures (``lock xadd`` on x86-64,
  ``ldxr``/``stlxr`` then ``dmb ish`` on aarch64), run as an add of 0 on a private word of this
  process; barriers order a CPU's accesses whatever privilege level issued them, so the stores
  made before the system call are ordered before the loads made after it.
* **acquire loads and release stores**: on x86-64 every plain load is an acquire load and every
  plain store a release store (TSO); CPython reads and writes a word of shared memory with one
  fixed-size ``memcpy`` (memoryview item access), which compilers emit as one aligned ``mov``,
  and every Python-level access is a separate C call, so neither the compiler nor the CPU
  reorders them against each other except for StoreLoad. On aarch64 plain accesses may be
  reordered freely, so :func:`acquire_fence` (after a load) and :func:`release_fence` (before a
  store) are full fences there: a full barrier after a load orders it before every later access
  (acquire), one before a store orders every earlier access before it (release). That costs a
  system call per ordered access; it is sound without any library beyond libc.

``ARROW_SHM_FENCES=always`` makes x86-64 take the aarch64 path, so the test suite exercises
its fence placement on the machines it runs on; ``ARROW_SHM_FENCE=futex`` makes the full fence
the system call even where libatomic is found (the suite runs both).
"""
from __future__ import annotations

import ctypes
import os
import platform
from typing import Callable, Optional

FUTEX_WAIT = 0
FUTEX_WAKE = 1
FUTEX_WAKE_OP = 5
FUTEX_PRIVATE_FLAG = 128
FUTEX_OP_ADD = 1
FUTEX_OP_CMP_EQ = 0
#: Wake every waiter.
WAKE_ALL = 0x7FFFFFFF
#: Waits are capped at this many seconds (§7): a lost wake-up or a dead peer costs at most this.
MAX_PARK_SECONDS = 0.05

_SYSCALL_NUMBERS = {"x86_64": 202, "amd64": 202, "aarch64": 98, "arm64": 98}
MACHINE = platform.machine().lower()
SYS_FUTEX = _SYSCALL_NUMBERS.get(MACHINE)
#: x86-64's TSO: plain loads are acquire, plain stores release (see the module doc).
STRONGLY_ORDERED = MACHINE in ("x86_64", "amd64") and os.environ.get("ARROW_SHM_FENCES") != "always"


def supported() -> bool:
    """Whether rings work here: Linux on x86-64 or aarch64."""
    return SYS_FUTEX is not None and platform.system() == "Linux"


def require_supported() -> None:
    if not supported():
        raise OSError(f"arrow_shm rings need Linux on x86-64 or aarch64; this is {platform.system()} on {MACHINE}")


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long
_syscall.argtypes = [ctypes.c_long] * 7
#: The private word full_fence adds 0 to; it lives as long as the module.
_fence_word = ctypes.c_uint32(0)
_FENCE_ADDRESS = ctypes.addressof(_fence_word)


def _add_op(delta: int) -> int:
    """FUTEX_WAKE_OP's encoded operation: *uaddr2 += delta (12-bit signed operand)."""
    if not -2048 <= delta <= 2047:
        raise ValueError(f"futex add operand {delta} outside -2048..2047")
    return (FUTEX_OP_ADD << 28) | (FUTEX_OP_CMP_EQ << 24) | ((delta & 0xFFF) << 12)


_ADD_ZERO = _add_op(0)


def _check(result: int, what: str) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"futex {what} failed: {os.strerror(errno)}")
    return result


def atomic_add(address: int, delta: int, wake: int = 0) -> None:
    """Adds ``delta`` to the shared u32 at ``address`` atomically, with a full fence on both
    sides; then wakes up to ``wake`` waiters of the same word (0: none)."""
    _check(_syscall(SYS_FUTEX, address, FUTEX_WAKE_OP, wake, 0, address, _add_op(delta)), "atomic add")


def _futex_fence() -> None:
    """Orders every earlier load and store before every later one (StoreLoad included)."""
    _syscall(SYS_FUTEX, _FENCE_ADDRESS, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 0, 0, _FENCE_ADDRESS, _ADD_ZERO)


def _libatomic_fence() -> "Optional[Callable[[], None]]":
    """C11 atomic_thread_fence(memory_order_seq_cst) from libatomic, or None where it is missing."""
    if os.environ.get("ARROW_SHM_FENCE") == "futex":
        return None
    try:
        library = ctypes.CDLL("libatomic.so.1")
        fence = library.atomic_thread_fence
    except (OSError, AttributeError):
        return None
    fence.argtypes = [ctypes.c_int]
    fence.restype = None
    seq_cst = 5  # __ATOMIC_SEQ_CST

    def full_fence() -> None:
        """Orders every earlier load and store before every later one (StoreLoad included)."""
        fence(seq_cst)

    return full_fence


full_fence = _libatomic_fence() or _futex_fence
#: Which full fence this process uses: "libatomic" or "futex".
FENCE = "futex" if full_fence is _futex_fence else "libatomic"


def _no_fence() -> None:
    """x86-64: the plain access already has the ordering asked for (see the module doc)."""


#: Call after a load that must be an acquire load.
acquire_fence = _no_fence if STRONGLY_ORDERED else full_fence
#: Call before a store that must be a release store (also the StoreStore fence of §5.3 step 3).
release_fence = _no_fence if STRONGLY_ORDERED else full_fence


def wait(address: int, expected: int, seconds: float) -> None:
    """FUTEX_WAIT on the shared u32 at ``address`` while it holds ``expected``, for at most
    ``seconds`` (capped at 50 ms). The result is ignored: the caller re-checks its condition."""
    seconds = min(max(seconds, 0.0), MAX_PARK_SECONDS)
    whole = int(seconds)
    timeout = _Timespec(whole, int((seconds - whole) * 1e9))
    _syscall(SYS_FUTEX, address, FUTEX_WAIT, expected & 0xFFFFFFFF, ctypes.addressof(timeout), 0, 0)


def wake(address: int, count: int = WAKE_ALL) -> None:
    """FUTEX_WAKE: wakes up to ``count`` waiters of the shared u32 at ``address``."""
    _syscall(SYS_FUTEX, address, FUTEX_WAKE, count, 0, 0, 0)

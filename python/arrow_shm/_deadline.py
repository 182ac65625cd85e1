"""Deadlines for blocking calls: ``timeout=None`` waits without limit, ``0`` only checks."""
from __future__ import annotations

import math
import time
from typing import Optional

#: How long a wait spins (re-checking its condition) before it parks on a futex: a futex wake
#: across CPUs costs tens of microseconds, so a frame that comes sooner is taken without one.
SPIN_SECONDS = 50e-6


def check_timeout(timeout: Optional[float], what: str = "timeout") -> Optional[float]:
    """Returns ``timeout`` as a float (or None); ValueError when negative or not a number."""
    if timeout is None:
        return None
    if isinstance(timeout, bool):
        raise TypeError(f"{what} must be a number of seconds or None, got {timeout!r}")
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number of seconds or None, got {timeout!r}") from None
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"{what} must be >= 0 seconds or None, got {timeout!r}")
    return seconds


class Deadline:
    """A point on the monotonic clock, or none (``timeout=None``)."""

    __slots__ = ("at", "timeout")

    def __init__(self, timeout: Optional[float]) -> None:
        self.timeout = check_timeout(timeout)
        self.at = None if self.timeout is None or math.isinf(self.timeout) else time.monotonic() + self.timeout

    def remaining(self) -> float:
        """Seconds left (infinity without a deadline, never negative)."""
        if self.at is None:
            return math.inf
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def describe(self) -> str:
        return "without a deadline" if self.timeout is None else f"after {self.timeout:g} s"

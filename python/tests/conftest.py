"""Fixtures for the arrow_shm suite: unique ring names removed afterwards, a private lock
directory for the whole session, peers as real separate processes, and a hang guard."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

HERE = Path(__file__).resolve().parent
PEER = HERE / "ring_peer.py"
#: A test that runs longer than this is a hang, and fails as one.
HANG_SECONDS = int(os.environ.get("ARROW_SHM_TEST_HANG_SECONDS", "300"))

# Locks of this session apart from other users of the machine (children inherit it).
_LOCKS = tempfile.mkdtemp(prefix="arrow-shm-pytest-locks-")
os.environ["PYSHMEM_LOCK_DIR"] = _LOCKS

import arrow_shm  # noqa: E402  (after PYSHMEM_LOCK_DIR)


@pytest.fixture(autouse=True)
def hang_guard() -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"test hung for {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class Names:
    """Unique ring names for one test; every ring made under them is unlinked at the end."""

    def __init__(self) -> None:
        self.made: List[str] = []

    def __call__(self, label: str = "ring") -> str:
        name = f"pytest-{label}-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.made.append(name)
        return name

    def add(self, name: str) -> str:
        self.made.append(name)
        return name

    def cleanup(self) -> None:
        for name in self.made:
            try:
                arrow_shm.Ring.unlink(name)
            except arrow_shm.SharedMemoryError:
                pass
            except OSError:
                pass


@pytest.fixture
def names() -> Iterator[Names]:
    made = Names()
    try:
        yield made
    finally:
        made.cleanup()


class Peer:
    """A python3 process running tests/ring_peer.py; it answers with one JSON line at the end."""

    def __init__(self, *args: object, env: Optional[Dict[str, str]] = None) -> None:
        self.args = [str(a) for a in args]
        environment = dict(os.environ)
        environment.update(env or {})
        self.process = subprocess.Popen([sys.executable, str(PEER)] + self.args, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=environment)

    def wait_line(self, expected: str, timeout: float = 60.0) -> str:
        """Reads stdout until a line starting with ``expected`` (e.g. "ready")."""
        import select

        deadline = __import__("time").monotonic() + timeout
        assert self.process.stdout is not None
        while True:
            left = deadline - __import__("time").monotonic()
            if left <= 0:
                raise AssertionError(f"peer {self.args} did not print {expected!r} within {timeout} s")
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            if ready:
                line = self.process.stdout.readline()
                if not line:
                    raise AssertionError(f"peer {self.args} ended before {expected!r}: {self.process.stderr.read()}")
                if line.startswith(expected):
                    return line.strip()

    def result(self, timeout: float = 240.0) -> dict:
        out, err = self.process.communicate(timeout=timeout)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        assert self.process.returncode == 0 and lines, f"peer {self.args} failed ({self.process.returncode}): {err}{out}"
        return json.loads(lines[-1])

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)

    def __enter__(self) -> "Peer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def peer():
    made: List[Peer] = []

    def start(*args: object, env: Optional[Dict[str, str]] = None) -> Peer:
        p = Peer(*args, env=env)
        made.append(p)
        return p

    try:
        yield start
    finally:
        for p in made:
            p.__exit__()

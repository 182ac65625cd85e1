"""Runs a Python script with a private, empty /dev/shm (``unshare -rm`` and a fresh tmpfs), so a
purge cannot touch the rings and streams of whoever else uses this machine."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Optional

import pytest

_available: Optional[bool] = None


def available() -> bool:
    global _available
    if _available is None:
        try:
            _available = shutil.which("unshare") is not None and subprocess.run(
                ["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /dev/shm"], capture_output=True,
                timeout=30).returncode == 0
        except (OSError, subprocess.SubprocessError):
            _available = False
    return _available


def run(script: str, timeout: float = 120) -> dict:
    """Runs ``script`` (Python source printing one JSON line last) in a private /dev/shm."""
    if not available():
        reason = "unshare -rm cannot make a private /dev/shm here (user namespaces disabled?)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    shell = f'mount -t tmpfs tmpfs /dev/shm && exec "{sys.executable}" -c "$0"'
    done = subprocess.run(["unshare", "-rm", "sh", "-c", shell, script], capture_output=True, text=True,
                          timeout=timeout, cwd=os.path.dirname(os.path.abspath(__file__)))
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout.strip().splitlines()[-1])

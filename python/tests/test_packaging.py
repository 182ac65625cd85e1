"""The package's version follows the Java project's, and it imports without pyarrow or pyshmem."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import arrow_shm

PYTHON_DIR = Path(__file__).resolve().parent.parent
POM = PYTHON_DIR.parent / "pom.xml"


def pep440(maven: str) -> str:
    release, _, qualifier = maven.partition("-")
    return release + (".dev0" if qualifier == "SNAPSHOT" else "")


def test_version_follows_the_pom():
    if not POM.exists():
        pytest.skip("not in the arrow-shm repository")
    maven = re.search(r"<artifactId>arrow-shm-parent</artifactId>\s*<version>([^<]+)</version>", POM.read_text()).group(1)
    pyproject = re.search(r'^version = "([^"]+)"', (PYTHON_DIR / "pyproject.toml").read_text(), re.M).group(1)
    assert pyproject == arrow_shm.__version__ == pep440(maven), (maven, pyproject, arrow_shm.__version__)


def test_imports_without_pyarrow_and_pyshmem():
    code = ("import sys; sys.modules['pyarrow'] = None; sys.modules['pyshmem'] = None\n"
            "import arrow_shm, arrow_shm.streams\n"
            "assert 'pyarrow' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
            "print(arrow_shm.__version__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == arrow_shm.__version__, done.stderr


def test_public_api_is_typed_and_documented():
    assert (PYTHON_DIR / "arrow_shm" / "py.typed").exists()
    for name in arrow_shm.__all__:
        item = getattr(arrow_shm, name)
        if callable(item):
            assert item.__doc__, name
    for method in ("create", "open", "unlink", "list", "purge", "stat", "writer", "reader", "cursors", "drop_cursor"):
        assert getattr(arrow_shm.Ring, method).__doc__, method
    for cls, methods in ((arrow_shm.RingWriter, ("write", "write_view", "close")),
                         (arrow_shm.RingReader, ("take", "lease", "take_batch", "lease_batch", "close"))):
        for method in methods:
            function = getattr(cls, method)
            assert function.__doc__ and function.__annotations__.get("return") is not None, (cls, method)

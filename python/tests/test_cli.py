"""python -m arrow_shm: list, stat, unlink, drop-cursor; exit status 0 / 1 / 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

import arrow_shm


def cli(*args):
    return subprocess.run([sys.executable, "-m", "arrow_shm", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=60)


def test_list_and_stat(names):
    name = names("cli ✓")
    with arrow_shm.Ring.create(name, shape=(480, 640), dtype="uint8", capacity=3) as ring:
        with ring.writer() as w, ring.reader("viewer") as r:
            w.write(np.zeros((480, 640), np.uint8))
            listed = cli("list")
            assert listed.returncode == 0 and name in listed.stdout and "480x640" in listed.stdout
            rows = json.loads(cli("list", "--json").stdout)
            (row,) = [row for row in rows if row["name"] == name]
            assert (row["kind"], row["write_position"], row["cursors"], row["capacity"]) == ("ring", 1, 1, 3)
            shown = cli("stat", name)
            assert shown.returncode == 0, shown.stderr
            assert f"writer:         pid {os.getpid()} (alive)" in shown.stdout
            assert "viewer" in shown.stdout and "live, blocking" in shown.stdout
            facts = json.loads(cli("stat", name, "--json").stdout)
            assert facts["cursors"][0]["name"] == "viewer" and facts["cursors"][0]["lag"] == 1
            assert facts["cursors"][0]["live"] is True and facts["write_position"] == 1
            dropped = cli("drop-cursor", name, "viewer")
            assert dropped.returncode == 2 and "live reader" in dropped.stderr
        assert cli("drop-cursor", name, "viewer").returncode == 0
        assert cli("drop-cursor", name, "viewer").returncode == 2
    assert cli("unlink", name).stdout.strip() == f"unlinked {name!r}"
    missing = cli("stat", name)
    assert missing.returncode == 2 and "no ring or stream" in missing.stderr and not missing.stdout
    assert cli().returncode == 1


def test_stat_of_an_invalid_ring_names_the_field(names):
    name = names("cli-bad")
    arrow_shm.Ring.create(name, shape=(1,), capacity=1).close()
    path = arrow_shm._names.ring_path(arrow_shm._names.h14(name.encode()))
    with open(path, "r+b") as f:
        f.seek(40)
        f.write(b"\0" * 8)
    shown = cli("stat", name)
    assert shown.returncode == 2 and "capacity" in shown.stderr

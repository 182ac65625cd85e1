"""pyshmem 1.4.0 next to rings (ring format §10): it never sees, lists, opens, purges or deletes
a ring; arrow_shm refuses to create a ring where a stream of the name exists."""
from __future__ import annotations

import numpy as np
import pytest

import arrow_shm
import private_shm

pyshmem = pytest.importorskip("pyshmem")


def test_pyshmem_does_not_see_a_ring(names):
    name = names("beside")
    with arrow_shm.Ring.create(name, shape=(4,), dtype="float32", capacity=2) as ring:
        assert name not in pyshmem.list_streams()
        with pytest.raises(FileNotFoundError):
            pyshmem.stat(name)
        with pytest.raises(FileNotFoundError):
            pyshmem.open(name)
        pyshmem.unlink(name)  # silent for a name it does not know, and harmless to the ring
        stream = pyshmem.create(name, shape=(4,), dtype=np.float32)  # pyshmem does not know rings
        try:
            assert name in pyshmem.list_streams() and name in arrow_shm.Ring.list()
            with ring.writer() as w, ring.reader("c") as r:
                w.write(np.arange(4, dtype=np.float32))
                stream.write(np.full(4, 9, np.float32))
                assert list(r.take(timeout=1).array) == [0, 1, 2, 3]
            assert list(stream.read()) == [9, 9, 9, 9]
        finally:
            stream.unlink()
        assert arrow_shm.Ring.open(name).capacity == 2


def test_a_ring_is_not_created_where_a_stream_is(names):
    name = names("taken")
    stream = pyshmem.create(name, shape=(2,), dtype=np.uint8)
    try:
        with pytest.raises(arrow_shm.StreamExistsError, match="classic stream"):
            arrow_shm.Ring.create(name, shape=(2,), dtype="uint8", capacity=2)
        assert name not in arrow_shm.Ring.list()
    finally:
        stream.unlink()


PURGE_SCRIPT = r'''
import json, os, tempfile, time
os.environ["PYSHMEM_LOCK_DIR"] = tempfile.mkdtemp()
import numpy as np, pyshmem, arrow_shm
from arrow_shm import _names, _locks
ring = arrow_shm.Ring.create("shared name ✓", shape=(3,), dtype="int32", capacity=2)
other = arrow_shm.Ring.create("only a ring", shape=(1,), capacity=1)
stream = pyshmem.create("shared stream", shape=(3,), dtype=np.int32)
with ring.writer() as w:
    w.write(np.arange(3, dtype=np.int32))
facts = {"pyshmem_list": pyshmem.list_streams(), "rings_before": arrow_shm.Ring.list()}
facts["pyshmem_purged"] = pyshmem.purge()
facts["rings_after_pyshmem_purge"] = arrow_shm.Ring.list()
with arrow_shm.Ring.open("shared name ✓") as again, again.reader("c") as r:
    facts["ring_intact"] = r.take(timeout=1).array.tolist()
stream = pyshmem.create("shared stream", shape=(3,), dtype=np.int32)
# leftovers purge removes: a dead creator's temporary file, lock files of a gone generation
digest = _names.h14(b"gone")
dead = os.fork()
if dead == 0:
    os._exit(0)
os.waitpid(dead, 0)
open(f"/dev/shm/arrowshm_ring_{digest}.{dead}.0badf00d.tmp", "wb").close()
open(f"/dev/shm/arrowshm_ring_{digest}.{os.getpid()}.0badf00d.tmp", "wb").close()
locks = _locks.lock_directory()
gone = f"arrowshm_ring_{digest}-{'ab' * 16}.cursor-3.lock"
open(os.path.join(locks, gone), "wb").close()
g = ring._geometry
held = _locks.LockFile(f"arrowshm_ring_{_names.h14(b'held')}-{'cd' * 16}.writer.lock")
assert held.try_lock()
live_lock = _names.table_lock_file(g.digest, g.instance_id)
facts["purged"] = arrow_shm.Ring.purge()
facts["rings_after_purge"] = arrow_shm.Ring.list()
facts["streams_after_purge"] = pyshmem.list_streams()
facts["tmp_left"] = sorted(f.split(".")[1] == str(os.getpid()) for f in os.listdir("/dev/shm") if f.endswith(".tmp"))
facts["lock_files_left"] = sorted(os.listdir(locks))
facts["held"] = os.path.basename(held.path)
facts["ring_handle_works"] = ring.write_position
print(json.dumps(facts))
'''


def test_purges_in_a_private_dev_shm():
    facts = private_shm.run(PURGE_SCRIPT)
    assert facts["pyshmem_list"] == ["shared stream"]
    assert facts["rings_before"] == ["only a ring", "shared name ✓"]
    assert facts["pyshmem_purged"] == ["shared stream"], "pyshmem.purge() removes its stream only"
    assert facts["rings_after_pyshmem_purge"] == ["only a ring", "shared name ✓"]
    assert facts["ring_intact"] == [0, 1, 2]
    assert facts["purged"] == ["only a ring", "shared name ✓"]
    assert facts["rings_after_purge"] == [] and facts["streams_after_purge"] == ["shared stream"]
    assert facts["tmp_left"] == [True], "only the live creator's temporary file stays"
    assert facts["held"] in facts["lock_files_left"], "a held lock file stays"
    assert not [f for f in facts["lock_files_left"] if f.startswith("arrowshm_ring_") and f != facts["held"]]
    assert facts["ring_handle_works"] == 1, "an open handle keeps its unlinked generation"

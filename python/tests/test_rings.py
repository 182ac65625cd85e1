"""Rings in one process and across processes: every dtype, odd shapes, non-ASCII names, the
API's arguments and errors."""
from __future__ import annotations

import ctypes
import os

import numpy as np
import pytest

import arrow_shm
from arrow_shm import _dtypes

from frames import pattern

DTYPES = [d.name for d in _dtypes.BY_CODE]
ODD_SHAPES = [(1,), (97,), (3, 5), (7, 1, 3), (1,) * 19, (2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_python_writer_to_python_readers_every_dtype(names, peer, dtype):
    """A writer process and two reader processes (one copying, one leasing): every byte, position
    and frame id arrives."""
    name = names(f"dtype-{dtype}")
    shape = (3, 5)
    with arrow_shm.Ring.create(name, shape=shape, dtype=dtype, capacity=8):
        readers = [peer("read", name, "copies", 40, "pattern", "oldest", 60),
                   peer("read", name, "leases", 40, "pattern", "oldest", 60, 5, 1, "lease")]
        for r in readers:
            r.wait_line("ready")
        writer = peer("write", name, 40, "pattern")
        assert writer.result() == {"first": 0, "next": 40}
        for r in readers:
            got = r.result()
            assert (got["frames"], got["bad"], got["lost"], got["order_ok"]) == (40, 0, 0, True), got
            assert got["positions"] == list(range(40))


@pytest.mark.parametrize("shape", ODD_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_odd_shapes_across_processes(names, peer, shape):
    name = names("shape")
    with arrow_shm.Ring.create(name, shape=shape, dtype="int16", capacity=3):
        reader = peer("read", name, "r", 10, "pattern", "oldest", 60, 5, 1, "batch")
        reader.wait_line("ready")
        assert peer("write", name, 10).result()["next"] == 10
        got = reader.result()
        assert (got["frames"], got["bad"], got["lost"]) == (10, 0, 0), got


@pytest.mark.parametrize("ring_name", ["größe/frames ✓", "カメラ-0", "a", "x" * 256, "emoji 🎥 \u00a0 nbsp"])
def test_non_ascii_names(names, peer, ring_name):
    name = names.add(ring_name + ("" if len(ring_name.encode()) > 200 else f"-{os.getpid()}"))
    with arrow_shm.Ring.create(name, shape=(4,), dtype="float64", capacity=2) as ring:
        assert ring.name == name
        assert name in arrow_shm.Ring.list()
        reader = peer("read", name, "читатель ✓", 5)
        reader.wait_line("ready")
        assert peer("write", name, 5).result()["next"] == 5
        assert reader.result()["bad"] == 0
        assert [c.name for c in ring.cursors()] == ["читатель ✓"]


def test_take_lease_batches_in_one_process(names):
    name = names("api")
    with arrow_shm.Ring.create(name, shape=(2, 2), dtype="uint8", capacity=8) as ring:
        with ring.writer() as w, ring.reader("c") as r:
            for p in range(6):
                assert w.write(pattern(np.uint8, (2, 2), p), frame_id=100 + p) == p
            frame = r.take(timeout=0)
            assert (frame.position, frame.frame_id, frame.lost) == (0, 100, 0)
            assert abs(frame.write_time - __import__("time").time()) < 60
            assert not np.shares_memory(frame.array, ring._mapping.slots)
            with r.lease(timeout=0) as view:
                assert np.shares_memory(view, ring._mapping.slots)
                assert not view.flags.writeable
                assert r.current.position == 1 and r.position == 1
                assert view.tobytes() == pattern(np.uint8, (2, 2), 1).tobytes()
            assert r.position == 2 and r.current is None
            batch = r.take_batch(3, timeout=0)
            assert (batch.position, len(batch), list(batch.frame_ids)) == (2, 3, [102, 103, 104])
            with r.lease_batch(10, timeout=0) as leased:
                assert (leased.position, len(leased)) == (5, 1)
                tensors = leased.to_arrow()
                assert tensors.type.shape == [2, 2] and len(tensors) == 1
                address = tensors.storage.values.buffers()[1].address
                slots = ring._mapping.slots
                assert slots.ctypes.data <= address < slots.ctypes.data + slots.nbytes, "zero-copy"
            with pytest.raises(arrow_shm.StreamTimeoutError, match="waiting for position 6"):
                r.take(timeout=0.05)
            assert r.position == 6 and r.lost == 0


def test_batch_is_one_arrow_buffer_up_to_the_end_of_the_slots(names):
    name = names("batch")
    with arrow_shm.Ring.create(name, shape=(480, 640), dtype="float32", capacity=4) as ring:
        with ring.writer() as w, ring.reader("c") as r:
            for p in range(3):
                w.write(np.full((480, 640), p, np.float32))
            r.take()
            with r.lease_batch(8) as batch:
                assert (batch.position, len(batch)) == (1, 2)
                arrow = batch.to_arrow()
                assert arrow.to_numpy_ndarray()[1][0, 0] == 2.0
                slots = ring._mapping.slots
                assert arrow.storage.values.buffers()[1].address == slots[1].ctypes.data
                assert slots[1].ctypes.data % 4096 == 0, "480x640 float32 slots are page-aligned (§2.5)"


def test_bool_and_complex_arrow_views(names):
    for dtype in ("bool", "complex64"):
        with arrow_shm.Ring.create(names(dtype), shape=(3,), dtype=dtype, capacity=2) as ring:
            with ring.writer() as w, ring.reader("c") as r:
                w.write(np.ones(3, dtype))
                with r.lease_batch(1) as batch:
                    if dtype == "bool":
                        assert str(batch.to_arrow().type.value_type) == "uint8"
                    else:
                        with pytest.raises(TypeError, match="complex"):
                            batch.to_arrow()


def test_start_rules_and_resume(names):
    name = names("start")
    with arrow_shm.Ring.create(name, shape=(1,), dtype="int64", capacity=4, overflow="overwrite") as ring:
        with ring.reader("early", start="next"):
            pass
        with ring.writer() as w:
            for p in range(10):
                w.write(np.array([p]))
        assert ring.oldest_position == 6 and ring.write_position == 10
        with ring.reader("oldest", start="oldest") as r:
            assert r.position == 6 and r.available == 4 and r.take(timeout=0).position == 6
        with ring.reader("latest", start="latest") as r:
            assert r.take(timeout=0).position == 9
        with ring.reader("next", start="next") as r:
            assert r.position == 10
        with ring.reader("oldest", start="next") as r:  # an existing cursor resumes where it was
            assert r.position == 7
        with ring.reader("early") as r:  # it was at 0: the 6 overwritten frames are lost, exactly
            assert r.lost == 6 and r.position == 6
            frame = r.take(timeout=0)
            assert (frame.position, frame.lost) == (6, 6)
            assert r.take(timeout=0).lost == 0


def test_arguments_are_checked_before_any_file(names):
    name = names("args")
    bad = [dict(shape=(), capacity=2), dict(shape=(0,), capacity=2), dict(shape=(1,) * 20, capacity=2),
           dict(shape=(2,), capacity=0), dict(shape=(2,), capacity=2 ** 20 + 1), dict(shape=(2,), capacity=2, max_cursors=0),
           dict(shape=(2,), capacity=2, overflow="drop"), dict(shape=(2,), capacity=2, dtype=">f4"),
           dict(shape=(2,), capacity=2, dtype="U4"), dict(shape=(2 ** 40, 2 ** 30), capacity=2),
           dict(shape=(2.5,), capacity=2), dict(shape=(2,), capacity=True)]
    for arguments in bad:
        with pytest.raises((ValueError, TypeError)):
            arrow_shm.Ring.create(name, **{"dtype": "float32", **arguments})
        assert not os.path.exists(f"/dev/shm/arrowshm_ring_{arrow_shm._names.h14(name.encode())}")
    for bad_name in ("", "   ", "\t\n", "x" * 257, 7, "\udcff"):
        with pytest.raises((ValueError, TypeError)):
            arrow_shm.Ring.create(bad_name, shape=(1,), capacity=1)


def test_defaults_shared_with_java(names):
    with arrow_shm.Ring.create(names("defaults"), shape=(2,)) as ring:
        assert (ring.capacity, ring.max_cursors, ring.overflow, ring.dtype) == (16, 16, "block", np.float32)
        with ring.writer():
            started = __import__("time").monotonic()
            with pytest.raises(arrow_shm.StreamTimeoutError):
                ring.writer()  # waits 5 s for the lease by default
            assert __import__("time").monotonic() - started >= 4.5
        with ring.reader("c") as r:
            assert r.position == 0


def test_errors(names):
    name = names("errors")
    with pytest.raises(arrow_shm.StreamNotFoundError, match="does not exist") as missing:
        arrow_shm.Ring.open(name)
    assert isinstance(missing.value, FileNotFoundError)
    assert arrow_shm.Ring.unlink(name) is False
    ring = arrow_shm.Ring.create(name, shape=(2,), capacity=2)
    with pytest.raises(arrow_shm.StreamExistsError):
        arrow_shm.Ring.create(name, shape=(2,), capacity=2)
    with ring, ring.writer() as w:
        with pytest.raises(arrow_shm.StreamTimeoutError, match=f"already has a writer \\(pid {os.getpid()} \\(alive\\)\\)"):
            ring.writer(timeout=0)
        with pytest.raises(ValueError, match="holds float32, got float64"):
            w.write(np.zeros(2))
        with pytest.raises(ValueError, match="shape"):
            w.write(np.zeros(3, np.float32))
        with ring.reader("one"):
            with pytest.raises(arrow_shm.CursorInUseError, match=f"in use by pid {os.getpid()}"):
                ring.reader("one")
            with pytest.raises(arrow_shm.CursorInUseError):
                ring.drop_cursor("one")
        for bad in ("", " ", "x" * 65, "a\0b"):
            with pytest.raises(ValueError):
                ring.reader(bad)
        with pytest.raises(ValueError):
            ring.reader("c", start="newest")
        with pytest.raises(ValueError):
            ring.reader("c", grace=-1)
        with pytest.raises(ValueError):
            ring.reader("c", spin=float("inf"))
        assert w.position == 0, "refused writes change nothing"
        assert ring.drop_cursor("one") is True and ring.cursors() == []


def test_full_cursor_table(names):
    with arrow_shm.Ring.create(names("table"), shape=(1,), capacity=1, max_cursors=2) as ring:
        ring.reader("a").close()
        ring.reader("b").close()
        with pytest.raises(arrow_shm.SharedMemoryError, match="no free cursor entry"):
            ring.reader("c")
        assert ring.drop_cursor("a") is True and ring.drop_cursor("a") is False
        ring.reader("c").close()
        assert sorted(c.name for c in ring.cursors()) == ["b", "c"]


def test_handles_own_their_memory(names):
    """Closing the handle leaves writers, readers and views working; unlink leaves open handles
    on their generation; a handle's unlink of a replaced name is stale."""
    name = names("own")
    ring = arrow_shm.Ring.create(name, shape=(4,), dtype="int32", capacity=2)
    w = ring.writer()
    r = ring.reader("c")
    ring.close()
    ring.close()
    with pytest.raises(ValueError, match="closed"):
        ring.reader("d")
    w.write(np.arange(4, dtype=np.int32))
    with r.lease() as view:
        kept = view
    w.close()
    r.close()
    r.close()
    assert list(kept) == [0, 1, 2, 3], "a view outlives every handle"
    old = arrow_shm.Ring.open(name)
    assert arrow_shm.Ring.unlink(name) is True
    assert arrow_shm.Ring.unlink(name) is False
    with pytest.raises(arrow_shm.StaleStreamError, match="unlinked"):
        old.writer()
    with pytest.raises(arrow_shm.StaleStreamError):
        old.reader("c")
    arrow_shm.Ring.create(name, shape=(4,), dtype="int32", capacity=2).close()
    with pytest.raises(arrow_shm.StaleStreamError, match="newer generation"):
        old.unlink()
    assert arrow_shm.Ring.open(name).capacity == 2, "the new generation was not touched"


def test_unlink_removes_the_generation_lock_files(names):
    from arrow_shm import _locks
    name = names("locks")
    ring = arrow_shm.Ring.create(name, shape=(1,), capacity=1)
    ring.writer().close()
    ring.reader("a").close()
    prefix = arrow_shm._names.generation_lock_prefix(ring._geometry.digest, ring._geometry.instance_id)
    directory = _locks.lock_directory()
    assert sorted(f[len(prefix):] for f in os.listdir(directory) if f.startswith(prefix)) == [
        ".cursor-0.lock", ".table.lock", ".writer.lock"]
    for entry in os.listdir(directory):
        if entry.startswith(prefix):
            assert os.stat(os.path.join(directory, entry)).st_mode & 0o777 == 0o600
    assert os.stat(directory).st_mode & 0o777 == 0o700
    ring.unlink()
    assert not [f for f in os.listdir(directory) if f.startswith(prefix)]
    assert ring.closed


def test_segment_is_a_private_regular_file(names):
    name = names("mode")
    with arrow_shm.Ring.create(name, shape=(1,), capacity=1) as ring:
        info = os.stat(f"/dev/shm/arrowshm_ring_{ring._geometry.digest}")
        assert info.st_mode & 0o777 == 0o600 and info.st_uid == os.geteuid()
        assert info.st_size == ring._geometry.segment_size
        assert not [f for f in os.listdir("/dev/shm") if f.startswith(f"arrowshm_ring_{ring._geometry.digest}.")]


@pytest.mark.parametrize("fence", ["libatomic", "futex"])
def test_fence_path_of_weakly_ordered_machines(names, peer, fence):
    """ARROW_SHM_FENCES=always runs the aarch64 code path (a full fence around every ordered
    access) on this machine, with either full fence."""
    name = names("fences")
    env = {"ARROW_SHM_FENCES": "always", "ARROW_SHM_FENCE": fence}
    with arrow_shm.Ring.create(name, shape=(16,), dtype="uint32", capacity=4):
        reader = peer("read", name, "r", 300, "selfcheck", env=env)
        reader.wait_line("ready")
        assert peer("write", name, 300, "selfcheck", env=env).result()["next"] == 300
        got = reader.result()
        assert (got["frames"], got["bad"], got["lost"], got["fences"], got["fence"]) == (300, 0, 0, True, fence)


def test_a_live_reader_of_an_unlinked_ring_is_never_taken_for_dead(names):
    """After an unlink the lock files are gone; a probe that opened them by name again would find a
    new, unheld file and untether a live reader (ring-format §8.2 step 0): the blocked writer must
    fail or wait, never overwrite what the reader has not read."""
    name = names("unlinked-live")
    with arrow_shm.Ring.create(name, shape=(4,), dtype="float32", capacity=2) as ring:
        with ring.reader("r", grace=0.2) as reader, ring.writer() as writer:
            writer.write(np.zeros(4, np.float32))
            writer.write(np.ones(4, np.float32))
            arrow_shm.Ring.unlink(name)
            with pytest.raises((arrow_shm.StaleStreamError, arrow_shm.StreamTimeoutError)):
                writer.write(np.full(4, 2, np.float32), timeout=2.0)
            frame = reader.take(timeout=1.0)
            assert (frame.position, frame.lost) == (0, 0)
            assert reader.lost == 0

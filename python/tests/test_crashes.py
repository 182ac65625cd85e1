"""Processes killed at the worst moments (SIGKILL, real separate processes): no torn frame ever
reaches a reader, the next writer goes on, dead readers hold a BLOCK writer back only for their
grace, and a restarted reader resumes by name with exact loss counts."""
from __future__ import annotations

import os
import random
import signal
import time

import numpy as np
import pytest

import arrow_shm
from arrow_shm import _layout as L


def stamp(ring: arrow_shm.Ring, position: int) -> int:
    g = ring._geometry
    return ring._mapping.i64[(g.slot_table_offset + L.SLOT_ENTRY_SIZE * (position % g.capacity)) // 8]


def word32(ring: arrow_shm.Ring, offset: int) -> int:
    return ring._mapping.u32[offset // 4]


def await_word(ring: arrow_shm.Ring, offset: int, value: int, seconds: float = 10) -> None:
    """Waits until a peer has stored ``value`` in the u32 at ``offset`` (it parked, say)."""
    deadline = time.monotonic() + seconds
    while word32(ring, offset) != value and time.monotonic() < deadline:
        time.sleep(0.01)
    assert word32(ring, offset) == value, f"the word at {offset} is {word32(ring, offset)}, not {value}"


def test_writer_killed_mid_write_is_abandoned_and_the_next_writer_goes_on(names, peer):
    name = names("mid-write")
    with arrow_shm.Ring.create(name, shape=(1024,), dtype="uint32", capacity=4) as ring:
        with ring.reader("r") as r:
            with ring.writer() as w:
                w.write(np.full(1024, 0, np.uint32), frame_id=0)
            dying = peer("die-in-write-view", name)
            assert dying.process.wait(timeout=60) == -signal.SIGKILL
            assert ring.write_position == 1 and stamp(ring, 1) == L.writing(1), "died after the odd stamp"
            assert r.take(timeout=0).position == 0
            with pytest.raises(arrow_shm.StreamTimeoutError, match="is gone"):
                r.take(timeout=0.05)  # the half-written position 1 is never handed out
            with ring.writer() as w:  # the kernel dropped the lease; recovery abandons position 1
                assert stamp(ring, 1) == L.abandoned(1) and ring.write_position == 2
                assert w.write(np.full(1024, 2, np.uint32), frame_id=2) == 2
            frame = r.take(timeout=0)
            assert (frame.position, frame.frame_id, frame.array[0], r.abandoned, r.lost) == (2, 2, 2, 1, 0)


def test_a_complete_but_unpublished_frame_is_published_by_the_next_writer(names):
    name = names("unpublished")
    with arrow_shm.Ring.create(name, shape=(2,), dtype="int32", capacity=2) as ring:
        w = ring.writer()
        p, s, index = w._begin(None)  # what a writer killed between §5.3 steps 6 and 7 leaves
        ring._mapping.slots[s][:] = [5, 6]
        ring._mapping.i64[index] = L.complete(p)
        w._lease.close()  # the kernel's release of a dead writer's lease
        w._lease = None
        assert ring.write_position == 0
        with ring.writer(), ring.reader("r") as r:
            assert ring.write_position == 1
            assert list(r.take(timeout=0).array) == [5, 6] and r.abandoned == 0


def _kill_rounds(ring, peer, rounds, kind, delays):
    """Starts a writer process, kills it after a random delay, and counts what the kill left:
    returns (positions a recovery will abandon, final write position)."""
    abandoned = 0
    for _ in range(rounds):
        writer = peer("write-forever", ring.name, kind)
        writer.wait_line("ready")
        time.sleep(random.uniform(*delays))
        writer.process.send_signal(signal.SIGKILL)
        writer.process.wait(timeout=60)
        p = ring.write_position
        if stamp(ring, p) == L.writing(p):
            abandoned += 1
    final = peer("write", ring.name, 50, kind, 60)
    assert final.result()["first"] == ring.write_position - 50
    return abandoned, ring.write_position


@pytest.mark.parametrize("overflow", ["overwrite", "block"])
def test_writers_killed_at_random_points_never_tear_a_frame(names, peer, overflow):
    """1 MiB frames filled inside the write: each kill most likely lands mid-copy. The reader
    process checks every frame it gets is whole and is the position it claims."""
    random.seed(os.getpid())
    name = names(f"kills-{overflow}")
    with arrow_shm.Ring.create(name, shape=(512, 512), dtype="uint32", capacity=8, overflow=overflow) as ring:
        how = "take" if overflow == "overwrite" else "lease"
        reader = peer("read", name, "checker", 10 ** 9, "uniform", "oldest", 3, 5, 1, how)
        reader.wait_line("ready")
        abandoned, final = _kill_rounds(ring, peer, 12, "uniform", (0.005, 0.06))
        got = reader.result()
        assert got["bad"] == 0, f"a torn or misplaced frame reached the reader: {got}"
        assert got["order_ok"] and got["position"] == final
        assert got["frames"] + got["lost"] + got["abandoned"] == final, got
        if overflow == "block":
            assert got["lost"] == 0 and got["abandoned"] == abandoned, (got, abandoned)
        else:
            assert abandoned >= 1, "no kill landed inside a write in 12 rounds"
            assert got["abandoned"] <= abandoned


def test_a_dead_reader_holds_the_writer_back_for_its_grace_then_resumes_by_name(names, peer):
    name = names("grace")
    grace = 1.5
    with arrow_shm.Ring.create(name, shape=(8,), dtype="uint16", capacity=4) as ring, ring.writer() as w:
        first = peer("hold", name, "trainer", "oldest", grace, 2)
        for p in range(6):
            if p == 4:
                first.wait_line("ready 2 lost 0")
            w.write(np.full(8, p, np.uint16), frame_id=p)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=60)
        with pytest.raises(arrow_shm.StreamTimeoutError, match="cursor 'trainer' at position 2"):
            w.write(np.full(8, 6, np.uint16), frame_id=6, timeout=0.3)
        # Restarted within the grace: it resumes at its position with nothing lost ...
        second = peer("hold", name, "trainer", "oldest", grace, 1)
        second.wait_line("ready 3 lost 0")
        # ... and is killed too, while the writer needs it to consume position 3.
        second.process.send_signal(signal.SIGKILL)
        second.process.wait(timeout=60)
        killed = time.monotonic()
        w.write(np.full(8, 6, np.uint16), frame_id=6, timeout=0)
        w.write(np.full(8, 7, np.uint16), frame_id=7, timeout=30)  # waits out the grace, then goes on
        waited = time.monotonic() - killed
        assert waited >= grace * 0.9, f"the writer went on {waited:.2f} s after the reader died, within the grace"
        info = {c.name: c for c in ring.cursors()}["trainer"]
        assert (info.live, info.untethered, info.pid, info.position) == (False, True, 0, 3)
        for p in range(8, 20):
            w.write(np.full(8, p, np.uint16), frame_id=p, timeout=0)
        # Restarted after the grace: it learns exactly what it lost (positions 3..15).
        late = peer("read", name, "trainer", 4, "uniform16", "oldest", 1, grace)
        got = late.result()
        assert (got["first"], got["lost_each"][0], got["lost"], got["frames"], got["bad"]) == (16, 13, 13, 4, 0), got
        info = {c.name: c for c in ring.cursors()}["trainer"]
        assert (info.untethered, info.position) == (False, 20), "attaching tethers the cursor again"


def test_a_reader_killed_while_parked_is_repaired(names, peer):
    name = names("parked")
    with arrow_shm.Ring.create(name, shape=(1,), dtype="int8", capacity=2) as ring:
        parked = peer("park", name, "sleeper")
        parked.wait_line("ready")
        await_word(ring, L.READER_WAITERS_OFFSET, 1)
        assert word32(ring, L.READER_WAITERS_OFFSET) == 1
        assert ring._mapping.u32[(L.HEADER_SIZE + L.CURSOR_PARKED) // 4] == 1
        parked.process.send_signal(signal.SIGKILL)
        parked.process.wait(timeout=60)
        assert word32(ring, L.READER_WAITERS_OFFSET) == 1, "a dead parked reader leaves the count high"
        (info,) = ring.cursors()  # a probe finds it dead and repairs the count
        assert (info.live, info.pid) == (False, 0)
        assert word32(ring, L.READER_WAITERS_OFFSET) == 0
        assert ring._mapping.u32[(L.HEADER_SIZE + L.CURSOR_PARKED) // 4] == 0
        again = peer("park", name, "sleeper")  # and the next attach of the entry, without a probe
        again.wait_line("ready")
        time.sleep(0.2)
        again.process.send_signal(signal.SIGKILL)
        again.process.wait(timeout=60)
        with ring.reader("sleeper") as r:
            assert word32(ring, L.READER_WAITERS_OFFSET) == 0 and r.position == 0


def test_a_writer_killed_while_waiting_for_space_leaves_nothing_behind(names, peer):
    name = names("writer-parked")
    with arrow_shm.Ring.create(name, shape=(4,), dtype="float32", capacity=2) as ring:
        with ring.reader("r", grace=60) as r:
            writer = peer("write", name, 10, "pattern", 60)
            writer.wait_line("ready")
            await_word(ring, L.WRITER_WAITING_OFFSET, 1)
            assert word32(ring, L.WRITER_WAITING_OFFSET) == 1 and ring.write_position == 2
            writer.process.send_signal(signal.SIGKILL)
            writer.process.wait(timeout=60)
            with ring.writer() as w:
                assert word32(ring, L.WRITER_WAITING_OFFSET) == 0
                assert ring._mapping.i64[L.WRITER_PID_OFFSET // 8] == os.getpid()
                assert w.position == 2
            assert ring._mapping.i64[L.WRITER_PID_OFFSET // 8] == 0
            assert [r.take(timeout=0).position for _ in range(2)] == [0, 1]


def test_ctrl_c_ends_a_parked_reader_and_a_blocked_writer_cleanly(names, peer):
    """SIGINT (KeyboardInterrupt) ends waits without a deadline within one park, and the waits
    leave the shared words as they found them."""
    name = names("sigint")
    with arrow_shm.Ring.create(name, shape=(4,), dtype="float32", capacity=1) as ring:
        reader = peer("park", name, "patient")
        reader.wait_line("ready")
        await_word(ring, L.READER_WAITERS_OFFSET, 1)
        reader.process.send_signal(signal.SIGINT)
        assert reader.process.wait(timeout=5) != 0
        assert "KeyboardInterrupt" in reader.process.stderr.read()
        assert word32(ring, L.READER_WAITERS_OFFSET) == 0
        (info,) = ring.cursors()
        assert (info.pid, info.live) == (0, False) and info.detached_ns > 0, "the reader closed its cursor"
        with ring.reader("holder", grace=60):
            writer = peer("write", name, 5, "pattern", 3600)
            writer.wait_line("ready")
            await_word(ring, L.WRITER_WAITING_OFFSET, 1)
            writer.process.send_signal(signal.SIGINT)
            assert writer.process.wait(timeout=5) != 0
            assert word32(ring, L.WRITER_WAITING_OFFSET) == 0
            assert ring._mapping.i64[L.WRITER_PID_OFFSET // 8] == 0, "the writer closed its lease"

"""BLOCK is lossless; OVERWRITE counts what it loses exactly (real separate processes)."""
from __future__ import annotations

import numpy as np
import pytest

import arrow_shm

N_LOSSLESS = 100_000


def test_block_is_lossless_for_100k_frames(names, peer):
    """One writer process, a copying reader and a batch-leasing reader: each of them sees every
    position 0..N-1 exactly once, in order, with its own content and frame id."""
    name = names("lossless")
    with arrow_shm.Ring.create(name, shape=(16,), dtype="uint32", capacity=64, overflow="block"):
        readers = [peer("read", name, "take", N_LOSSLESS, "selfcheck", "oldest", 120),
                   peer("read", name, "batch", N_LOSSLESS, "selfcheck", "oldest", 120, 5, 1, "batch")]
        for r in readers:
            r.wait_line("ready")
        assert peer("write", name, N_LOSSLESS, "selfcheck", 120).result(timeout=600) == {"first": 0, "next": N_LOSSLESS}
        for r in readers:
            got = r.result(timeout=600)
            assert got["frames"] == N_LOSSLESS and got["bad"] == 0, got
            assert (got["first"], got["last"], got["order_ok"]) == (0, N_LOSSLESS - 1, True), got
            assert (got["lost"], got["lost_sum"], got["abandoned"], got["position"]) == (0, 0, 0, N_LOSSLESS), got


def test_overwrite_lost_counts_are_exact_when_lapped_while_away(names):
    name = names("lapped")
    with arrow_shm.Ring.create(name, shape=(2,), dtype="int64", capacity=8, overflow="overwrite") as ring:
        with ring.reader("slow", start="oldest") as r, ring.writer() as w:
            for p in range(100):
                w.write(np.array([p, -p]), frame_id=p)
            first = r.take(timeout=0)
            assert (first.position, first.lost, first.frame_id, list(first.array)) == (92, 92, 92, [92, -92])
            rest = [r.take(timeout=0) for _ in range(7)]
            assert [f.position for f in rest] == list(range(93, 100)) and all(f.lost == 0 for f in rest)
            assert r.lost == 92 and r.position == 100


def test_overwrite_lost_counts_are_exact_across_processes(names, peer):
    """A fast writer process laps a slow reader process: every position is delivered or counted
    lost exactly once, and each frame's lost is the gap just before it."""
    name = names("overwrite")
    total = 20_000
    with arrow_shm.Ring.create(name, shape=(32,), dtype="uint32", capacity=4, overflow="overwrite"):
        reader = peer("read", name, "slow", 10 ** 9, "selfcheck", "oldest", 3, 5, 1, "take", 0.0005)
        reader.wait_line("ready")
        assert peer("write", name, total, "selfcheck").result()["next"] == total
        got = reader.result()
        positions, lost_each = got["positions"], got["lost_each"]
        assert positions is not None and got["bad"] == 0 and got["order_ok"]
        assert got["position"] == total and positions[-1] == total - 1
        previous = -1
        for position, lost in zip(positions, lost_each):
            assert lost == position - previous - 1, (position, previous, lost)
            previous = position
        assert got["lost"] == got["lost_sum"] == total - len(positions) > 0


def test_a_lease_overwritten_while_held_counts_as_lost(names):
    name = names("lease-lapped")
    with arrow_shm.Ring.create(name, shape=(4,), dtype="float32", capacity=2, overflow="overwrite") as ring:
        with ring.writer() as w, ring.reader("r") as r:
            w.write(np.zeros(4, np.float32))
            with pytest.raises(arrow_shm.LappedError, match="position 0"):
                with r.lease() as view:
                    for _ in range(2):
                        w.write(np.ones(4, np.float32))
                    assert view[0] == 1.0, "the writer really went over the leased slot"
            assert (r.lost, r.position) == (1, 1)
            frame = r.take(timeout=0)
            assert (frame.position, frame.lost) == (1, 0)
            with pytest.raises(arrow_shm.LappedError, match="frames 2..2"):
                with r.lease_batch(2):
                    w.write(np.ones(4, np.float32))
                    w.write(np.ones(4, np.float32))
            assert (r.lost, r.position) == (2, 3)


def test_a_non_blocking_cursor_never_holds_a_block_writer(names):
    name = names("nonblocking")
    with arrow_shm.Ring.create(name, shape=(1,), dtype="int8", capacity=2, overflow="block") as ring:
        with ring.reader("watcher", blocking=False) as watcher, ring.writer() as w:
            for p in range(10):
                w.write(np.array([p], np.int8), timeout=0)
            frame = watcher.take(timeout=0)
            assert (frame.position, frame.lost) == (8, 8)
            assert [c.blocking for c in ring.cursors()] == [False]


def test_a_blocking_lease_holds_the_writer_off_its_slot(names):
    name = names("lease-block")
    with arrow_shm.Ring.create(name, shape=(1,), dtype="int8", capacity=1) as ring:
        with ring.writer() as w, ring.reader("r") as r:
            w.write(np.array([1], np.int8))
            with r.lease() as view:
                with pytest.raises(arrow_shm.StreamTimeoutError):
                    w.write(np.array([2], np.int8), timeout=0.05)
                assert view[0] == 1
            w.write(np.array([2], np.int8), timeout=1)
            assert r.take(timeout=0).array[0] == 2

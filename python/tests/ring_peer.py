"""A separate process taking part in a ring test: ``ring_peer.py COMMAND ARGS...``.

Prints "ready" once attached (for tests that kill it at a chosen moment) and one JSON line with
what it did at the end. Frames are tests/frames.py's: position p holds pattern(dtype, shape, p)
(or a self-checking uint32 frame of seed p) with frame_id p.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import arrow_shm  # noqa: E402
import frames  # noqa: E402


def say(**facts: object) -> None:
    print(json.dumps(facts), flush=True)


def content(ring: arrow_shm.Ring, kind: str, position: int) -> np.ndarray:
    if kind == "uniform":
        return np.full(ring.shape, position & 0xFFFFFFFF, ring.dtype)
    if kind == "selfcheck":
        return frames.self_checking(int(np.prod(ring.shape)), position, ring.shape)
    return frames.pattern(ring.dtype, ring.shape, position)


def write(name: str, count: str, kind: str = "pattern", timeout: str = "60", pace: str = "0") -> None:
    """Writes COUNT frames (position p: content p, frame_id p), each waiting up to TIMEOUT s."""
    with arrow_shm.Ring.open(name) as ring, ring.writer(timeout=10) as w:
        print("ready", flush=True)
        first = w.position
        for _ in range(int(count)):
            p = w.position
            w.write(content(ring, kind, p), frame_id=p, timeout=float(timeout))
            if float(pace):
                time.sleep(float(pace))
        say(first=first, next=w.position)


def write_forever(name: str, kind: str = "selfcheck") -> None:
    """Writes until killed; used by the crash tests."""
    with arrow_shm.Ring.open(name) as ring, ring.writer(timeout=10) as w:
        print(f"ready {w.position}", flush=True)
        elements = int(np.prod(ring.shape))
        while True:
            p = w.position
            if kind == "uniform":  # filled inside the write: a kill lands mid-write most of the time
                with w.write_view(frame_id=p, timeout=None) as slot:
                    slot.fill(p & 0xFFFFFFFF)
            elif kind == "selfcheck":
                w.write(frames.self_checking(elements, p, ring.shape), frame_id=p, timeout=None)
            else:
                w.write(content(ring, kind, p), frame_id=p, timeout=None)


def die_in_write_view(name: str) -> None:
    """Fills half of the next slot through write_view, then SIGKILLs itself mid-write."""
    with arrow_shm.Ring.open(name) as ring:
        w = ring.writer(timeout=10)
        with w.write_view(frame_id=w.position) as slot:
            flat = slot.reshape(-1)
            flat[: flat.size // 2] = 1
            os.kill(os.getpid(), signal.SIGKILL)


def read(name: str, cursor: str, count: str, kind: str = "pattern", start: str = "oldest",
         timeout: str = "60", grace: str = "5", blocking: str = "1", how: str = "take", pace: str = "0") -> None:
    """Reads COUNT frames (or until TIMEOUT passes without one), checking each by position."""
    with arrow_shm.Ring.open(name) as ring:
        with ring.reader(cursor, start=start, grace=float(grace), blocking=blocking == "1") as r:
            print(f"ready {r.position}", flush=True)
            wanted = int(count)
            got = bad = 0
            positions, lost_each = [], []
            expected_mix = frames.mix(int(np.prod(ring.shape)))
            last = None
            order_ok = True
            while got < wanted:
                try:
                    if how == "lease":
                        with r.lease(timeout=float(timeout)) as view:
                            frame = r.current
                            ok = _check(ring, kind, frame.position, view, expected_mix) and frame.frame_id == frame.position
                    elif how == "batch":
                        with r.lease_batch(7, timeout=float(timeout)) as batch:
                            ok = all(_check(ring, kind, batch.position + i, batch.array[i], expected_mix)
                                     and int(batch.frame_ids[i]) == batch.position + i for i in range(len(batch)))
                            for i in range(len(batch)):
                                positions.append(batch.position + i)
                                lost_each.append(batch.lost if i == 0 else 0)
                            got += len(batch)
                            bad += 0 if ok else 1
                            order_ok &= last is None or batch.position > last
                            last = batch.position + len(batch) - 1
                            continue
                    else:
                        frame = r.take(timeout=float(timeout))
                        ok = _check(ring, kind, frame.position, frame.array, expected_mix) and frame.frame_id == frame.position
                except arrow_shm.StreamTimeoutError:
                    break
                if not ok:
                    bad += 1
                order_ok &= last is None or frame.position > last
                last = frame.position
                positions.append(frame.position)
                lost_each.append(frame.lost)
                got += 1
                if float(pace):
                    time.sleep(float(pace))
            say(frames=got, bad=bad, order_ok=order_ok, lost=r.lost, abandoned=r.abandoned, position=r.position,
                first=positions[0] if positions else None, last=last,
                positions=positions if len(positions) <= 5000 else None,
                lost_each=lost_each if len(lost_each) <= 5000 else None, lost_sum=sum(lost_each),
                fences=not arrow_shm._sync.STRONGLY_ORDERED, fence=arrow_shm._sync.FENCE)


def _check(ring: arrow_shm.Ring, kind: str, position: int, array: np.ndarray, expected_mix: np.ndarray) -> bool:
    if kind == "selfcheck":
        return frames.self_check_seed(array, expected_mix) == position & 0xFFFFFFFF
    if kind == "uniform16":
        return bool((array == (position & 0xFFFF)).all())
    if kind == "uniform":
        flat = array.reshape(-1)
        return bool(flat[0] == position & 0xFFFFFFFF) and bool((flat == flat[0]).all())
    if kind == "selfcheck-any":
        return frames.self_check_seed(array, expected_mix) >= 0
    return array.tobytes() == frames.pattern(ring.dtype, ring.shape, position).tobytes()


def park(name: str, cursor: str, grace: str = "5") -> None:
    """Attaches and waits for a frame without a deadline, to be killed while parked."""
    with arrow_shm.Ring.open(name) as ring, ring.reader(cursor, start="next", grace=float(grace)) as r:
        print(f"ready {r.position}", flush=True)
        frame = r.take(timeout=None)
        say(position=frame.position)


def hold(name: str, cursor: str, start: str = "oldest", grace: str = "5", take: str = "0") -> None:
    """Attaches, takes TAKE frames, prints ready and then sleeps until killed."""
    with arrow_shm.Ring.open(name) as ring, ring.reader(cursor, start=start, grace=float(grace)) as r:
        lost = r.lost
        for _ in range(int(take)):
            lost += r.take(timeout=30).lost
        print(f"ready {r.position} lost {lost}", flush=True)
        time.sleep(3600)


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"write": write, "write-forever": write_forever, "die-in-write-view": die_in_write_view,
     "read": read, "park": park, "hold": hold}[command](*arguments)

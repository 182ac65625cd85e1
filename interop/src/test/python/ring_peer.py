"""arrow_shm's side of the Java ⇄ Python ring tests (package io.arrowshm.interop.suite, Ring*InteropTest).

`ring_peer.py COMMAND ARGS...` runs one command and answers one line, "ok key=value ..." or
"err ExceptionType message", after "ready ..." lines where a test needs to know the peer has
attached (to kill it at a chosen moment). Frames are what RingInteropFrames.java builds:

  pattern    position p holds io.arrowshm.testing.Patterns.bytes(dtype, slot_size, p), frame id p
  selfcheck  uint32, element i = (p mod 2^32) ^ (i * 0x9E3779B1), frame id p (a torn frame fails)
  uniform    uint32, every element p mod 2^32, frame id p, filled inside the write (write_view)
"""
import os
import signal
import sys
import time

import numpy as np

import arrow_shm

GOLDEN = np.uint32(0x9E3779B1)


def pattern(dtype, nbytes, seed):
    i = np.arange(min(nbytes, 65536), dtype=np.uint32)  # the pattern repeats every 65536 bytes
    block = ((i * np.uint32(31) + np.uint32(seed * 7 & 0xFFFFFFFF) + (i >> np.uint32(8))) & np.uint32(0xFF)).astype(np.uint8)
    if dtype == np.bool_:
        block &= 1
    return np.resize(block, nbytes)


class Frames:
    def __init__(self, ring, kind):
        self.kind = kind
        self.dtype = ring.dtype
        self.shape = ring.shape
        self.nbytes = ring.slot_size
        self.mix = np.arange(self.nbytes // 4, dtype=np.uint32) * GOLDEN

    def make(self, p):
        if self.kind == "pattern":
            return pattern(self.dtype, self.nbytes, p).view(self.dtype).reshape(self.shape)
        if self.kind == "selfcheck":
            return (self.mix ^ np.uint32(p & 0xFFFFFFFF)).reshape(self.shape)
        return np.full(self.shape, p & 0xFFFFFFFF, np.uint32)

    def check(self, p, array):
        if self.kind == "pattern":
            return array.reshape(-1).view(np.uint8).tobytes() == pattern(self.dtype, self.nbytes, p).tobytes()
        flat = array.reshape(-1)
        if self.kind == "selfcheck":
            return int(flat[0]) == p & 0xFFFFFFFF and np.array_equal(flat ^ flat[0], self.mix)
        return int(flat[0]) == p & 0xFFFFFFFF and bool((flat == flat[0]).all())


def answer(**facts):
    print("ok " + " ".join(f"{key}={value}" for key, value in facts.items()), flush=True)


def write(name, count, kind="pattern", timeout="60"):
    with arrow_shm.Ring.open(name) as ring, ring.writer(timeout=30) as w:
        frames = Frames(ring, kind)
        print(f"ready {w.position}", flush=True)
        first = w.position
        for _ in range(int(count)):
            p = w.position
            w.write(frames.make(p), frame_id=p, timeout=float(timeout))
        answer(first=first, next=w.position)


def write_forever(name, kind="uniform"):
    with arrow_shm.Ring.open(name) as ring, ring.writer(timeout=30) as w:
        frames = Frames(ring, kind)
        print(f"ready {w.position}", flush=True)
        while True:
            p = w.position
            if kind == "uniform":
                with w.write_view(frame_id=p, timeout=None) as slot:
                    slot.fill(p & 0xFFFFFFFF)
            else:
                w.write(frames.make(p), frame_id=p, timeout=None)


def die_in_write(name):
    """Fills half of the next slot through write_view, then SIGKILLs itself inside the write."""
    ring = arrow_shm.Ring.open(name)
    w = ring.writer(timeout=30)
    print(f"ready {w.position}", flush=True)
    with w.write_view(frame_id=w.position) as slot:
        flat = slot.reshape(-1)
        flat[: flat.size // 2] = w.position
        os.kill(os.getpid(), signal.SIGKILL)


def read(name, cursor, count, kind="pattern", start="oldest", timeout="60", grace="5", how="take"):
    """Reads COUNT frames (or until TIMEOUT s pass without one), checking each one by its position,
    and that each frame's lost is exactly the gap before it (less the positions skipped as abandoned)."""
    with arrow_shm.Ring.open(name) as ring, ring.reader(cursor, start=start, grace=float(grace)) as r:
        frames = Frames(ring, kind)
        print(f"ready {r.position}", flush=True)
        got = bad = lost_sum = 0
        first = last = None
        exact = True
        previous = r.position - 1 - r.lost
        while got < int(count):
            abandoned_before = r.abandoned
            try:
                if how == "lease":
                    with r.lease(timeout=float(timeout)) as view:
                        frame = r.current
                        ok = frames.check(frame.position, view)
                    items = [(frame.position, frame.frame_id, frame.lost, ok)]
                elif how == "batch":
                    with r.lease_batch(8, timeout=float(timeout)) as batch:
                        items = [(batch.position + i, int(batch.frame_ids[i]), batch.lost if i == 0 else 0,
                                  frames.check(batch.position + i, batch.array[i])) for i in range(len(batch))]
                        arrow = batch.to_arrow() if ring.dtype.kind != "c" else None
                        if arrow is not None and len(arrow) != len(batch):
                            bad += 1
                else:
                    frame = r.take(timeout=float(timeout))
                    items = [(frame.position, frame.frame_id, frame.lost, frames.check(frame.position, frame.array))]
            except arrow_shm.StreamTimeoutError:
                break
            skipped = r.abandoned - abandoned_before  # positions a dead writer left, skipped before these
            for position, frame_id, lost, ok in items:
                bad += 0 if ok and frame_id == position else 1
                exact &= lost == position - previous - 1 - skipped
                skipped = 0
                previous = position
                lost_sum += lost
                first = position if first is None else first
                last = position
                got += 1
        answer(frames=got, bad=bad, lost=r.lost, lost_sum=lost_sum, exact=exact, abandoned=r.abandoned,
               position=r.position, first=first, last=last)


def hold(name, cursor, start="oldest", grace="5", take="0"):
    """Attaches, takes TAKE frames, says where it is, then waits to be killed."""
    with arrow_shm.Ring.open(name) as ring, ring.reader(cursor, start=start, grace=float(grace)) as r:
        lost = r.lost
        for _ in range(int(take)):
            lost += r.take(timeout=60).lost
        print(f"ready {r.position} lost {lost}", flush=True)
        time.sleep(3600)


def info(name):
    """What arrow_shm sees of a ring Java made."""
    with arrow_shm.Ring.open(name) as ring:
        stat = ring.stat()
        cursors = ",".join(f"{c.name}:{c.position}:{int(c.live)}:{int(c.blocking)}" for c in stat.cursors) or "-"
        answer(dtype=stat.dtype, shape="x".join(map(str, stat.shape)), capacity=stat.capacity,
               overflow=stat.overflow, max_cursors=stat.max_cursors, write_position=stat.write_position,
               instance_id=stat.instance_id, creator_pid=stat.creator_pid, writer_pid=stat.writer_pid,
               cursors=cursors)


def stamp(name):
    """Whether the slot of write_position holds a half-written frame (a writer died inside a write)."""
    from arrow_shm import _layout

    with arrow_shm.Ring.open(name) as ring:
        p = ring.write_position
        g = ring._geometry
        value = ring._mapping.i64[(g.slot_table_offset + _layout.SLOT_ENTRY_SIZE * (p % g.capacity)) // 8]
        answer(position=p, half_written=int(value == _layout.writing(p)))


def create(name, dtype, shape, capacity, overflow="block"):
    arrow_shm.Ring.create(name, shape=tuple(int(d) for d in shape.split("x")), dtype=dtype,
                          capacity=int(capacity), overflow=overflow).close()
    answer(created=1)


def main(command, *args):
    commands = {"write": write, "write-forever": write_forever, "read": read, "hold": hold, "info": info,
                "create": create, "stamp": stamp, "die-in-write": die_in_write}
    try:
        commands[command](*args)
    except Exception as exc:  # noqa: BLE001 - the exception's class is the answer the test checks
        print(f"err {type(exc).__name__} {' '.join(str(exc).split())}", flush=True)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    main(*sys.argv[1:])

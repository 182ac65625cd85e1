"""pyshmem 1.4.0's side of the Java interop suite (package io.arrowshm.interop.suite).

`pyshmem_peer.py serve` reads one command per stdin line and answers each with one line,
"ok key=value ..." or "err ExceptionType message", so one process serves a whole test class.
`pyshmem_peer.py COMMAND ARGS...` runs one command and prints its answer; the commands that
block or loop (pause-in-view, write-frames, read-frames) are meant for this form, as separate
processes a test kills or runs side by side.

A command on NAME uses the handle that `open NAME` left in this process, or else opens one
just for itself: a test keeps a pyshmem handle across steps (a held lock, an old generation)
only when it asks to.

Payloads are built exactly as Payloads.java builds them: "pattern" is the rolling byte pattern
of io.arrowshm.testing.Patterns, "special" tiles the elements listed in special-values.txt.
"""
import contextlib
import glob
import hashlib
import os
import struct
import sys
import time
from pathlib import Path

import numpy as np
import pyshmem

HANDLES = {}
SHOWN_BYTES = 4096  # payloads up to this size come back whole, so a mismatch shows where


def _special_table():
    tables = {}
    path = Path(__file__).resolve().parent.parent / "resources" / "special-values.txt"
    for line in path.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            tables.setdefault(words[0], []).append([int(word, 16) for word in words[1:]])
    return tables


SPECIAL = _special_table()


def special_values(dtype, count, seed):
    rows = SPECIAL[dtype.name]
    width = dtype.itemsize // len(rows[0])
    table = np.array(rows, dtype=f"<u{width}")
    return table[(np.arange(count) + seed) % len(rows)].reshape(-1).view(dtype)


def pattern_values(dtype, size, seed):
    # The pattern repeats every 65536 bytes, so a 256 MiB payload costs one small block.
    i = np.arange(min(size, 65536), dtype=np.uint32)
    block = ((i * np.uint32(31) + np.uint32(seed * 7) + (i >> np.uint32(8))) & np.uint32(0xFF)).astype(np.uint8)
    if dtype == np.bool_:
        block &= 1
    return np.resize(block, size).view(dtype)


def payload(dtype, shape, kind, seed):
    count = int(np.prod(shape))
    if kind == "special":
        values = special_values(dtype, count, seed)
    elif kind == "pattern":
        values = pattern_values(dtype, count * dtype.itemsize, seed)
    else:
        raise ValueError(f"unknown payload kind {kind}")
    return values.reshape(shape)


def frame_mix(elements):
    """What a self-checking frame holds besides its seed: element i is seed ^ mix[i], mix[0] == 0."""
    return np.arange(elements, dtype=np.uint32) * np.uint32(0x9E3779B1)


def bytes_of(array):
    raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    facts = {"sha256": hashlib.sha256(raw.data).hexdigest()}
    if raw.size <= SHOWN_BYTES:
        facts["hex"] = raw.tobytes().hex()
    return facts


def state(shm):
    return {
        "count": shm.count,
        "seq": shm.write_sequence,
        "frame_id": shm.frame_id,
        "write_time": repr(shm.write_time),
    }


def shape_text(shape):
    return ",".join(str(int(d)) for d in shape)


@contextlib.contextmanager
def handle(name):
    if name in HANDLES:
        yield HANDLES[name]
        return
    shm = pyshmem.open(name)
    try:
        yield shm
    finally:
        shm.close()


def held(name):
    if name not in HANDLES:
        raise RuntimeError(f"no handle on {name!r} is open in this peer; send 'open {name}' first")
    return HANDLES[name]


# ---- commands: each returns the reply's key/value pairs ----

def cmd_create(name, dtype, shape, *flags):
    shm = pyshmem.create(name, shape=tuple(int(d) for d in shape.split(",")), dtype=np.dtype(dtype),
                         notify="notify" in flags)
    facts = {"instance_id": shm.instance_id}
    shm.close()
    return facts


def cmd_open(name, *flags):
    shm = pyshmem.open(name, readonly="readonly" in flags)
    HANDLES[name] = shm
    return {"dtype": shm.dtype, "shape": shape_text(shm.shape), "instance_id": shm.instance_id, "pid": os.getpid(),
            **state(shm)}


def cmd_close(name):
    HANDLES.pop(name).close()
    return {}


def cmd_write(name, kind, seed, frame_id=None):
    with handle(name) as shm:
        shm.write(payload(shm.dtype, shm.shape, kind, int(seed)),
                  frame_id=None if frame_id is None else int(frame_id))
        return state(shm)


def cmd_read(name, timeout="10"):
    with handle(name) as shm:
        values = shm.read(timeout=float(timeout))
        return {"dtype": values.dtype, "shape": shape_text(values.shape), **bytes_of(values), **state(shm)}


def cmd_read_publication(name):
    with handle(name) as shm:
        pub = shm.read_publication(timeout=10)
        return {"count": pub.count, "frame_id": pub.frame_id, "write_time": repr(pub.write_time),
                "missed": pub.missed_publications, **bytes_of(pub.payload)}


def cmd_state(name):
    with handle(name) as shm:
        return state(shm)


def cmd_lock_fields(name):
    """lock_owner_pid and lock_depth as stored, read from the file rather than through pyshmem."""
    base = "ps_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:14]
    with open(f"/dev/shm/{base}_meta", "rb") as meta:
        owner, depth = struct.unpack_from("<qI", meta.read(76), 64)
    return {"owner": owner, "depth": depth}


def cmd_acquire(name, timeout):
    held(name).acquire(timeout=float(timeout))
    return {}


def cmd_release(name):
    held(name).release()
    return {}


def cmd_view(name, timeout, kind, seed):
    """A zero-copy write_view publication, waiting at most TIMEOUT seconds for the lock."""
    with handle(name) as shm:
        with shm.write_view(timeout=float(timeout)) as view:
            view[...] = payload(shm.dtype, shm.shape, kind, int(seed))
        return state(shm)


def cmd_abort_view(name, seed):
    """A write_view whose body fills half the payload and then raises: pyshmem aborts the write."""
    with handle(name) as shm:
        try:
            with shm.write_view() as view:
                flat = view.reshape(-1)
                flat[: flat.size // 2] = payload(shm.dtype, shm.shape, "pattern", int(seed)).reshape(-1)[: flat.size // 2]
                raise InterruptedError("abandoned on purpose")
        except InterruptedError:
            pass
        return state(shm)


def cmd_clear(name):
    with handle(name) as shm:
        shm.clear()
        return state(shm)


def cmd_unlink_handle(name):
    HANDLES.pop(name).unlink()
    return {}


def cmd_unlink(name):
    pyshmem.unlink(name)
    return {}


def cmd_stat(name):
    facts = pyshmem.stat(name)
    facts["shape"] = shape_text(facts["shape"])
    facts["write_time"] = repr(facts["write_time"])
    return facts


def cmd_list_among(*names):
    """Which of NAMES pyshmem.list_streams() reports (other builds on the machine may hold
    streams of any name, which one reply line could not carry)."""
    return {"listed": ",".join(n for n in pyshmem.list_streams() if n in names)}


def cmd_purge_among(*names):
    """pyshmem.purge() exactly, except that its scan of /dev/shm sees only the given names'
    segments: a real purge would remove every stream of the other builds sharing this machine."""
    bases = {"ps_" + hashlib.sha1(n.encode("utf-8")).hexdigest()[:14] for n in names}
    real_glob = glob.glob

    def our_segments(pattern, *args, **kwargs):
        return [p for p in real_glob(pattern, *args, **kwargs) if os.path.basename(p).split("_meta")[0] in bases]

    glob.glob = our_segments
    try:
        return {"removed": ",".join(pyshmem.purge())}
    finally:
        glob.glob = real_glob


def cmd_pause_in_view(name, seed):
    """Fills half the payload through write_view, then stops inside it until killed."""
    shm = pyshmem.open(name)
    with shm.write_view() as view:
        flat = view.reshape(-1)
        flat[: flat.size // 2] = payload(shm.dtype, shm.shape, "pattern", int(seed)).reshape(-1)[: flat.size // 2]
        print("paused", flush=True)
        time.sleep(3600)


def cmd_write_frames(name, writer, frames, gate):
    """Writes self-checking uint32 frames, seed (writer << 24 | k) in element 0 and in frame_id."""
    shm = pyshmem.open(name)
    mix = frame_mix(shm.size // 4).reshape(shm.shape)
    print("ready", flush=True)
    while not os.path.exists(gate):
        time.sleep(0.001)
    for k in range(int(frames)):
        seed = (int(writer) << 24) | k
        shm.write(mix ^ np.uint32(seed), frame_id=seed)
        time.sleep(0.0005)  # lets readers in between writes
    shm.close()
    return {"written": frames}


def cmd_read_frames(name, total, seconds):
    """Reads publications until count reaches TOTAL (or SECONDS pass), checking every frame."""
    shm = pyshmem.open(name, readonly=True)
    mix = frame_mix(shm.size // 4)
    print("ready", flush=True)
    verified, mixed, writers = 0, 0, set()
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        pub = shm.read_publication(timeout=10)
        frame = pub.payload.reshape(-1)
        seed = int(frame[0])
        if pub.frame_id == seed and np.array_equal(frame ^ np.uint32(seed), mix):
            verified += 1
            writers.add(seed >> 24)
        else:
            mixed += 1
        if pub.count >= int(total):
            break
    shm.close()
    return {"verified": verified, "mixed": mixed, "writers": ",".join(str(w) for w in sorted(writers))}


COMMANDS = {fn.__name__[4:].replace("_", "-"): fn for fn in list(globals().values())
            if callable(fn) and getattr(fn, "__name__", "").startswith("cmd_")}


def answer(words):
    try:
        facts = COMMANDS[words[0]](*words[1:])
    except Exception as exc:  # noqa: BLE001 - the exception's class is the answer the test checks
        return f"err {type(exc).__name__} {' '.join(str(exc).split())}"
    return " ".join(["ok"] + [f"{key}={value}" for key, value in facts.items()])


def main(argv):
    if argv == ["serve"]:
        for line in sys.stdin:
            if line.strip():
                print(answer(line.split()), flush=True)
    else:
        print(answer(argv), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

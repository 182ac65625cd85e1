"""The pyshmem side of the reliability suite: one command per run, answers on stdout.

Frames follow io.arrowshm.reliability.Frames: element 0 is the seed k, element j>0 is
k * MIX + j modulo 2**64.
"""
import sys
import time

import numpy as np
import pyshmem
from pyshmem import _shared

MIX = np.uint64(0x9E3779B97F4A7C15)


def fill(frame, seed):
    seeds = np.array([seed], dtype=np.uint64)
    frame[:] = (seeds * MIX)[0] + np.arange(frame.size, dtype=np.uint64)
    frame[0] = seed


def whole(frame):
    expected = np.empty_like(frame)
    fill(expected, int(frame[0]))
    return bool(np.array_equal(expected, frame))


def seed(writer, sequence):
    return (writer << 40) | sequence


def frames_loop(name, writer, limit):
    shm = pyshmem.open(name)
    # A few frames made up front and cycled: the loop then spends its time in write().
    frames = []
    for f in range(4):
        frame = np.empty(shm.size // 8, dtype=np.uint64)
        fill(frame, seed(writer, f + 1))
        frames.append(frame.view(shm.dtype).reshape(shm.shape))
    i = 1
    while limit == 0 or i <= limit:
        shm.write(frames[i % len(frames)])
        if i == 1:
            print("writing", flush=True)
        i += 1
    print("done", flush=True)


def frames_read(name):
    # Writable on purpose: a read-only pyshmem reader raises PermissionError on a dead writer.
    shm = pyshmem.open(name)
    reads = torn = inconsistent = nonincreasing = 0
    last = -1
    print("ready", flush=True)
    while True:
        try:
            pub = shm.read_new_publication(timeout=30 if reads == 0 else 2)
        except pyshmem.InconsistentStreamError:
            inconsistent += 1
            time.sleep(0.001)  # until a writer repairs it
            continue
        except TimeoutError:
            break
        reads += 1
        torn += 0 if whole(pub.payload.reshape(-1).view(np.uint64)) else 1
        nonincreasing += 0 if pub.count > last else 1
        last = pub.count
    print(f"reads {reads} torn {torn} inconsistent {inconsistent} nonincreasing {nonincreasing}", flush=True)


def read_once(name):
    """One safe read of the current frame: 'whole', 'torn' or the exception class."""
    shm = pyshmem.open(name)
    try:
        data = shm.read(timeout=5)
        print("whole" if whole(data.reshape(-1).view(np.uint64)) else "torn", flush=True)
    except Exception as exc:  # noqa: BLE001 - the class name is the answer
        print(type(exc).__name__, flush=True)
    shm.close()


def validate(path, name):
    """pyshmem's own header validation (without its 50 ms retry) of each case in a file.

    Each line: '<segment length> <hex of up to 512 bytes>'. Prints 'ok' or 'err <message>'.
    """
    class Segment:
        def __init__(self, raw, length):
            self.buf = memoryview(bytearray(raw.ljust(max(length, len(raw)), b"\0")[:length]))

    with open(path) as cases:
        for line in cases:
            fields = line.split()
            length, raw = fields[0], bytes.fromhex(fields[1] if len(fields) > 1 else "")
            segment = Segment(raw, int(length))
            try:
                view = _shared._MetadataView(bytearray(segment.buf[:_shared.METADATA_BYTES]))
                _shared._validate_metadata_header(view, segment, expected_name=name)
                print("ok")
            except ValueError as exc:
                print("err " + str(exc).replace("\n", " "))
            except Exception as exc:  # noqa: BLE001 - pyshmem failing other than by ValueError is a finding
                print(f"crash {type(exc).__name__}: {exc}".replace("\n", " "))


def churn(name, hold):
    """Recreates the stream until killed; each generation's payload is its instance id repeated."""
    announced = False
    while True:
        try:
            shm = pyshmem.create(name, shape=(4096,), dtype=np.uint8)
        except Exception:  # noqa: BLE001 - the name is still taken: remove it and retry
            pyshmem.unlink(name)
            continue
        ident = bytes.fromhex(shm.instance_id)
        shm.write(np.frombuffer(ident * (4096 // len(ident)), dtype=np.uint8))
        if not announced:
            print("churning", flush=True)
            announced = True
        time.sleep(hold)
        shm.unlink()


def main(argv):
    command = argv[0]
    if command == "frames-loop":
        frames_loop(argv[1], int(argv[2]), int(argv[3]))
    elif command == "frames-read":
        frames_read(argv[1])
    elif command == "read-once":
        read_once(argv[1])
    elif command == "create":  # NAME DTYPE DIM...: a pyshmem stream, left in place
        pyshmem.create(argv[1], shape=tuple(int(d) for d in argv[3:]), dtype=np.dtype(argv[2])).close()
        print("created")
    elif command == "churn":  # NAME HOLD_SECONDS
        churn(argv[1], float(argv[2]))
    elif command == "validate":
        validate(argv[1], argv[2])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])

"""The Python side of interop tests: one command per run, answers on stdout.

Uses the real pyshmem 1.4.0 from the project's venv. Payload bytes follow the same
formula as io.arrowshm.testing.Patterns, so each side checks the other by SHA-256.
"""
import hashlib
import json
import sys
import time

import numpy as np
import pyshmem


def pattern(dtype, size, seed):
    i = np.arange(size, dtype=np.uint64)
    values = ((i * np.uint64(31) + np.uint64(seed * 7) + (i >> np.uint64(8))) & np.uint64(0xFF)).astype(np.uint8)
    if np.dtype(dtype) == np.bool_:
        values &= 1
    return values


def as_payload(shm, seed):
    raw = pattern(shm.dtype, shm.size, seed)
    return raw.view(shm.dtype).reshape(shm.shape)


def main(argv):
    command, name = argv[0], argv[1]
    if command == "create-write":  # NAME DTYPE SEED DIM...
        dtype, seed, shape = argv[2], int(argv[3]), tuple(int(d) for d in argv[4:])
        shm = pyshmem.create(name, shape=shape, dtype=np.dtype(dtype))
        shm.write(as_payload(shm, seed))
        shm.close()
        print("written")
    elif command == "write":  # NAME SEED
        shm = pyshmem.open(name)
        shm.write(as_payload(shm, int(argv[2])))
        shm.close()
        print("written")
    elif command == "read":  # NAME -> sha256, dtype, shape
        shm = pyshmem.open(name)
        data = shm.read()
        print(hashlib.sha256(data.tobytes()).hexdigest())
        print(f"{data.dtype} {list(data.shape)}")
        shm.close()
    elif command == "hold-lock":  # NAME SECONDS
        shm = pyshmem.open(name)
        with shm.locked():
            print("locked", flush=True)
            time.sleep(float(argv[2]))
        print("released")
        shm.close()
    elif command == "try-lock":  # NAME SECONDS
        shm = pyshmem.open(name)
        start = time.monotonic()
        try:
            shm.acquire(timeout=float(argv[2]))
        except TimeoutError:
            print(f"timeout {int((time.monotonic() - start) * 1000)}")
        else:
            print("acquired")
            shm.release()
        shm.close()
    elif command == "stat":  # NAME -> json
        print(json.dumps(pyshmem.stat(name)))
    elif command == "read-error":  # NAME -> the exception class pyshmem raises on read
        shm = pyshmem.open(name)
        try:
            shm.read(timeout=2.0)
        except Exception as exc:  # noqa: BLE001 - the class name is the answer
            print(type(exc).__name__)
        else:
            print("no-error")
        shm.close()
    elif command == "write-frame":  # NAME SEED FRAMEID
        shm = pyshmem.open(name)
        shm.write(as_payload(shm, int(argv[2])), frame_id=int(argv[3]))
        shm.close()
        print("written")
    elif command == "read-publication":  # NAME -> "count frame_id sha256"
        shm = pyshmem.open(name)
        pub = shm.read_publication()
        print(f"{pub.count} {pub.frame_id} {hashlib.sha256(pub.payload.tobytes()).hexdigest()}")
        shm.close()
    elif command == "wait-latency":  # NAME FRAMES: prints the wake latency of each new frame in us
        shm = pyshmem.open(name, readonly=True)
        print(f"ready {shm.notify}", flush=True)
        for _ in range(int(argv[2])):
            pub = shm.read_new_publication(timeout=20)
            print(f"lat {(time.time() - pub.write_time) * 1e6:.1f}", flush=True)
        print("done")
        shm.close()
    elif command == "write-timed":  # NAME FRAMES INTERVAL_S: writes frames at a fixed interval
        shm = pyshmem.open(name)
        for i in range(int(argv[2])):
            time.sleep(float(argv[3]))
            shm.write(as_payload(shm, i))
        print("done")
        shm.close()
    elif command == "locked-many":  # NAME OTHER ITERATIONS: locks both with pyshmem.locked_many
        first, second = pyshmem.open(name), pyshmem.open(argv[2])
        print("ready", flush=True)
        for _ in range(int(argv[3])):
            with pyshmem.locked_many([first, second], timeout=20):
                first.write(np.zeros(first.shape, first.dtype))
                second.write(np.zeros(second.shape, second.dtype))
        print("done")
        first.close()
        second.close()
    elif command == "next-to-ring":  # NAME: what pyshmem's list/stat/open make of a ring of that name
        print("listed" if name in pyshmem.list_streams() else "not listed")
        for call in (pyshmem.stat, pyshmem.open):
            try:
                call(name)
                print(call.__name__ + " succeeded")
            except Exception as e:  # noqa: BLE001 - the class is the answer
                print(call.__name__ + " " + type(e).__name__)
    elif command == "purge":  # - -> the names pyshmem's purge removed
        print(json.dumps(pyshmem.purge()))
    elif command == "list":  # -> json list of stream names
        print(json.dumps(pyshmem.list_streams()))
    elif command == "unlink":  # NAME
        pyshmem.unlink(name)
        print("unlinked")
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])

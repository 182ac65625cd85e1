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
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])

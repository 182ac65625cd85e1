"""The Python side of the nd4j-bridge interop tests: one command per run, answers on stdout.

Uses the real pyshmem 1.4.0. Payload bytes follow io.arrowshm.testing.Patterns (as
arrow-shm's peer.py does). Values are printed exactly, one token per element in C order:
integers in decimal, floats as float.hex() of their float64 value ("nan", "inf", "-inf"
stay as they are), bools as 0/1. The Java side parses them back and compares them with
what ND4J sees.
"""
import sys

import numpy as np
import pyshmem


def pattern(dtype, size, seed):
    i = np.arange(size, dtype=np.uint64)
    values = ((i * np.uint64(31) + np.uint64(seed * 7) + (i >> np.uint64(8))) & np.uint64(0xFF)).astype(np.uint8)
    if np.dtype(dtype) == np.bool_:
        values &= 1
    return values


def as_payload(shm, seed):
    return pattern(shm.dtype, shm.size, seed).view(shm.dtype).reshape(shm.shape)


def tokens(array):
    flat = array.reshape(-1)
    if array.dtype == np.bool_:
        return " ".join("1" if v else "0" for v in flat)
    if array.dtype.kind == "f":
        return " ".join(float(v).hex() for v in flat)
    return " ".join(str(int(v)) for v in flat)


def main(argv):
    command, name = argv[0], argv[1]
    if command == "create-write":  # NAME DTYPE SEED DIM... -> the values written
        dtype, seed, shape = argv[2], int(argv[3]), tuple(int(d) for d in argv[4:])
        shm = pyshmem.create(name, shape=shape, dtype=np.dtype(dtype))
        payload = as_payload(shm, seed)
        shm.write(payload)
        shm.close()
        print(tokens(payload))
    elif command == "write":  # NAME SEED -> the values written
        shm = pyshmem.open(name)
        payload = as_payload(shm, int(argv[2]))
        shm.write(payload)
        shm.close()
        print(tokens(payload))
    elif command == "values":  # NAME -> count, then the values of a consistent read
        shm = pyshmem.open(name)
        data = shm.read()
        print(shm.count)
        print(tokens(data))
        shm.close()
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])

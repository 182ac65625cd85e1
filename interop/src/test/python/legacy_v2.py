"""Lays out a legacy v2 stream as pyshmem 1.0.x made it (spec section 8), byte by byte, without pyshmem.

usage: legacy_v2.py NAME DTYPE_CODE SHAPE META_BYTES SEED
  DTYPE_CODE  0..10, the codes 1.0.x knew
  SHAPE       dimensions joined by commas, e.g. 4,5
  META_BYTES  256 for the oldest v2 builds (no name region), 512 for later ones (name at offset 256)
The payload is the rolling byte pattern of Patterns.java with SEED, published once: count 1, sequence 2.
"""
import hashlib
import math
import os
import struct
import sys
import time

ITEMSIZE = [1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8]  # int8..int64, uint8..uint64, float16, float32, float64


def segment(path, data):
    # shm_open(O_CREAT | O_EXCL | O_RDWR, 0600) is this open under /dev/shm on Linux
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def main(name, code, shape, meta_bytes, seed):
    code, seed, meta_bytes = int(code), int(seed), int(meta_bytes)
    shape = [int(d) for d in shape.split(",")]
    size = ITEMSIZE[code] * math.prod(shape)
    payload = bytes((i * 31 + seed * 7 + (i >> 8)) & 0xFF for i in range(size))
    header = struct.pack(
        "<32d",
        2.0,          # 0 version
        1.0,          # 1 count
        code,         # 2 dtype code
        len(shape),   # 3 ndim
        size,         # 4 size
        0.0,          # 5 gpu_enabled
        -1.0,         # 6 device_index
        os.getpid(),  # 7 creator_pid
        time.time(),  # 8 write_time
        2.0,          # 9 write_sequence: one completed write
        0.0,          # 10 lock_owner_pid
        0.0,          # 11 lock_depth
        1.0,          # 12 cpu_mirror
        *shape, *[0.0] * (19 - len(shape)),  # 13..31 shape
    )
    if meta_bytes == 512:
        header += name.encode("utf-8").ljust(256, b"\0")
    base = "/dev/shm/ps_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:14]
    segment(base, payload)
    segment(base + "_meta", header)
    print("made")


if __name__ == "__main__":
    main(*sys.argv[1:])

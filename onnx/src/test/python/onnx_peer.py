"""The Python (pyshmem) side of the onnx module's cross-process tests. One command per run.

    python onnx_peer.py write NAME SEED      writes frame(SEED) with frame_id SEED, prints "written"
    python onnx_peer.py uniform NAME         publishes frames whose elements all equal k = 1, 2, 3 ...
                                             (frame_id k), 100 us apart, until killed
"""
import sys
import time

import numpy as np
import pyshmem


def frame(seed, shape, dtype):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def main(argv):
    command, name = argv[0], argv[1]
    shm = pyshmem.open(name)
    try:
        if command == "write":
            seed = int(argv[2])
            shm.write(frame(seed, shm.shape, shm.dtype), frame_id=seed)
            print("written", flush=True)
        elif command == "uniform":
            value = np.zeros(shm.shape, dtype=shm.dtype)
            print("writing", flush=True)
            k = 0
            while True:
                k += 1
                value.fill(k)
                shm.write(value, frame_id=k)
                pause_until = time.perf_counter() + 100e-6  # a writer with no gap starves every seqlock reader
                while time.perf_counter() < pause_until:
                    pass
        else:
            raise SystemExit(f"unknown command {command!r}")
    finally:
        shm.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

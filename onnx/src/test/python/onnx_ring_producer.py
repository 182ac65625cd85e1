"""The Python producer of the ONNX ring pipeline: writes COUNT float32 frames to the input ring with
arrow_shm, frame p built by ExactFrames' rule (the same bits in Java and here) with frame id
1000000 + p, waiting for the worker's cursor when the ring is full (overflow "block"). Prints
"writing" once it holds the writer lease, then "wrote COUNT".

    python onnx_ring_producer.py RING COUNT
"""
import sys

import numpy as np
import arrow_shm

ID_OFFSET = 1_000_000
TIMEOUT = 60.0


def frame(p, shape):
    """Element i of frame p: ((p * 7919 + i * 104729) mod 2001 - 1000) / 256, exact in float32."""
    i = np.arange(int(np.prod(shape)), dtype=np.int64)
    return ((np.mod(p * 7919 + i * 104729, 2001) - 1000).astype(np.float32) / np.float32(256)).reshape(shape)


def main(argv):
    name, count = argv[0], int(argv[1])
    ring = arrow_shm.Ring.open(name)
    try:
        with ring.writer(timeout=TIMEOUT) as writer:
            print("writing", flush=True)
            start = ring.write_position
            for p in range(start, start + count):
                writer.write(frame(p, ring.shape), frame_id=ID_OFFSET + p, timeout=TIMEOUT)
        print(f"wrote {count}", flush=True)
    finally:
        ring.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

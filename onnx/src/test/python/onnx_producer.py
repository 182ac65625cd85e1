"""The Python producer of the ONNX pipeline example (io.arrowshm.onnx.examples.OnnxFramePipeline).

Creates the three streams (frames, the model's outputs, the checker's acknowledgements), prints
"ready", then publishes frame k (k = 0 .. FRAMES-1, frame_id k) and waits until the checker has
acknowledged it before the next, so no frame and no result is ever skipped. Unlinks the streams
when done and prints "sent FRAMES".

    python onnx_producer.py FRAMES_STREAM SCORES_STREAM ACKS_STREAM FRAMES ROWSxCOLS OUT_ROWSxOUT_COLS
"""
import sys

import numpy as np
import pyshmem

TIMEOUT = 60.0


def shape(text):
    return tuple(int(d) for d in text.split("x"))


def frame(k, frame_shape):
    """Frame k, which the checker rebuilds from k alone."""
    return np.random.default_rng(k).standard_normal(frame_shape).astype(np.float32)


def main(argv):
    frames_name, scores_name, acks_name, count = argv[0], argv[1], argv[2], int(argv[3])
    frame_shape, out_shape = shape(argv[4]), shape(argv[5])
    frames = pyshmem.create(frames_name, shape=frame_shape, dtype=np.float32, notify=True)
    scores = pyshmem.create(scores_name, shape=out_shape, dtype=np.float32, notify=True)
    acks = pyshmem.create(acks_name, shape=(1,), dtype=np.int64, notify=True)
    try:
        print("ready", flush=True)
        for k in range(count):
            frames.write(frame(k, frame_shape), frame_id=k)
            acks.wait_for_count(after=k, timeout=TIMEOUT)
        print(f"sent {count}", flush=True)
        return 0
    finally:
        for shm, name in ((frames, frames_name), (scores, scores_name), (acks, acks_name)):
            shm.close()
            pyshmem.unlink(name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

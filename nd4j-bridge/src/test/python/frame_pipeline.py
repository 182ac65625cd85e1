"""The Python half of the frame pipeline example (io.arrowshm.nd4j.examples.FramePipeline).

Creates the two streams, prints "ready", then for each frame: publishes a 64x64 float32
frame with a known pattern, waits for the Java worker's 64x16 result and checks it against
relu(frame @ W) computed here with NumPy. Prints "ok FRAMES MAX_ABS_ERROR" at the end, or
"mismatch ..." and exits 1. Owns both streams and unlinks them on exit.

    python frame_pipeline.py INPUT OUTPUT FRAMES
"""
import sys

import numpy as np
import pyshmem

SIDE, FEATURES = 64, 16
TIMEOUT = 60.0


def frame(k):
    r, c = np.meshgrid(np.arange(SIDE), np.arange(SIDE), indexing="ij")
    return (((r * SIDE + c + 7 * k) % 97) / 97.0 - 0.5).astype(np.float32)


def weights():
    i, j = np.meshgrid(np.arange(SIDE), np.arange(FEATURES), indexing="ij")
    return (((i * 31 + j * 17) % 13 - 6) / 32.0).astype(np.float32)


def main(argv):
    input_name, output_name, frames = argv[0], argv[1], int(argv[2])
    source = pyshmem.create(input_name, shape=(SIDE, SIDE), dtype=np.float32, notify=True)
    results = pyshmem.create(output_name, shape=(SIDE, FEATURES), dtype=np.float32, notify=True)
    try:
        print("ready", flush=True)
        w = weights()
        worst = 0.0
        for k in range(frames):
            x = frame(k)
            source.write(x)
            got = results.read_after(k, timeout=TIMEOUT)
            want = np.maximum(x @ w, 0.0)
            err = float(np.max(np.abs(got - want)))
            worst = max(worst, err)
            if not np.allclose(got, want, rtol=1e-5, atol=1e-4):
                print(f"mismatch frame {k} max_abs_error {err}", flush=True)
                return 1
        print(f"ok {frames} {worst:.3g}", flush=True)
        return 0
    finally:
        source.close()
        results.close()
        pyshmem.unlink(input_name)
        pyshmem.unlink(output_name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

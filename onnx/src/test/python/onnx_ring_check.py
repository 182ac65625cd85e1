"""The Python reader of the ONNX ring pipeline: takes COUNT results from the output ring with
arrow_shm through the cursor "check" (attached before it prints "ready", so the worker waits for
it), rebuilds each result's input frame from its frame id (the worker stamps each result with its
input's position), runs the same model with onnxruntime in Python on it, and compares. Prints
"ok COUNT MAX_ABS_ERROR", or "mismatch ..." and exits 1.

    python onnx_ring_check.py MODEL RING COUNT ROWSxCOLS
"""
import sys

import numpy as np
import onnxruntime
import arrow_shm

from onnx_ring_producer import frame

TIMEOUT = 60.0
RTOL, ATOL = 1e-5, 1e-6


def main(argv):
    model, name, count = argv[0], argv[1], int(argv[2])
    shape = tuple(int(d) for d in argv[3].split("x"))
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    ring = arrow_shm.Ring.open(name)
    try:
        with ring.reader("check", start="oldest") as reader:
            print("ready", flush=True)
            worst = 0.0
            for k in range(count):
                result = reader.take(timeout=TIMEOUT)
                if result.position != k or result.frame_id != k or result.lost != 0:
                    print(f"mismatch: result {k} is at position {result.position} with frame id {result.frame_id},"
                          f" {result.lost} lost before it", flush=True)
                    return 1
                want = session.run(None, {input_name: frame(k, shape)})[0]
                got = np.asarray(result.array)
                err = float(np.max(np.abs(got - want)))
                worst = max(worst, err)
                if got.shape != want.shape or not np.allclose(got, want, rtol=RTOL, atol=ATOL):
                    print(f"mismatch frame {k} max_abs_error {err}", flush=True)
                    return 1
            if ring.write_position != count:
                print(f"mismatch: {ring.write_position} results written for {count} frames", flush=True)
                return 1
        print(f"ok {count} {worst:.3g}", flush=True)
        return 0
    finally:
        ring.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

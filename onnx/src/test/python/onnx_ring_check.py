"""Checks a ring pipeline's outputs against onnxruntime in Python: rebuilds each input frame from
its position with ExactFrames' rule (the same bits Java wrote), runs the model, and compares with
the outputs the Java test collected from the output ring (raw float32, C order, one frame after
another). Prints "ok COUNT MAX_ABS_ERROR", or "mismatch ..." and exits 1.

    python onnx_ring_check.py MODEL OUTPUTS_FILE COUNT ROWSxCOLS
"""
import sys

import numpy as np
import onnxruntime

RTOL, ATOL = 1e-5, 1e-6


def frame(p, shape):
    i = np.arange(int(np.prod(shape)), dtype=np.int64)
    return ((np.mod(p * 7919 + i * 104729, 2001) - 1000).astype(np.float32) / np.float32(256)).reshape(shape)


def main(argv):
    model, outputs_file, count = argv[0], argv[1], int(argv[2])
    shape = tuple(int(d) for d in argv[3].split("x"))
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    got_all = np.fromfile(outputs_file, dtype="<f4")
    per_frame = got_all.size // count
    worst = 0.0
    for p in range(count):
        want = session.run(None, {input_name: frame(p, shape)})[0]
        got = got_all[p * per_frame:(p + 1) * per_frame].reshape(want.shape)
        err = float(np.max(np.abs(got - want)))
        worst = max(worst, err)
        if not np.allclose(got, want, rtol=RTOL, atol=ATOL):
            print(f"mismatch frame {p} max_abs_error {err}", flush=True)
            return 1
    print(f"ok {count} {worst:.3g}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The Python reader of the ONNX pipeline example: takes each result the Java worker published,
runs the same model with onnxruntime in Python on the same frame (rebuilt from its frame id) and
compares; acknowledges each frame so the producer sends the next. Prints "ok FRAMES MAX_ABS_ERROR",
or "mismatch ..." and exits 1.

    python onnx_checker.py MODEL SCORES_STREAM ACKS_STREAM FRAMES ROWSxCOLS
"""
import sys

import numpy as np
import onnxruntime
import pyshmem

from onnx_producer import frame, shape

TIMEOUT = 60.0
RTOL, ATOL = 1e-5, 1e-6


def main(argv):
    model, scores_name, acks_name, count, frame_shape = argv[0], argv[1], argv[2], int(argv[3]), shape(argv[4])
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    scores = pyshmem.open(scores_name)
    acks = pyshmem.open(acks_name)
    try:
        worst = 0.0
        for k in range(count):
            result = scores.read_after_publication(k, timeout=TIMEOUT)
            if result.frame_id != k or result.count != k + 1:
                print(f"mismatch: expected frame {k} as publication {k + 1}, got frame {result.frame_id}"
                      f" as publication {result.count}", flush=True)
                return 1
            want = session.run(None, {input_name: frame(k, frame_shape)})[0]
            got = np.asarray(result.payload)
            err = float(np.max(np.abs(got - want)))
            worst = max(worst, err)
            if got.shape != want.shape or not np.allclose(got, want, rtol=RTOL, atol=ATOL):
                print(f"mismatch frame {k} max_abs_error {err}", flush=True)
                return 1
            acks.write(np.array([k], dtype=np.int64))
        print(f"ok {count} {worst:.3g}", flush=True)
        return 0
    finally:
        scores.close()
        acks.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

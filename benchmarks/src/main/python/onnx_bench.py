"""The Python ends of the ONNX Runtime pipeline benchmark (io.arrowshm.benchmarks.onnx.OnnxBench).

Opens the two streams the Java worker made, prints "ready", waits for "go" on stdin, then
publishes WARMUP + COUNT frames in lock-step: each frame's time runs from just before its write
to the moment this process has read the Java worker's result for it (Python -> Java ONNX Runtime
-> Python). Finally checks the last result against onnxruntime in Python on the same frame, and
prints one line: "done P50_US P99_US FRAMES_PER_S MAX_ABS_ERROR".

    python onnx_bench.py MODEL FRAMES_STREAM SCORES_STREAM WARMUP COUNT
"""
import sys
import time

import numpy as np
import onnxruntime
import pyshmem

TIMEOUT = 60.0


def percentile(sorted_ns, q):
    index = max(0, min(len(sorted_ns) - 1, int(np.ceil(q * len(sorted_ns))) - 1))  # nearest rank
    return sorted_ns[index] / 1e3


def main(argv):
    model, frames_name, scores_name, warmup, count = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    frames = pyshmem.open(frames_name)
    scores = pyshmem.open(scores_name)
    inputs = [np.random.default_rng(seed).standard_normal(frames.shape).astype(np.float32) for seed in range(4)]
    times = np.empty(count, dtype=np.int64)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 1
    base = scores.count
    result = None
    started = 0
    for i in range(warmup + count):
        if i == warmup:
            started = time.perf_counter_ns()
        t0 = time.perf_counter_ns()
        frames.write(inputs[i % 4], frame_id=i + 1)
        result = scores.read_after(base + i, timeout=TIMEOUT)
        if i >= warmup:
            times[i - warmup] = time.perf_counter_ns() - t0
    elapsed = time.perf_counter_ns() - started
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    want = session.run(None, {session.get_inputs()[0].name: inputs[(warmup + count - 1) % 4]})[0]
    error = float(np.max(np.abs(np.asarray(result) - want)))
    times.sort()
    print(f"done {percentile(times, 0.5):.1f} {percentile(times, 0.99):.1f} {count / (elapsed / 1e9):.0f} {error:.3g}",
          flush=True)
    frames.close()
    scores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Single-process pyshmem 1.4.0 figures for the operations the JMH benchmarks time in Java.

    bench_pyshmem.py [--shapes 97,128x128,1000x1000,10000x10000] [--warmup S]
                     [--max-seconds S] [--batches N] [--batch-ns NS]

Prints one JSON document on stdout: interpreter and package versions, and for every
(operation, shape) the median per-operation time over batches. A batch repeats the operation
enough times to last about --batch-ns (so perf_counter_ns overhead vanishes); a case stops
after --batches batches, or sooner once --max-seconds is spent and at least three batches
exist. The operations, named as on the Java side:

  write         shm.write(array)
  read          shm.read()                     (a new NumPy array)
  readInto      shm.read(out=array)            (no allocation)
  readZeroCopy  with shm.locked(): shm.read(safe=False).item(0)
                (pyshmem's only consistent zero-copy read: the lock instead of a seqlock)
  buffer        shm.read(safe=False), the lock already held around the batch
  lock          shm.acquire(); shm.release()   (shape 97 only: it does not depend on the frame)
  copyto        np.copyto(dst, src)            (NumPy's memcpy, the Python-side reference)
"""

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import statistics
import time

import numpy as np
import pyshmem

clock = time.perf_counter_ns


def measure(operation, args, around=contextlib.nullcontext):
    with around():
        operation()
        warmup_end = clock() + int(args.warmup * 1e9)
        while clock() < warmup_end:
            operation()
        t0 = clock()
        operation()
        single = max(1, clock() - t0)
    batch = max(1, args.batch_ns // single)
    budget_end = clock() + int(args.max_seconds * 1e9)
    per_op = []
    while len(per_op) < args.batches:
        with around():
            t0 = clock()
            for _ in range(batch):
                operation()
            elapsed = clock() - t0
        per_op.append(elapsed / batch)
        if clock() > budget_end and len(per_op) >= 3:
            break
    return statistics.median(per_op), len(per_op), batch


def parse_shape(label):
    return tuple(int(d) for d in label.split("x"))


def figures_for(label, args):
    shape = parse_shape(label)
    elements = int(np.prod(shape))
    nbytes = 4 * elements
    source = np.arange(elements, dtype=np.float32).reshape(shape)
    target = np.empty(shape, dtype=np.float32)
    name = f"arrowshm-bench-py-{os.getpid()}-{label}"
    shm = pyshmem.create(name, shape=shape, dtype=np.float32)
    try:
        shm.write(source)

        def locked_first_element():
            with shm.locked():
                return shm.read(safe=False).item(0)

        operations = [
            ("pyshmem", "write", lambda: shm.write(source), contextlib.nullcontext),
            ("pyshmem", "read", lambda: shm.read(), contextlib.nullcontext),
            ("pyshmem", "readInto", lambda: shm.read(out=target), contextlib.nullcontext),
            ("pyshmem", "readZeroCopy", locked_first_element, contextlib.nullcontext),
            ("pyshmem", "buffer", lambda: shm.read(safe=False), shm.locked),
        ]
        if elements == 97:
            operations.append(("pyshmem", "lock", lambda: (shm.acquire(), shm.release()), contextlib.nullcontext))
        operations.append(("numpy-memcpy", "copyto", lambda: np.copyto(target, source), contextlib.nullcontext))

        out = []
        for impl, op, function, around in operations:
            median, batches, batch = measure(function, args, around)
            out.append({
                "impl": impl,
                "op": op,
                "shape": label,
                "bytes": nbytes,
                "ns_per_op": median,
                "batches": batches,
                "batch_size": batch,
            })
        return out
    finally:
        shm.close()
        pyshmem.unlink(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", default="97,128x128,1000x1000,10000x10000")
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--max-seconds", type=float, default=4.0)
    parser.add_argument("--batches", type=int, default=31)
    parser.add_argument("--batch-ns", type=int, default=2_000_000)
    args = parser.parse_args()

    figures = []
    for label in args.shapes.split(","):
        figures.extend(figures_for(label, args))
    print(json.dumps({
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pyshmem": importlib.metadata.version("pyshmem"),
        "statistic": "median over batches of the per-operation time, ns",
        "figures": figures,
    }), flush=True)


if __name__ == "__main__":
    main()

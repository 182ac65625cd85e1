"""The pyshmem side of the CLI's integration tests: one command per run, answers on stdout.

`make NAME CASE` creates a stream with the real pyshmem 1.4.0, publishes the case's array
and prints one JSON line with what NumPy itself prints for it, which `arrow-shm cat` must
reproduce exactly.
"""
import json
import sys
import time

import numpy as np
import pyshmem


def _cases():
    rng = np.random.default_rng(7)
    return {
        "float32-small": lambda: np.arange(6, dtype=np.float32).reshape(2, 3) / 2,
        "float16": lambda: np.array([0.1, 1.5, -2.0, 65504, 6e-8, 0.0, -0.0, 1 / 3], dtype=np.float16),
        "float16-grid": lambda: np.linspace(-1, 1, 2000).reshape(40, 50).astype(np.float16),
        "bool": lambda: (np.arange(24).reshape(2, 3, 4) % 3 == 0),
        "complex64": lambda: (np.arange(5) + 1j * np.arange(5)[::-1] / 4).astype(np.complex64),
        "complex128-sci": lambda: np.array([1e-9 + 2j, -3.5 - 1e10j, np.nan + 1j, np.inf - 0.5j]),
        "float64-special": lambda: np.array([[np.nan, np.inf, -np.inf], [0.0, -1.25, 1e-5]]),
        "float64-wrap": lambda: rng.standard_normal(30),
        "int32-summary": lambda: np.arange(-500, 1500, dtype=np.int32).reshape(50, 40),
        "uint64": lambda: np.array([0, 1, 2**64 - 1, 12345], dtype=np.uint64),
        "int8": lambda: np.array([[-128, 0, 127], [5, -5, 50]], dtype=np.int8),
        "float32-3d-summary": lambda: (np.arange(8 * 9 * 10, dtype=np.float32) / 7).reshape(8, 9, 10),
        "float32-large": lambda: np.array([1e6, 2.5, 3.25], dtype=np.float32),
    }


def main(argv):
    command, name = argv[0], argv[1]
    if command == "make":  # NAME CASE [FRAME_ID] -> {"expected": str(array), ...}
        array = np.ascontiguousarray(_cases()[argv[2]]())
        frame_id = int(argv[3]) if len(argv) > 3 else 0
        shm = pyshmem.create(name, shape=array.shape, dtype=array.dtype)
        shm.write(array, frame_id=frame_id)
        shm.close()
        print(json.dumps({"expected": str(array), "full": np.array2string(array, threshold=sys.maxsize),
                          "dtype": str(array.dtype), "shape": list(array.shape)}))
    elif command == "create":  # NAME DTYPE NOTIFY DIM...: an empty stream, notify on or off
        shape = tuple(int(d) for d in argv[4:])
        shm = pyshmem.create(name, shape=shape, dtype=np.dtype(argv[2]), notify=argv[3] == "notify")
        shm.close()
        print("created")
    elif command == "write-timed":  # NAME FRAMES INTERVAL_S: frame i carries value i and frame id i
        shm = pyshmem.open(name)
        for i in range(int(argv[2])):
            time.sleep(float(argv[3]))
            shm.write(np.full(shm.shape, i, dtype=shm.dtype), frame_id=i)
        print("done")
        shm.close()
    elif command == "stat":  # NAME -> pyshmem.stat as JSON
        print(json.dumps(pyshmem.stat(name)))
    elif command == "exists":  # NAME -> "yes" or "no"
        print("yes" if name in pyshmem.list_streams() else "no")
    elif command == "flight-get":  # URI TICKET ROWS -> {"rows": N, "frame_ids": [...]} through pyarrow.flight alone
        import pyarrow.flight as flight
        reader = flight.connect(name).do_get(flight.Ticket(argv[2].encode()))
        ids = []
        for chunk in reader:
            ids += chunk.data.column("frame_id").to_pylist()
            if len(ids) >= int(argv[3]):
                break
        reader.cancel()
        print(json.dumps({"rows": len(ids), "frame_ids": ids}), flush=True)
    elif command == "read-ipc":  # FILE -> {"rows": N, "frame_ids": [first, last]} or {"error": message}, with pyarrow alone
        import pyarrow as pa
        try:
            with open(name, "rb") as f:
                magic = f.read(6)
            table = (pa.ipc.open_file(name) if magic == b"ARROW1" else pa.ipc.open_stream(name)).read_all()
            ids = table.column("frame_id").to_pylist()
            print(json.dumps({"rows": table.num_rows, "frame_ids": ids[:1] + ids[-1:]}), flush=True)
        except pa.ArrowException as e:
            print(json.dumps({"error": type(e).__name__ + ": " + str(e).splitlines()[0]}), flush=True)
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])

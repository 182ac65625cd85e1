"""The pyarrow / pyshmem side of the tensors module's tests. One command per run; answers on stdout."""
import hashlib
import json
import sys
import time

import numpy as np
import pyarrow as pa

DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "bool", "complex64", "complex128"]
SHAPES = {1: (5,), 2: (3, 4), 3: (2, 3, 4), 4: (2, 1, 3, 2), 5: (1, 2, 3, 1, 2)}


def sha(array):
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def rows_of(table, dtype):
    """The frames of a recording as NumPy arrays, the way a user reads them (see README)."""
    column = table["tensor"].combine_chunks()
    if dtype == "bool":  # to_numpy_ndarray refuses bool: Arrow packs bits
        shape = column.type.shape
        flat = column.storage.flatten().to_numpy(zero_copy_only=False)
        return flat.reshape((len(column),) + tuple(shape))
    frames = column.to_numpy_ndarray()
    if dtype.startswith("complex"):
        frames = frames.view(np.dtype(dtype))[..., 0]
    return frames


def pattern(dtype, shape, seed):
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    raw = np.array([((i * 31 + seed * 7 + (i >> 8)) & 0xFF) for i in range(size)], dtype=np.uint8)
    if dtype == "bool":
        raw &= 1
    return raw.view(np.dtype(dtype)).reshape(shape)


GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def ring_frame_ok(frame_bytes, position):
    """RingFrames' rule: little-endian u64 word i of position p's frame is p * GOLDEN + i (mod 2^64)."""
    words = len(frame_bytes) // 8
    with np.errstate(over="ignore"):
        want = np.array([position], dtype=np.uint64) * GOLDEN + np.arange(words + 1, dtype=np.uint64)
    if not np.array_equal(np.frombuffer(frame_bytes[:8 * words], dtype="<u8"), want[:words]):
        return False
    tail = want[words:].tobytes()[:len(frame_bytes) - 8 * words]
    return frame_bytes[8 * words:] == tail


def main(argv):
    command = argv[0]
    if command == "judge":  # FILE: one metadata per line, as a JSON string -> OK or ERR <message>, per line
        storage = pa.list_(pa.float32(), 6)
        for line in open(argv[1], encoding="utf-8"):
            text = json.loads(line)
            field = pa.field("t", storage, metadata={b"ARROW:extension:name": b"arrow.fixed_shape_tensor",
                                                     b"ARROW:extension:metadata": text.encode()})
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, pa.schema([field])):
                pass
            try:
                t = pa.ipc.open_stream(sink.getvalue()).schema.field(0).type
                print("OK" if isinstance(t, pa.FixedShapeTensorType) else "ERR not a tensor type: " + str(t))
            except Exception as e:  # noqa: BLE001 - any rejection counts
                print("ERR " + str(e).replace("\n", " "))
            sys.stdout.flush()
    elif command == "check-files":  # FILE: JSON lines {path, dtype, shape, frame_ids, sha, format}
        for line in open(argv[1], encoding="utf-8"):
            case = json.loads(line)
            try:
                if case["format"] == "file":
                    table = pa.ipc.open_file(case["path"]).read_all()
                else:
                    table = pa.ipc.open_stream(case["path"]).read_all()
                frames = rows_of(table, case["dtype"])
                problems = []
                if list(frames.shape[1:]) != case["shape"]:
                    problems.append("shape %s" % (frames.shape,))
                if str(frames.dtype) != case["dtype"]:
                    problems.append("dtype %s" % frames.dtype)
                if [sha(f) for f in frames] != case["sha"]:
                    problems.append("contents differ")
                if table["frame_id"].to_pylist() != case["frame_ids"]:
                    problems.append("frame ids %s" % table["frame_id"].to_pylist())
                meta = table.schema.metadata
                if meta[b"arrow_shm.dtype"].decode() != case["dtype"]:
                    problems.append("metadata %s" % meta)
                if str(table.schema.field("write_time").type) != "timestamp[ns, tz=UTC]":
                    problems.append("write_time type %s" % table.schema.field("write_time").type)
                print(case["path"] + (" ok" if not problems else " FAIL " + "; ".join(problems)))
            except Exception as e:  # noqa: BLE001
                print(case["path"] + " FAIL " + type(e).__name__ + ": " + str(e).replace("\n", " "))
            sys.stdout.flush()
    elif command == "write-files":  # DIR -> one JSON line per file written with pa.fixed_shape_tensor
        directory = argv[1]
        for dtype in DTYPES:
            for rank, shape in SHAPES.items():
                rows = [pattern(dtype, shape, seed) for seed in range(3)]
                stacked = np.stack(rows)
                if dtype == "bool":
                    storage = pa.FixedSizeListArray.from_arrays(pa.array(stacked.reshape(-1)), int(np.prod(shape)))
                    tensor = pa.ExtensionArray.from_storage(pa.fixed_shape_tensor(pa.bool_(), list(shape)), storage)
                    metadata = None
                elif dtype.startswith("complex"):
                    # Arrow has no complex type: float pairs in a trailing dimension, named in the schema.
                    pairs = stacked.view(np.float32 if dtype == "complex64" else np.float64).reshape(
                        stacked.shape + (2,))
                    tensor = pa.FixedShapeTensorArray.from_numpy_ndarray(np.ascontiguousarray(pairs))
                    metadata = {"arrow_shm.dtype": dtype}
                else:
                    tensor = pa.FixedShapeTensorArray.from_numpy_ndarray(stacked)
                    metadata = None
                table = pa.table({"tensor": tensor, "frame_id": pa.array([100 + i for i in range(3)], pa.uint64())},
                                 metadata=metadata)
                path = "%s/py-%s-r%d.arrow" % (directory, dtype, rank)
                with pa.ipc.new_file(path, table.schema) as writer:
                    writer.write_table(table, max_chunksize=2)  # two batches
                print(json.dumps({"path": path, "dtype": dtype, "shape": list(shape),
                                  "sha": [sha(r) for r in rows], "frame_ids": [100, 101, 102]}))
    elif command == "count-rows":  # PATH FORMAT -> rows, read with pyarrow alone
        reader = pa.ipc.open_file(argv[1]) if argv[2] == "file" else pa.ipc.open_stream(argv[1])
        table = reader.read_all()
        frames = table["tensor"].combine_chunks().to_numpy_ndarray()
        assert frames.shape[0] == table.num_rows
        print(table.num_rows)
    elif command == "write-readme":  # PATH: the README's "pyarrow writes" snippet
        frames = np.full((10, 480, 640), 0.5, dtype=np.float32)
        tensor = pa.FixedShapeTensorArray.from_numpy_ndarray(frames, dim_names=["y", "x"])
        table = pa.table({"tensor": tensor, "frame_id": pa.array(range(10), pa.uint64())})
        with pa.ipc.new_file(argv[1], table.schema) as writer:
            writer.write_table(table)
        print("written")
    elif command == "write-permuted":  # PATH -> sha of row 1 as stored; pyarrow adds a permutation
        x = np.arange(2 * 3 * 4, dtype=np.int32).reshape(2, 3, 4)
        f = np.ascontiguousarray(np.transpose(x, (0, 2, 1))).transpose(0, 2, 1)   # logical (3, 4), stored (4, 3)
        tensor = pa.FixedShapeTensorArray.from_numpy_ndarray(f)
        assert tensor.type.permutation == [1, 0], tensor.type
        table = pa.table({"tensor": tensor})
        with pa.ipc.new_file(argv[1], table.schema) as writer:
            writer.write_table(table)
        print(sha(x[1].T))
    elif command == "write-plain":  # PATH: a table with no tensor column
        pa.ipc.new_file(argv[1], pa.schema([("x", pa.int32())])).close()
        print("written")
    elif command == "pyshmem-read":  # NAME -> JSON {dtype, shape, frame_id, count, sha}
        import pyshmem
        shm = pyshmem.open(argv[1])
        publication = shm.read_publication()
        print(json.dumps({"dtype": str(shm.dtype), "shape": list(shm.shape), "frame_id": publication.frame_id,
                          "count": publication.count, "sha": sha(publication.payload)}))
        shm.close()
    elif command == "pyshmem-write":  # NAME FRAMES HZ: frame i is full of i, frame id 1000 + i
        import pyshmem
        shm = pyshmem.open(argv[1])
        print("ready")
        sys.stdout.flush()
        period = 1.0 / float(argv[3])
        start = time.perf_counter()
        for i in range(int(argv[2])):
            while time.perf_counter() < start + i * period:
                time.sleep(0.0005)
            shm.write(np.full(shm.shape, i % 251, dtype=shm.dtype), frame_id=1000 + i)
        shm.close()
        print("done")
    elif command == "check-ring-recording":  # PATH -> JSON facts of a ring's recording, read with pyarrow alone
        source = pa.memory_map(argv[1])
        try:
            reader = pa.ipc.open_file(source)
            batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
        except pa.ArrowInvalid:
            reader = pa.ipc.open_stream(source)
            batches = iter(reader)
        positions, frame_ids, missed, bad, rows = [], [], 0, 0, 0
        for batch in batches:
            values = batch.column("tensor").storage.values
            size = len(values) // max(1, batch.num_rows) * values.type.bit_width // 8
            raw = values.buffers()[1]
            offset = values.offset * values.type.bit_width // 8
            for i in range(batch.num_rows):
                p = batch.column("position")[i].as_py()
                positions.append(p)
                frame_ids.append(batch.column("frame_id")[i].as_py())
                missed += batch.column("missed")[i].as_py()
                if batch.column("count")[i].as_py() != p + 1:
                    bad += 1
                elif not ring_frame_ok(raw[offset + i * size:offset + (i + 1) * size].to_pybytes(), p):
                    bad += 1
                rows += 1
        meta = {k.decode(): v.decode() for k, v in (reader.schema.metadata or {}).items()}
        print(json.dumps({"rows": rows, "first": positions[0] if positions else None,
                          "last": positions[-1] if positions else None,
                          "in_order": all(b == a + 1 for a, b in zip(positions, positions[1:])),
                          "ids_are_positions": frame_ids == positions, "bad": bad, "missed": missed,
                          "positions": positions if rows <= 2000 else None,
                          "columns": reader.schema.names, "position_type": str(reader.schema.field("position").type),
                          "capacity": meta.get("arrow_shm.ring.capacity"), "overflow": meta.get("arrow_shm.ring.overflow")}))
        sys.stdout.flush()
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv[1:])

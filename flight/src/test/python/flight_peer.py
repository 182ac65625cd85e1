"""The pyarrow.flight / pyshmem side of the flight module's tests. One command per run; answers on stdout.

Clients use nothing of arrow-shm's: pyarrow.flight alone, as the README shows. The environment may
carry FLIGHT_TOKEN (sent as 'authorization: Bearer ...') and FLIGHT_TLS_ROOT (a PEM file to trust).
"""
import hashlib
import json
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.flight as flight


def say(*parts):
    print(*parts, flush=True)


def sha(array):
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def pattern_bytes(size, seed, dtype="float32"):
    raw = np.array([((i * 31 + seed * 7 + (i >> 8)) & 0xFF) for i in range(size)], dtype=np.uint8)
    if dtype == "bool":
        raw &= 1
    return raw


def pattern(dtype, shape, seed):
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    return pattern_bytes(size, seed, dtype).view(np.dtype(dtype)).reshape(shape)


def connect(uri):
    kwargs = {}
    root = os.environ.get("FLIGHT_TLS_ROOT")
    if root:
        kwargs["tls_root_certs"] = open(root, "rb").read()
    return flight.connect(uri, **kwargs)


def options():
    token = os.environ.get("FLIGHT_TOKEN")
    headers = [(b"authorization", b"Bearer " + token.encode())] if token else []
    return flight.FlightCallOptions(headers=headers, timeout=60)


def row_facts(batch, i):
    tensor = batch.column("tensor")
    frame = tensor[i:i + 1].to_numpy_ndarray()[0]
    return {"count": batch.column("count")[i].as_py(), "frame_id": batch.column("frame_id")[i].as_py(),
            "missed": batch.column("missed")[i].as_py(), "sha": sha(frame), "shape": list(frame.shape),
            "dtype": str(frame.dtype), "tensor_type": type(tensor).__name__}


def main(argv):
    command = argv[0]
    if command == "pyshmem-create":  # NAME DTYPE SEED DIM... : creates and writes pattern SEED (frame id SEED)
        import pyshmem
        shape = tuple(int(d) for d in argv[4:])
        shm = pyshmem.create(argv[1], shape=shape, dtype=argv[2])
        shm.write(pattern(argv[2], shape, int(argv[3])), frame_id=int(argv[3]))
        shm.close()
        say("created")
    elif command == "pyshmem-write":  # NAME FRAMES HZ: frame i is pattern seed i, frame id i
        import pyshmem
        shm = pyshmem.open(argv[1])
        say("ready")
        period = 1.0 / float(argv[3])
        frames = [pattern(str(shm.dtype), shm.shape, i % 7) for i in range(7)]
        start = time.perf_counter()
        for i in range(int(argv[2])):
            while time.perf_counter() < start + i * period:
                time.sleep(0.0005)
            shm.write(frames[i % 7], frame_id=i)
        shm.close()
        say("done")
    elif command == "pyshmem-read":  # NAME -> JSON {dtype, shape, frame_id, count, sha}
        import pyshmem
        shm = pyshmem.open(argv[1])
        p = shm.read_publication()
        say(json.dumps({"dtype": str(shm.dtype), "shape": list(shm.shape), "frame_id": p.frame_id,
                        "count": p.count, "sha": sha(p.payload)}))
        shm.close()
    elif command == "pyshmem-follow":  # NAME FRAMES TIMEOUT: reads new publications, one JSON line each
        import pyshmem
        shm = pyshmem.open(argv[1])
        say("ready")
        for _ in range(int(argv[2])):
            p = shm.read_new_publication(timeout=float(argv[3]))
            say(json.dumps({"frame_id": p.frame_id, "sha": sha(p.payload)}))
        shm.close()
    elif command == "list":  # URI -> one JSON line per flight: path, dtype/shape metadata, tensor type
        client = connect(argv[1])
        for info in client.list_flights(options=options()):
            meta = {k.decode(): v.decode() for k, v in (info.schema.metadata or {}).items()}
            tensor = info.schema.field("tensor").type
            say(json.dumps({"path": [p.decode() for p in info.descriptor.path], "dtype": meta["arrow_shm.dtype"],
                            "shape": json.loads(meta["arrow_shm.shape"]), "tensor_shape": list(tensor.shape),
                            "tensor_type": type(tensor).__name__,
                            "ticket": info.endpoints[0].ticket.ticket.decode()}))
        say("end")
    elif command == "info":  # URI NAME -> the schema's names
        client = connect(argv[1])
        info = client.get_flight_info(flight.FlightDescriptor.for_path(argv[2]), options=options())
        say(",".join(info.schema.names))
    elif command == "get":  # URI TICKET ROWS -> one JSON line per row
        client = connect(argv[1])
        reader = client.do_get(flight.Ticket(argv[2].encode()), options=options())
        rows = 0
        for chunk in reader:
            for i in range(chunk.data.num_rows):
                say(json.dumps(row_facts(chunk.data, i)))
                rows += 1
            if rows >= int(argv[3]):
                break
        reader.cancel()
        say("end")
    elif command == "get-all":  # URI TICKET -> rows until the server ends the stream
        client = connect(argv[1])
        table = client.do_get(flight.Ticket(argv[2].encode()), options=options()).read_all()
        for i in range(table.num_rows):
            say(json.dumps(row_facts(table.combine_chunks().to_batches()[0], i)))
        say("end")
    elif command == "get-until-end":  # URI TICKET -> "row N" per row, then "end N" or "error TYPE message"
        client = connect(argv[1])
        rows = 0
        try:
            reader = client.do_get(flight.Ticket(argv[2].encode()), options=options())
            for chunk in reader:
                rows += chunk.data.num_rows
                say("row " + str(rows))
            say("end " + str(rows))
        except pa.ArrowException as e:
            say("error " + type(e).__name__ + " " + str(e).splitlines()[0])
    elif command == "slow-get":  # URI NAME ROWS PAUSE: reads a row, sleeps PAUSE s, ... -> JSON summary
        client = connect(argv[1])
        reader = client.do_get(flight.Ticket(argv[2].encode()), options=options())
        say("reading")
        facts = []
        for chunk in reader:
            facts.append(row_facts(chunk.data, 0))
            if len(facts) >= int(argv[3]):
                break
            time.sleep(float(argv[4]))
        reader.cancel()
        say(json.dumps({"rows": len(facts), "missed": sum(f["missed"] for f in facts),
                        "counts": [f["count"] for f in facts]}))
    elif command == "put":  # URI NAME DTYPE ROWS DIM...: rows of pattern seed i, frame id 100 + i
        client = connect(argv[1])
        dtype, rows, shape = argv[3], int(argv[4]), tuple(int(d) for d in argv[5:])
        frames = np.stack([pattern(dtype, shape, i) for i in range(rows)])
        tensor = pa.FixedShapeTensorArray.from_numpy_ndarray(frames)
        table = pa.table({"tensor": tensor, "frame_id": pa.array([100 + i for i in range(rows)], pa.uint64())})
        try:
            writer, _ = client.do_put(flight.FlightDescriptor.for_path(argv[2]), table.schema, options=options())
            writer.write_table(table)
            writer.close()
            say("put " + " ".join(sha(f) for f in frames))
        except pa.ArrowException as e:  # pyarrow raises ArrowInvalid for INVALID_ARGUMENT, FlightError for others
            say("error " + type(e).__name__ + " " + str(e).splitlines()[0])
    elif command == "put-null-values":  # URI NAME: 3 float32 (4, 4) rows, the last with one null value
        client = connect(argv[1])
        values = pattern("float32", (3, 16), 1).ravel().tolist()
        values[2 * 16 + 5] = None
        storage = pa.FixedSizeListArray.from_arrays(pa.array(values, pa.float32()), 16)
        tensor = pa.ExtensionArray.from_storage(pa.fixed_shape_tensor(pa.float32(), [4, 4]), storage)
        table = pa.table({"tensor": tensor})
        try:
            writer, _ = client.do_put(flight.FlightDescriptor.for_path(argv[2]), table.schema, options=options())
            writer.write_table(table)
            writer.close()
            say("put")
        except pa.ArrowException as e:
            say("error " + type(e).__name__ + " " + str(e).splitlines()[0])
    elif command == "put-plain":  # URI NAME: a batch with no tensor column (an int32 column "tensor")
        client = connect(argv[1])
        batch = pa.RecordBatch.from_arrays([pa.array([1, 2, 3], pa.int32())], names=["tensor"])
        try:
            writer, _ = client.do_put(flight.FlightDescriptor.for_path(argv[2]), batch.schema, options=options())
            writer.write_batch(batch)
            writer.close()
            say("put")
        except pa.ArrowException as e:
            say("error " + type(e).__name__ + " " + str(e).splitlines()[0])
    elif command == "action":  # URI TYPE BODY -> the result's JSON
        client = connect(argv[1])
        for result in client.do_action(flight.Action(argv[2], argv[3].encode()), options=options()):
            say(result.body.to_pybytes().decode())
    elif command == "try-list":  # URI -> "ok N" or "error TYPE message"
        try:
            n = len(list(connect(argv[1]).list_flights(options=options())))
            say("ok " + str(n))
        except pa.ArrowException as e:
            say("error " + type(e).__name__ + " " + str(e).splitlines()[0])
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv[1:])

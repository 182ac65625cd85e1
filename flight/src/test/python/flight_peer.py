"""The pyarrow.flight / pyshmem side of the flight module's tests. One command per run; answers on stdout.

Clients use nothing of arrow-shm's: pyarrow.flight alone, as the README shows. The environment may
carry FLIGHT_TOKEN (sent as 'authorization: Bearer ...') and FLIGHT_TLS_ROOT (a PEM file to trust).
"""
import hashlib
import io
import json
import os
import struct
import sys
import threading
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


def _table_field(buf, table, field):
    """The absolute position of a flatbuffer table's field, or None when it is absent."""
    vtable = table - struct.unpack_from("<i", buf, table)[0]
    entry = 4 + 2 * field
    if entry >= struct.unpack_from("<H", buf, vtable)[0]:
        return None
    offset = struct.unpack_from("<H", buf, vtable + entry)[0]
    return table + offset if offset else None


def _deref(buf, at):
    return at + struct.unpack_from("<I", buf, at)[0]


def row_bomb(declared_rows, dtype="float32", shape=(4, 4)):
    """A record batch of 4 real rows whose IPC header says declared_rows: made byte by byte.

    An honest batch is written by pyarrow, then its Message flatbuffer is patched (RecordBatch.length
    and the tensor column's FieldNode.length), and read back: pyarrow reads IPC without validating, and
    writes such a batch out again as it is, a 600-byte lie on the wire.
    """
    frames = np.stack([pattern(dtype, shape, i) for i in range(4)])
    table = pa.table({"tensor": pa.FixedShapeTensorArray.from_numpy_ndarray(frames)})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    reader = pa.ipc.MessageReader.open_stream(sink.getvalue())
    schema_message = reader.read_next_message()
    batch_message = reader.read_next_message()
    meta = bytearray(batch_message.metadata.to_pybytes())
    header = _deref(meta, _table_field(meta, _deref(meta, 0), 2))   # Message.header: the RecordBatch
    struct.pack_into("<q", meta, _table_field(meta, header, 0), declared_rows)   # RecordBatch.length
    nodes = _deref(meta, _table_field(meta, header, 1))              # RecordBatch.nodes: [FieldNode]
    struct.pack_into("<q", meta, nodes + 4, declared_rows)          # the tensor column's node; its values' stays 64
    out = io.BytesIO()
    out.write(schema_message.serialize().to_pybytes())
    padding = (-len(meta)) % 8
    out.write(struct.pack("<Ii", 0xFFFFFFFF, len(meta) + padding) + bytes(meta) + b"\0" * padding)
    out.write(batch_message.body.to_pybytes())
    out.write(struct.pack("<Ii", 0xFFFFFFFF, 0))
    crafted = pa.ipc.open_stream(pa.py_buffer(out.getvalue()))
    return crafted.schema, crafted.read_next_batch(), table.to_batches()[0]


class HostileServer(flight.FlightServerBase):
    """A Flight server that lies: MODE row-bomb sends one honest row, then a batch claiming 2^22
    rows; huge-schema declares frames of float32 [16384, 16384] (1 GiB) and never sends a row."""

    def __init__(self, location, mode):
        super().__init__(location)
        self.mode = mode
        if mode == "huge-schema":
            self.schema = pa.schema([pa.field("tensor", pa.fixed_shape_tensor(pa.float32(), [16384, 16384]))])
        else:
            self.schema, self.bomb, honest = row_bomb(1 << 22)
            self.honest = honest.slice(0, 1)

    def get_flight_info(self, context, descriptor):
        endpoint = flight.FlightEndpoint(descriptor.path[0], [])
        return flight.FlightInfo(self.schema, descriptor, [endpoint], -1, -1)

    def do_get(self, context, ticket):
        if self.mode == "huge-schema":
            def nothing():
                time.sleep(60)
                yield from ()
            return flight.GeneratorStream(self.schema, nothing())

        def lies():
            yield self.honest
            while True:
                yield self.bomb
                time.sleep(0.2)
        return flight.GeneratorStream(self.schema, lies())



def writer_shas(size, seeds=4):
    """The sha256 of each frame FlightPeer's write-paced writes (frame id i carries pattern seed i % 4)."""
    i = np.arange(size, dtype=np.int64)
    return [hashlib.sha256(((i * 31 + seed * 7 + (i >> 8)) & 0xFF).astype(np.uint8).tobytes()).hexdigest()
            for seed in range(seeds)]


class RowCheck:
    """Checks each row against what the writer wrote under its frame id, and counts and missed
    against the previous row: a torn, stale-buffer or reordered row shows up in these totals."""

    def __init__(self, size):
        self.shas = writer_shas(size)
        self.rows = 0
        self.bad_content = 0
        self.bad_order = 0
        self.missed = 0
        self.previous = None

    def add(self, batch):
        for i in range(batch.num_rows):
            facts = row_facts(batch, i)
            self.rows += 1
            if facts["sha"] != self.shas[facts["frame_id"] % len(self.shas)]:
                self.bad_content += 1
            if self.previous is not None:
                gap = facts["count"] - self.previous - 1
                if gap < 0 or facts["missed"] != gap:
                    self.bad_order += 1
                self.missed += max(gap, 0)
            self.previous = facts["count"]

    def summary(self, **extra):
        return json.dumps(dict(rows=self.rows, bad_content=self.bad_content, bad_order=self.bad_order,
                               missed=self.missed, **extra))


def wait_for_file(path):
    while not os.path.exists(path):
        time.sleep(0.01)


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
    elif command == "check-get":  # URI TICKET BYTES ROWS GO_FILE: a row, "reading", waits for GO_FILE, ROWS more -> JSON
        client = connect(argv[1])
        check = RowCheck(int(argv[3]))
        reader = client.do_get(flight.Ticket(argv[2].encode()), options=options())
        check.add(reader.read_chunk().data)
        say("reading")
        wait_for_file(argv[5])
        start = time.perf_counter()
        while check.rows < 1 + int(argv[4]):
            check.add(reader.read_chunk().data)
        seconds = time.perf_counter() - start
        reader.cancel()
        say(check.summary(seconds=seconds))
    elif command == "stall-get":  # URI TICKET BYTES ROWS STOP_FILE: a row, "stalled", reads nothing until STOP_FILE, ROWS more -> JSON
        client = connect(argv[1])
        check = RowCheck(int(argv[3]))
        reader = client.do_get(flight.Ticket(argv[2].encode()), options=options())
        check.add(reader.read_chunk().data)
        say("stalled")
        wait_for_file(argv[5])
        while check.rows < 1 + int(argv[4]):
            check.add(reader.read_chunk().data)
        reader.cancel()
        say(check.summary())
    elif command == "cancel-gets":  # URI TICKET BYTES CALLS THREADS: calls cancelled after 0..3 rows -> JSON
        uri, ticket, size, calls, threads = argv[1], argv[2].encode(), int(argv[3]), int(argv[4]), int(argv[5])
        check = RowCheck(size)
        lock = threading.Lock()
        errors = []
        todo = list(range(calls))

        def work():
            client = connect(uri)
            while True:
                with lock:
                    if not todo:
                        break
                    k = todo.pop()
                try:
                    reader = client.do_get(flight.Ticket(ticket), options=options())
                    batches = [reader.read_chunk().data for _ in range(k % 4)]
                    if k % 5 == 4:
                        del reader  # dropped without a cancel: the call ends when the client lets it go
                    else:
                        reader.cancel()
                    with lock:
                        check.previous = None  # a new call: its counts start afresh
                        for b in batches:
                            check.add(b)
                except pa.ArrowException as e:
                    with lock:
                        errors.append(type(e).__name__ + " " + str(e).splitlines()[0])
            client.close()

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        say(check.summary(calls=calls, errors=errors))
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
    elif command == "put-row-bomb":  # URI NAME ROWS: 4 real float32 (4, 4) rows under a header claiming ROWS
        client = connect(argv[1])
        schema, bomb, _ = row_bomb(int(argv[3]))
        try:
            writer, _ = client.do_put(flight.FlightDescriptor.for_path(argv[2]), schema, options=options())
            writer.write_batch(bomb)
            writer.close()
            say("put")
        except pa.ArrowException as e:
            say("error " + type(e).__name__ + " " + str(e).splitlines()[0])
    elif command == "put-schema-only":  # URI NAME DTYPE DIM...: a DoPut that sends the schema and no row
        client = connect(argv[1])
        tensor_type = pa.fixed_shape_tensor(pa.from_numpy_dtype(np.dtype(argv[3])), [int(d) for d in argv[4:]])
        schema = pa.schema([pa.field("tensor", tensor_type)])
        try:
            writer, _ = client.do_put(flight.FlightDescriptor.for_path(argv[2]), schema, options=options())
            writer.close()
            say("put")
        except pa.ArrowException as e:
            say("error " + type(e).__name__ + " " + str(e).splitlines()[0])
    elif command == "hostile-server":  # PORT MODE: serves lies (see HostileServer) until killed
        server = HostileServer("grpc://127.0.0.1:" + argv[1], argv[2])
        say("serving " + str(server.port))
        server.serve()
    elif command == "stall-clients":  # URI NAME N: N clients each read one row and stall -> a line each, "held"
        client_options = options()
        outcomes = [None] * int(argv[3])
        readers = []

        def one(i):
            try:
                reader = connect(argv[1]).do_get(flight.Ticket(argv[2].encode()), options=client_options)
                reader.read_chunk()
                readers.append(reader)   # kept, never read again: the call stalls
                outcomes[i] = "ok"
            except pa.ArrowException as e:
                outcomes[i] = "error " + type(e).__name__ + " " + str(e).splitlines()[0]
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(outcomes))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for outcome in outcomes:
            say(outcome)
        say("held")
        sys.stdin.read()   # until the test closes our stdin or kills us
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv[1:])

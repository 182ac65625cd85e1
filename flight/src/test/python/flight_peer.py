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


GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def ring_frame_ok(frame_bytes, position):
    """RingFrames' rule: little-endian u64 word i of position p's frame is p * GOLDEN + i (mod 2^64)."""
    words = len(frame_bytes) // 8
    with np.errstate(over="ignore"):
        want = np.array([position], dtype=np.uint64) * GOLDEN + np.arange(words + 1, dtype=np.uint64)
    if not np.array_equal(np.frombuffer(frame_bytes[:8 * words], dtype="<u8"), want[:words]):
        return False
    return frame_bytes[8 * words:] == want[words:].tobytes()[:len(frame_bytes) - 8 * words]


def ring_frames(size, first, count):
    """count frames of size bytes (a multiple of 8) in RingFrames' pattern, positions first.., as a (count, size) uint8 array."""
    words = size // 8
    with np.errstate(over="ignore"):
        grid = (np.arange(first, first + count, dtype=np.uint64)[:, None] * GOLDEN
                + np.arange(words, dtype=np.uint64)[None, :])
    return grid.astype("<u8").view(np.uint8).reshape(count, size)


class RingTally:
    """What a ring client received: positions in order, gaps, lost as the rows say, content checked."""

    def __init__(self, start):
        self.expected = start
        self.rows = 0
        self.first = None
        self.last = None
        self.gaps = 0
        self.backwards = 0
        self.lost = 0
        self.lost_mismatch = 0
        self.bad = 0
        self.bad_ids = 0

    def add(self, batch):
        values = batch.column("tensor").storage.values
        size = len(values) // max(1, batch.num_rows) * values.type.bit_width // 8
        raw = values.buffers()[1]
        offset = values.offset * values.type.bit_width // 8
        for i in range(batch.num_rows):
            p = batch.column("position")[i].as_py()
            lost = batch.column("lost")[i].as_py()
            if self.first is None:
                self.first = p
            if self.expected is not None:
                if p < self.expected:
                    self.backwards += 1
                else:
                    self.gaps += p - self.expected
                    if lost != p - self.expected:
                        self.lost_mismatch += 1
            self.expected = p + 1
            self.last = p
            self.lost += lost
            self.rows += 1
            if batch.column("frame_id")[i].as_py() != p:
                self.bad_ids += 1
            if not ring_frame_ok(raw[offset + i * size:offset + (i + 1) * size].to_pybytes(), p):
                self.bad += 1

    def facts(self):
        return {"rows": self.rows, "first": self.first, "last": self.last, "gaps": self.gaps,
                "backwards": self.backwards, "lost": self.lost, "lost_mismatch": self.lost_mismatch,
                "bad": self.bad, "bad_ids": self.bad_ids}
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
    elif command == "check-get":  # URI TICKET BYTES ROWS GO_FILE: a row, "reading", reads nothing until GO_FILE, ROWS more -> JSON
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
    elif command == "ring-get":  # URI TICKET [rows=N] [pause=S] [start=P] [pause_at=N [pause_for=S]] [until=P] [die_after=N]
        # Reads a ring's rows, checking each (RingTally), printing "got P" (the last position) per batch and
        # at the end a JSON tally. It stops after rows=N rows or at position until=P; sleeps pause=S after
        # each batch, and pause_for=S (2) once pause_at=N rows arrived (saying "paused N" first); start=P is the position
        # the first row should have; die_after=N: after N rows it says "dying P" and SIGKILLs itself.
        client = connect(argv[1])
        opts = dict(a.split("=", 1) for a in argv[3:])
        rows_wanted = int(opts.get("rows", "1000000000"))
        until = int(opts.get("until", "-1"))
        pause = float(opts.get("pause", "0"))
        pause_at = int(opts.get("pause_at", "-1"))
        die_after = int(opts.get("die_after", "-1"))
        pause_for = float(opts.get("pause_for", "2"))
        tally = RingTally(int(opts["start"]) if "start" in opts else None)
        began = time.perf_counter()
        try:
            reader = client.do_get(flight.Ticket(argv[2].encode()), options=options())
            say("reading")
            paused = False
            for chunk in reader:
                tally.add(chunk.data)
                say("got " + str(tally.last))
                if 0 <= die_after <= tally.rows:
                    say("dying " + str(tally.last))
                    os.kill(os.getpid(), 9)
                if not paused and 0 <= pause_at <= tally.rows:
                    paused = True
                    say("paused " + str(tally.rows))
                    time.sleep(pause_for)
                if tally.rows >= rows_wanted or 0 <= until <= tally.last:
                    break
                if pause > 0:
                    time.sleep(pause)
            reader.cancel()
            facts = tally.facts()
        except pa.ArrowException as e:
            facts = tally.facts()
            facts["error"] = type(e).__name__ + " " + str(e).splitlines()[0]
        facts["seconds"] = time.perf_counter() - began
        say(json.dumps(facts))
    elif command == "ring-put":  # URI NAME ROWS BATCH [BAD]: rows of uint8 frames in RingFrames' pattern, frame id = row
        # BAD: "null-value" (the second batch has one null value), "null-row" (the second batch has a null row),
        # "shape" (rows of another shape). Prints "put ROWS" or "error TYPE message".
        client = connect(argv[1])
        rows, batch_rows = int(argv[3]), int(argv[4])
        bad = argv[5] if len(argv) > 5 else None
        size = int(argv[6]) if len(argv) > 6 else 16384
        if bad == "shape":
            size //= 2
        tensor_type = pa.fixed_shape_tensor(pa.uint8(), [size])
        schema = pa.schema([("tensor", tensor_type), ("frame_id", pa.uint64())])
        try:
            writer, _ = client.do_put(flight.FlightDescriptor.for_path(argv[2]), schema, options=options())
            for start in range(0, rows, batch_rows):
                n = min(batch_rows, rows - start)
                frames = ring_frames(size, start, n)
                values = pa.array(frames.ravel(), pa.uint8())
                if bad == "null-value" and start > 0:
                    values = pa.array([None if j == 5 else v for j, v in enumerate(frames.ravel().tolist())], pa.uint8())
                mask = None
                if bad == "null-row" and start > 0:
                    mask = pa.array([j == 1 for j in range(n)])
                storage = pa.FixedSizeListArray.from_arrays(values, size, mask=mask)
                tensor = pa.ExtensionArray.from_storage(tensor_type, storage)
                writer.write_batch(pa.record_batch([tensor, pa.array(range(start, start + n), pa.uint64())],
                                                   schema=schema))
            writer.close()
            say("put " + str(rows))
        except pa.ArrowException as e:
            say("error " + type(e).__name__ + " " + str(e).splitlines()[0])
    elif command == "ring-read-ids":  # RING CURSOR COUNT IDLE_S: arrow_shm reads COUNT frames, checked by frame id
        # -> "ready P", then "read N last L gaps G backwards B torn T lost L abandoned A" (the local positions may
        # skip one a killed mirror abandoned, so each frame is checked against its frame id, the remote position).
        import arrow_shm
        ring = arrow_shm.Ring.open(argv[1])
        with ring.reader(argv[2]) as reader:
            say("ready " + str(reader.position))
            rows = gaps = backwards = torn = 0
            expected, last = 0, -1
            while rows < int(argv[3]):
                try:
                    frame = reader.take(timeout=float(argv[4]))
                except arrow_shm.StreamTimeoutError:
                    break
                fid = frame.frame_id
                if fid < expected:
                    backwards += 1
                else:
                    gaps += fid - expected
                expected, last = fid + 1, fid
                if not ring_frame_ok(frame.array.tobytes(), fid):
                    torn += 1
                rows += 1
            say("read %d last %d gaps %d backwards %d torn %d lost %d abandoned %d"
                % (rows, last, gaps, backwards, torn, reader.lost, reader.abandoned))
        ring.close()
    elif command == "ring-info":  # URI NAME -> JSON: schema names and metadata, ordered, records, app metadata
        info = connect(argv[1]).get_flight_info(flight.FlightDescriptor.for_path(argv[2]), options=options())
        meta = {k.decode(): v.decode() for k, v in (info.schema.metadata or {}).items()}
        say(json.dumps({"names": info.schema.names, "metadata": meta, "ordered": info.ordered,
                        "records": info.total_records, "types": [str(f.type) for f in info.schema],
                        "app": json.loads(info.app_metadata.decode()) if info.app_metadata else None}))
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

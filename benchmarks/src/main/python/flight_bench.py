"""Flight throughput as a pyarrow client sees it, and the pyarrow (C++) Flight server it is compared with.

  flight_bench.py get URI TICKET SECONDS   -> "frames_per_s MB_per_s" (rows received while reading SECONDS)
  flight_bench.py get-window URI TICKET START SECONDS -> "frames_per_s MB_per_s" of the rows received from the
                                           wall-clock time START (epoch seconds) for SECONDS; "connected" first
  flight_bench.py serve BYTES              -> "serving PORT"; serves until stdin closes

The pyarrow server sends one-row batches in the same recording schema as arrow-shm's server (a
uint8 fixed_shape_tensor of BYTES, count, frame_id, write_time, missed), the same bytes per row, as
fast as the client takes them. Only pyarrow is used: nothing of arrow-shm's.
"""
import sys
import threading
import time

import numpy as np
import pyarrow as pa
import pyarrow.flight as flight


def measure(uri, ticket, seconds):
    client = flight.connect(uri)
    reader = client.do_get(flight.Ticket(ticket))
    frames = 0
    nbytes = 0
    start = None
    for chunk in reader:
        if start is None:  # the first row includes connecting: start the clock after it
            start = time.perf_counter()
            continue
        frames += chunk.data.num_rows
        nbytes += chunk.data.column("tensor").storage.values.nbytes
        if time.perf_counter() - start >= seconds:
            break
    elapsed = time.perf_counter() - start
    reader.cancel()
    return frames / elapsed, nbytes / elapsed / 1e6


def measure_window(uri, ticket, start, seconds):
    """Rows received in [start, start + seconds) of the wall clock, so that clients in other processes
    measure the same interval and their rates add up."""
    client = flight.connect(uri)
    reader = client.do_get(flight.Ticket(ticket))
    reader.read_chunk()
    print("connected", flush=True)
    end = start + seconds
    frames = 0
    nbytes = 0
    for chunk in reader:
        now = time.time()
        if now >= end:
            break
        if now >= start:
            frames += chunk.data.num_rows
            nbytes += chunk.data.column("tensor").storage.values.nbytes
    reader.cancel()
    return frames / seconds, nbytes / seconds / 1e6


class Repeater(flight.FlightServerBase):
    """Sends one-row batches (a new count each) until the client cancels."""

    def __init__(self, size):
        super().__init__("grpc://127.0.0.1:0")
        frame = np.full((1, size), 3, dtype=np.uint8)
        self.tensor = pa.FixedShapeTensorArray.from_numpy_ndarray(frame)
        self.schema = pa.schema([("tensor", self.tensor.type), ("count", pa.uint64()), ("frame_id", pa.uint64()),
                                 ("write_time", pa.timestamp("ns", tz="UTC")), ("missed", pa.uint64())])

    def do_get(self, context, ticket):
        def batches():
            count = 0
            while not context.is_cancelled():
                count += 1
                yield pa.RecordBatch.from_arrays(
                    [self.tensor, pa.array([count], pa.uint64()), pa.array([count], pa.uint64()),
                     pa.array([time.time_ns()], pa.timestamp("ns", tz="UTC")), pa.array([0], pa.uint64())],
                    schema=self.schema)
        return flight.GeneratorStream(self.schema, batches())


def main(argv):
    if argv[0] == "get":
        fps, mbps = measure(argv[1], argv[2].encode(), float(argv[3]))
        print("%.1f %.1f" % (fps, mbps), flush=True)
    elif argv[0] == "get-window":
        fps, mbps = measure_window(argv[1], argv[2].encode(), float(argv[3]), float(argv[4]))
        print("%.1f %.1f" % (fps, mbps), flush=True)
    elif argv[0] == "serve":
        server = Repeater(int(argv[1]))
        threading.Thread(target=server.serve, daemon=True).start()
        print("serving %d" % server.port, flush=True)
        sys.stdin.read()
        server.shutdown()
    else:
        raise SystemExit("unknown command " + argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])

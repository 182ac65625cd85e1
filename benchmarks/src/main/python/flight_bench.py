"""Flight throughput as a pyarrow client sees it: from arrow-shm's server, and from a pyarrow (C++)
Flight server sending the same bytes (one-row batches of the same fixed_shape_tensor), side by side.

  flight_bench.py ours URI NAME SECONDS       -> "frames_per_s MB_per_s"
  flight_bench.py pyarrow BYTES SECONDS       -> "frames_per_s MB_per_s"
"""
import sys
import threading
import time

import numpy as np
import pyarrow as pa
import pyarrow.flight as flight


def measure(client, ticket, seconds):
    reader = client.do_get(flight.Ticket(ticket))
    frames = 0
    nbytes = 0
    start = None
    for chunk in reader:
        if start is None:  # the first row includes connecting: start the clock after it
            start = time.perf_counter()
            continue
        frames += chunk.data.num_rows
        nbytes += chunk.data["tensor"].storage.values.nbytes
        if time.perf_counter() - start >= seconds:
            break
    elapsed = time.perf_counter() - start
    reader.cancel()
    return frames / elapsed, nbytes / elapsed / 1e6


class Repeater(flight.FlightServerBase):
    """Sends one-row batches of the same tensor until the client cancels."""

    def __init__(self, size):
        super().__init__("grpc://127.0.0.1:0")
        frame = np.random.randint(0, 255, size=(1, size), dtype=np.uint8)
        tensor = pa.FixedShapeTensorArray.from_numpy_ndarray(frame)
        self.batch = pa.RecordBatch.from_arrays([tensor], names=["tensor"])

    def do_get(self, context, ticket):
        def batches():
            while not context.is_cancelled():
                yield self.batch
        return flight.GeneratorStream(self.batch.schema, batches())


def main(argv):
    if argv[0] == "ours":
        fps, mbps = measure(flight.connect(argv[1]), argv[2].encode(), float(argv[3]))
    else:
        server = Repeater(int(argv[1]))
        threading.Thread(target=server.serve, daemon=True).start()
        fps, mbps = measure(flight.connect("grpc://127.0.0.1:%d" % server.port), b"x", float(argv[2]))
        server.shutdown()
    print("%.1f %.1f" % (fps, mbps), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

"""arrow_shm's Python rings next to pyshmem, multiprocessing.Queue, faster-fifo and iceoryx2, in one run.

    python bench_python_rings.py [--quick] [--out DIR]

Every figure is measured in this run, side by side (benchmarks/python-rings.sh makes the venv):

* write cost, one process: ``Ring`` writer ``write`` (OVERWRITE ring, no reader) and pyshmem 1.4.0's
  ``write`` of the same frame, 97 float32 and 480x640 float32 (1.2 MB); median per write over
  timed batches;
* lossless throughput of 1.2 MB frames, a producer process to a consumer process (frames/s, the
  median of interleaved rounds): a BLOCK ring (the consumer copying with ``take`` or reading the
  slot in place with ``lease``), iceoryx2 publish-subscribe (loaned samples, filled in place,
  received without a copy; safe overflow off and RetryUntilDelivered, so lossless),
  ``multiprocessing.Queue`` and ``faster_fifo.Queue`` (both pickle the array); every consumer
  checks each frame's sequence number, so a loss or reorder fails the run;
* 64 KiB request/ack ping-pong between two processes, every round trip timed (p50, p99): two BLOCK
  rings (lease to read, write to answer) and two iceoryx2 services (busy-polling receive).

Nothing is asserted: the machine is shared and noisy; quote medians and ratios of one run.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import math
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import uuid

import numpy as np

BIG = (480, 640)       # 1.2 MB float32
SMALL = (97,)
PING = (128, 128)      # 64 KiB float32
DEPTH = 16             # ring capacity / queue depth for the throughput runs


def now() -> int:
    return time.monotonic_ns()  # CLOCK_MONOTONIC: one clock for every process of the host


def unique(label: str) -> str:
    return f"bench-{label}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


# ----------------------------------------------------------------------------- write cost

def batches(operation, per_batch: int, count: int) -> float:
    """Median ns per operation over ``count`` timed batches."""
    for _ in range(per_batch):
        operation()
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        for _ in range(per_batch):
            operation()
        samples.append((time.perf_counter_ns() - start) / per_batch)
    return statistics.median(samples)


def write_costs(quick: bool) -> dict:
    import arrow_shm
    import pyshmem

    result = {}
    for label, shape, per_batch in (("97 float32", SMALL, 2000), ("480x640 float32 (1.2 MB)", BIG, 50)):
        frame = np.random.default_rng(1).random(shape, dtype=np.float32)
        count = 5 if quick else 25
        name = unique("write")
        ring = arrow_shm.Ring.create(name, shape=shape, dtype="float32", capacity=64, overflow="overwrite")
        try:
            with ring.writer() as w:
                ring_ns = batches(lambda: w.write(frame), per_batch, count)
                view_ns = batches(lambda: _fill(w, frame), per_batch, count)
        finally:
            ring.unlink()
        # Two slots stay in the cache, as pyshmem's one payload does; 64 slots of 1.2 MB do not.
        ring = arrow_shm.Ring.create(name, shape=shape, dtype="float32", capacity=2, overflow="overwrite")
        try:
            with ring.writer() as w:
                hot_ns = batches(lambda: w.write(frame), per_batch, count)
        finally:
            ring.unlink()
        stream = pyshmem.create(name, shape=shape, dtype=np.float32)
        try:
            pyshmem_ns = batches(lambda: stream.write(frame), per_batch, count)
        finally:
            stream.unlink()
        result[label] = {"arrow_shm ring write": ring_ns, "arrow_shm ring write_view + copyto": view_ns,
                         "arrow_shm ring write, capacity 2": hot_ns, "pyshmem write": pyshmem_ns}
    return result


def _fill(writer, frame) -> None:
    with writer.write_view() as slot:
        np.copyto(slot, frame)


# ----------------------------------------------------------------------------- throughput

def ring_consumer(name, frames, ready, out, how):
    import arrow_shm

    with arrow_shm.Ring.open(name) as ring, ring.reader("bench", start="next") as r:
        ready.set()
        bad = 0
        for k in range(frames):
            if how == "take":
                frame = r.take(timeout=60)
                bad += frame.array[0, 0] != k or frame.array[-1, -1] != k
            else:
                with r.lease(timeout=60) as view:
                    bad += view[0, 0] != k or view[-1, -1] != k
        out.put(("done", now(), int(bad), r.lost))


def ring_producer(name, frames, start_gate, out):
    import arrow_shm

    frame = np.zeros(BIG, np.float32)
    with arrow_shm.Ring.open(name) as ring, ring.writer(timeout=10) as w:
        start_gate.wait()
        out.put(("start", now()))
        for k in range(frames):
            frame[0, 0] = frame[-1, -1] = k
            w.write(frame, timeout=60)


def iox_service(node, name, iox):
    return (node.service_builder(iox.ServiceName.new(name)).publish_subscribe(iox.Slice[ctypes.c_uint8])
            .enable_safe_overflow(False).subscriber_max_buffer_size(DEPTH).max_publishers(1)
            .max_subscribers(1).open_or_create())


def iox_consumer(name, frames, ready, out):
    import iceoryx2 as iox

    iox.set_log_level(iox.LogLevel.Error)
    node = iox.NodeBuilder.new().create(iox.ServiceType.Ipc)
    subscriber = iox_service(node, name, iox).subscriber_builder().buffer_size(DEPTH).create()
    ready.set()
    bad = k = 0
    while k < frames:
        sample = subscriber.receive()
        if sample is None:
            continue
        view = np.frombuffer(sample.payload().as_memory_view(), np.float32).reshape(BIG)
        bad += view[0, 0] != k or view[-1, -1] != k
        del view
        sample.delete()
        k += 1
    out.put(("done", now(), int(bad), 0))


def iox_producer(name, frames, start_gate, out):
    import iceoryx2 as iox

    iox.set_log_level(iox.LogLevel.Error)
    node = iox.NodeBuilder.new().create(iox.ServiceType.Ipc)
    nbytes = int(np.prod(BIG)) * 4
    publisher = (iox_service(node, name, iox).publisher_builder().initial_max_slice_len(nbytes)
                 .backpressure_strategy(iox.BackpressureStrategy.RetryUntilDelivered).create())
    frame = np.zeros(BIG, np.float32)
    start_gate.wait()
    out.put(("start", now()))
    for k in range(frames):
        frame[0, 0] = frame[-1, -1] = k
        sample = publisher.loan_slice_uninit(nbytes)
        np.copyto(np.frombuffer(sample.payload().as_memory_view(), np.float32).reshape(BIG), frame)
        sample.assume_init().send()


def queue_consumer(queue, frames, ready, out):
    ready.set()
    bad = 0
    for k in range(frames):
        frame = queue.get(timeout=60)
        bad += frame[0, 0] != k or frame[-1, -1] != k
    out.put(("done", now(), int(bad), 0))


def queue_producer(queue, frames, start_gate, out, fresh):
    frame = np.zeros(BIG, np.float32)
    start_gate.wait()
    out.put(("start", now()))
    for k in range(frames):
        frame[0, 0] = frame[-1, -1] = k
        # multiprocessing.Queue pickles later, in its feeder thread: it must get an array nobody changes
        queue.put(frame.copy() if fresh else frame)


def throughput_once(method: str, frames: int) -> float:
    """Frames per second of one run of ``method``: producer start to consumer's last frame."""
    ctx = mp.get_context("fork")
    ready, gate, out = ctx.Event(), ctx.Event(), ctx.Queue()
    name = unique(method.split()[0].replace("/", "-"))
    ring = None
    if method.startswith("arrow_shm"):
        import arrow_shm

        capacity = 4 if "capacity 4" in method else DEPTH
        ring = arrow_shm.Ring.create(name, shape=BIG, dtype="float32", capacity=capacity, overflow="block")
        how = "take" if "take" in method else "lease"
        consumer = ctx.Process(target=ring_consumer, args=(name, frames, ready, out, how))
        producer = ctx.Process(target=ring_producer, args=(name, frames, gate, out))
    elif method.startswith("iceoryx2"):
        consumer = ctx.Process(target=iox_consumer, args=(name, frames, ready, out))
        producer = ctx.Process(target=iox_producer, args=(name, frames, gate, out))
    else:
        if method.startswith("faster-fifo"):
            import faster_fifo

            queue = faster_fifo.Queue(max_size_bytes=DEPTH * (int(np.prod(BIG)) * 4 + 4096))
        else:
            queue = ctx.Queue(maxsize=DEPTH)
        consumer = ctx.Process(target=queue_consumer, args=(queue, frames, ready, out))
        producer = ctx.Process(target=queue_producer, args=(queue, frames, gate, out, method.startswith("multi")))
    try:
        consumer.start()
        if not ready.wait(60):
            raise RuntimeError(f"{method}: the consumer did not start")
        producer.start()
        time.sleep(0.3 if method.startswith("iceoryx2") else 0.05)  # let the publisher connect
        gate.set()
        events = dict((item[0], item[1:]) for item in (out.get(timeout=300), out.get(timeout=300)))
        producer.join(60)
        consumer.join(60)
        (done, bad, lost), (start,) = events["done"], events["start"]
        if bad or lost:
            raise RuntimeError(f"{method}: {bad} frames out of sequence, {lost} lost")
        return frames / ((done - start) / 1e9)
    finally:
        for process in (producer, consumer):
            if process.is_alive():
                process.kill()
        if ring is not None:
            ring.unlink()


THROUGHPUT_METHODS = ["arrow_shm ring (take: copy)", "arrow_shm ring (lease: in place)",
                      "arrow_shm ring, capacity 4 (lease: in place)", "iceoryx2 (loan, in place)",
                      "multiprocessing.Queue", "faster-fifo Queue"]


def throughputs(quick: bool) -> dict:
    rounds = 1 if quick else 3
    frames = 300 if quick else 2000
    samples = {method: [] for method in THROUGHPUT_METHODS}
    for _ in range(rounds):
        for method in THROUGHPUT_METHODS:
            count = frames if "Queue" not in method else max(100, frames // 4)
            samples[method].append(throughput_once(method, count))
    return {method: {"frames_per_s": statistics.median(values), "rounds": values} for method, values in samples.items()}


# ----------------------------------------------------------------------------- ping-pong

def summary(ns):
    ordered = sorted(ns)

    def rank(q):
        return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]

    return {"n": len(ordered), "p50": rank(0.5), "p99": rank(0.99), "min": ordered[0]}


def ring_ping_server(names, ready, trips, spin):
    import arrow_shm

    with arrow_shm.Ring.open(names[0]) as requests, arrow_shm.Ring.open(names[1]) as acks:
        with requests.reader("server", start="next", spin=spin) as r, acks.writer(timeout=10) as w:
            ready.set()
            for _ in range(trips):
                with r.lease(timeout=60) as view:
                    w.write(view, timeout=60)


def ring_ping_client(names, trips, warmup, out, spin):
    import arrow_shm

    request = np.zeros(PING, np.float32)
    with arrow_shm.Ring.open(names[0]) as requests, arrow_shm.Ring.open(names[1]) as acks:
        with acks.reader("client", start="next", spin=spin) as r, requests.writer(timeout=10) as w:
            samples = []
            for k in range(trips):
                request[0, 0] = k
                start = time.perf_counter_ns()
                w.write(request, timeout=60)
                with r.lease(timeout=60) as view:
                    ok = view[0, 0] == k
                elapsed = time.perf_counter_ns() - start
                if not ok:
                    raise RuntimeError("ack out of sequence")
                if k >= warmup:
                    samples.append(elapsed)
    out.put(summary(samples))


def iox_ping_service(node, iox, name):
    return (node.service_builder(iox.ServiceName.new(name)).publish_subscribe(iox.Slice[ctypes.c_uint8])
            .enable_safe_overflow(False).subscriber_max_buffer_size(2).open_or_create())


def iox_ping_publisher(node, iox, name, nbytes):
    return (iox_ping_service(node, iox, name).publisher_builder().initial_max_slice_len(nbytes)
            .backpressure_strategy(iox.BackpressureStrategy.RetryUntilDelivered).create())


def iox_ping_server(names, ready, trips):
    import iceoryx2 as iox

    iox.set_log_level(iox.LogLevel.Error)
    node = iox.NodeBuilder.new().create(iox.ServiceType.Ipc)
    nbytes = int(np.prod(PING)) * 4
    subscriber = iox_ping_service(node, iox, names[0]).subscriber_builder().create()
    publisher = iox_ping_publisher(node, iox, names[1], nbytes)
    ready.set()
    for _ in range(trips):
        sample = None
        while sample is None:
            sample = subscriber.receive()
        answer = publisher.loan_slice_uninit(nbytes)
        np.copyto(np.frombuffer(answer.payload().as_memory_view(), np.uint8),
                  np.frombuffer(sample.payload().as_memory_view(), np.uint8))
        sample.delete()
        answer.assume_init().send()


def iox_ping_client(names, trips, warmup, out):
    import iceoryx2 as iox

    iox.set_log_level(iox.LogLevel.Error)
    node = iox.NodeBuilder.new().create(iox.ServiceType.Ipc)
    nbytes = int(np.prod(PING)) * 4
    publisher = iox_ping_publisher(node, iox, names[0], nbytes)
    subscriber = iox_ping_service(node, iox, names[1]).subscriber_builder().create()
    time.sleep(0.3)
    request = np.zeros(PING, np.float32)
    samples = []
    for k in range(trips):
        request[0, 0] = k
        start = time.perf_counter_ns()
        loan = publisher.loan_slice_uninit(nbytes)
        np.copyto(np.frombuffer(loan.payload().as_memory_view(), np.float32).reshape(PING), request)
        loan.assume_init().send()
        sample = None
        while sample is None:
            sample = subscriber.receive()
        ok = np.frombuffer(sample.payload().as_memory_view(), np.float32)[0] == k
        sample.delete()
        elapsed = time.perf_counter_ns() - start
        if not ok:
            raise RuntimeError("ack out of sequence")
        if k >= warmup:
            samples.append(elapsed)
    out.put(summary(samples))


def pingpong_once(method: str, trips: int, warmup: int) -> dict:
    ctx = mp.get_context("fork")
    ready, out = ctx.Event(), ctx.Queue()
    names = [unique("ping-req"), unique("ping-ack")]
    rings = []
    if method.startswith("arrow_shm"):
        import arrow_shm

        rings = [arrow_shm.Ring.create(n, shape=PING, dtype="float32", capacity=4) for n in names]
        spin = 1e-3 if "spin 1 ms" in method else 50e-6
        server = ctx.Process(target=ring_ping_server, args=(names, ready, trips, spin))
        client = ctx.Process(target=ring_ping_client, args=(names, trips, warmup, out, spin))
    else:
        server = ctx.Process(target=iox_ping_server, args=(names, ready, trips))
        client = ctx.Process(target=iox_ping_client, args=(names, trips, warmup, out))
    try:
        server.start()
        if not ready.wait(60):
            raise RuntimeError(f"{method}: the server did not start")
        client.start()
        result = out.get(timeout=300)
        client.join(60)
        server.join(60)
        return result
    finally:
        for process in (client, server):
            if process.is_alive():
                process.kill()
        for ring in rings:
            ring.unlink()


def pingpongs(quick: bool) -> dict:
    rounds = 1 if quick else 3
    trips, warmup = (500, 100) if quick else (5000, 500)
    results = {}
    for method in ("arrow_shm rings (lease + write)", "arrow_shm rings, readers spin 1 ms",
                   "iceoryx2 (loan + busy-poll receive)"):
        results[method] = []
    for _ in range(rounds):
        for method in results:
            results[method].append(pingpong_once(method, trips, warmup))
    return {method: sorted(runs, key=lambda s: s["p50"])[len(runs) // 2] for method, runs in results.items()}


# ----------------------------------------------------------------------------- report

def machine() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for package in ("numpy", "pyshmem", "faster-fifo", "iceoryx2", "arrow-shm"):
        try:
            import importlib.metadata as metadata

            versions[package] = metadata.version(package)
        except Exception:  # noqa: BLE001
            versions[package] = "missing"
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
            "load_average": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "versions": versions}


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [f"Python rings, one run on {m['date']}: {m['cpu']}, {m['cores']} cores, Linux {m['kernel']},"
             f" Python {m['python']}, load average {', '.join(f'{x:.2f}' for x in m['load_average'])} at the start;"
             f" versions {m['versions']}.", "",
             "| frame | arrow_shm `write` (capacity 64) | `write_view` + copyto | `write`, capacity 2 | pyshmem `write` |"
             " pyshmem / arrow_shm (64, 2) |",
             "|---|---:|---:|---:|---:|---:|"]
    for label, costs in results["write"].items():
        ring, view, ps = costs["arrow_shm ring write"], costs["arrow_shm ring write_view + copyto"], costs["pyshmem write"]
        hot = costs["arrow_shm ring write, capacity 2"]
        lines.append(f"| {label} | {ring / 1000:.1f} µs | {view / 1000:.1f} µs | {hot / 1000:.1f} µs | {ps / 1000:.1f} µs"
                     f" | {ps / ring:.2f}× / {ps / hot:.2f}× |")
    lines += ["", "| lossless, 1.2 MB frames, process to process | frames/s (median) | MB/s | rounds |", "|---|---:|---:|---|"]
    for method, figures in results["throughput"].items():
        rate = figures["frames_per_s"]
        lines.append(f"| {method} | {rate:,.0f} | {rate * 1.2288:,.0f} | {', '.join(f'{r:,.0f}' for r in figures['rounds'])} |")
    lines += ["", "| 64 KiB request/ack ping-pong | p50 | p99 | samples |", "|---|---:|---:|---:|"]
    for method, figures in results["pingpong"].items():
        lines.append(f"| {method} | {figures['p50'] / 1000:.1f} µs | {figures['p99'] / 1000:.1f} µs | {figures['n']} |")
    t = results["throughput"]
    ring_copy = t["arrow_shm ring (take: copy)"]["frames_per_s"]
    ring_lease = t["arrow_shm ring (lease: in place)"]["frames_per_s"]
    ring_hot = t["arrow_shm ring, capacity 4 (lease: in place)"]["frames_per_s"]
    iox = t["iceoryx2 (loan, in place)"]["frames_per_s"]
    queue = t["multiprocessing.Queue"]["frames_per_s"]
    ping = results["pingpong"]
    small = results["write"]["97 float32"]
    lines += ["", "Targets (issue 23), from the figures above:",
              f"* 1.2 MB frames/s vs multiprocessing.Queue: ring take {ring_copy / queue:.1f}×, ring lease"
              f" {ring_lease / queue:.1f}× (target ≥ 10×)",
              f"* small write vs pyshmem's: {small['pyshmem write'] / small['arrow_shm ring write']:.2f}× faster"
              " (target: no slower)",
              f"* 1.2 MB throughput vs iceoryx2: ring lease {ring_lease / iox:.2f}×, capacity 4 {ring_hot / iox:.2f}×,"
              f" ring take {ring_copy / iox:.2f}×"
              " of iceoryx2's (target: within 1.5×, i.e. ≥ 0.67×)",
              f"* 64 KiB ping-pong p50 vs iceoryx2: {ping['arrow_shm rings (lease + write)']['p50'] / ping['iceoryx2 (loan + busy-poll receive)']['p50']:.2f}×"
              f" iceoryx2's, spinning 1 ms {ping['arrow_shm rings, readers spin 1 ms']['p50'] / ping['iceoryx2 (loan + busy-poll receive)']['p50']:.2f}×"
              " (target ≤ 1.5×)"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="every case once, small counts")
    parser.add_argument("--out", default="benchmarks/target/results-python-rings")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = {"machine": machine()}
    print("write costs ...", file=sys.stderr)
    results["write"] = write_costs(args.quick)
    print("lossless throughput ...", file=sys.stderr)
    results["throughput"] = throughputs(args.quick)
    print("ping-pong ...", file=sys.stderr)
    results["pingpong"] = pingpongs(args.quick)
    with open(os.path.join(args.out, "results.json"), "w") as out:
        json.dump(results, out, indent=2)
    report = markdown(results)
    with open(os.path.join(args.out, "results.md"), "w") as out:
        out.write(report)
    print(report)


if __name__ == "__main__":
    main()

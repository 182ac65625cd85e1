"""One side of a request/ack ping-pong over two pyshmem streams (pyshmem's IPC methodology).

    pingpong_pyshmem.py client|server REQUESTS ACKS WARMUP_S MEASURE_S MIN_SAMPLES MAX_SAMPLES

Both streams exist already (float32, 128x128 = 64 KiB; the harness creates them). The client
warms up for WARMUP_S, times 200 round trips to calibrate, then times each of as many round
trips as fill MEASURE_S (clamped to [MIN_SAMPLES, MAX_SAMPLES]) and prints
``RESULT {json}`` with nearest-rank percentiles in nanoseconds. Element 0 of a request is its
number; -1 stops the server after one last ack. Waits are pyshmem's level-triggered
``wait_for_count`` with its defaults; copies are safe reads into a preallocated array.

The other side may be arrow-shm: the bytes and the protocol are the same.
"""

import json
import math
import sys
import time

import numpy as np
import pyshmem

STOP = -1.0
PATIENCE_S = 120.0
CALIBRATION_ROUND_TRIPS = 200


def nearest_rank(sorted_samples, quantile):
    index = math.ceil(quantile * len(sorted_samples)) - 1
    return sorted_samples[max(0, min(len(sorted_samples) - 1, index))]


def summary(samples):
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50": nearest_rank(ordered, 0.50),
        "p95": nearest_rank(ordered, 0.95),
        "p99": nearest_rank(ordered, 0.99),
        "mean": sum(ordered) / len(ordered),
        "min": ordered[0],
        "max": ordered[-1],
    }


def run_client(requests, acks, warmup_s, measure_s, min_samples, max_samples):
    request = np.zeros(requests.shape, dtype=np.float32)
    ack = np.empty(acks.shape, dtype=np.float32)
    first = request.reshape(-1)

    def send(i):
        requests.write(request)
        acks.wait_for_count(after=i, timeout=PATIENCE_S)
        acks.read(out=ack)

    def exchange(i):
        first[0] = i
        send(i)
        if ack.flat[0] != np.float32(i):
            raise RuntimeError(f"ack out of step: expected request {i}, got {ack.flat[0]}")

    clock = time.perf_counter_ns
    i = 0
    warmup_end = clock() + int(warmup_s * 1e9)
    while True:
        exchange(i)
        i += 1
        if clock() >= warmup_end:
            break

    start = clock()
    for _ in range(CALIBRATION_ROUND_TRIPS):
        exchange(i)
        i += 1
    per_round_trip = max(1, (clock() - start) // CALIBRATION_ROUND_TRIPS)
    n = int(max(min_samples, min(max_samples, int(measure_s * 1e9) // per_round_trip)))

    samples = [0] * n
    for k in range(n):
        t0 = clock()
        exchange(i)
        samples[k] = clock() - t0
        i += 1

    first[0] = STOP
    send(i)
    print("RESULT " + json.dumps(summary(samples)), flush=True)


def run_server(requests, acks):
    message = np.empty(requests.shape, dtype=np.float32)
    n = 0
    while True:
        requests.wait_for_count(after=n, timeout=PATIENCE_S)
        requests.read(out=message)
        acks.write(message)
        if message.flat[0] == STOP:
            return
        n += 1


def main(argv):
    role, request_name, ack_name = argv[1], argv[2], argv[3]
    requests = pyshmem.open(request_name)
    acks = pyshmem.open(ack_name)
    try:
        if role == "server":
            run_server(requests, acks)
        else:
            run_client(requests, acks, float(argv[4]), float(argv[5]), int(argv[6]), int(argv[7]))
    finally:
        requests.close()
        acks.close()


if __name__ == "__main__":
    main(sys.argv)

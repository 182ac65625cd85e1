"""The pyshmem side of the live demo: reads a stream a Java process writes.

Run by LiveDemo with the project's venv python; alone:
    python demo_reader.py NAME SECONDS
"""
import sys
import time

import numpy as np
import pyshmem


def main(name, seconds):
    shm = pyshmem.open(name, readonly=True)
    latencies, missed, torn, total = [], 0, 0, [0, 0, 0]
    end = time.monotonic() + seconds
    interval_start = time.monotonic()
    while time.monotonic() < end:
        try:
            frame = shm.read_new(timeout=0.2)
        except TimeoutError:
            frame = None
        if frame is not None:
            latencies.append(time.time() - shm.write_time)
            missed += shm.missed_writes
            torn += int(not np.all(frame == frame.flat[0]))
        now = time.monotonic()
        if now - interval_start >= 1.0:
            lat = np.sort(np.array(latencies or [0.0])) * 1e6
            print(f"{len(latencies) / (now - interval_start):6.0f} frames/s  "
                  f"latency p50 {lat[int(0.5 * (len(lat) - 1))]:7.1f} us  "
                  f"p99 {lat[int(0.99 * (len(lat) - 1))]:7.1f} us  missed {missed}  torn {torn}", flush=True)
            total = [total[0] + len(latencies), total[1] + missed, total[2] + torn]
            latencies, missed, torn = [], 0, 0
            interval_start = now
    total = [total[0] + len(latencies), total[1] + missed, total[2] + torn]
    print(f"total {total[0]} frames, missed {total[1]}, torn {total[2]}", flush=True)
    shm.close()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))

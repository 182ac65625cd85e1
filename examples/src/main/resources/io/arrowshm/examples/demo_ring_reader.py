"""The Python side of the live demo on a ring: reads every frame a Java process writes, through a
cursor, with the arrow_shm package.

Run by LiveDemo with the project's venv python; alone:
    python demo_ring_reader.py RING CURSOR
"""
import sys
import time

import numpy as np
import arrow_shm

IDLE_SECONDS = 2.0  # the producer writes at a steady rate: this long without a frame, all read, means it is done
FIRST_FRAME_SECONDS = 60.0


def main(name, cursor):
    ring = arrow_shm.Ring.open(name)
    latencies, lost, torn, total = [], 0, 0, [0, 0, 0]
    interval_start = time.monotonic()
    last_frame = None
    with ring.reader(cursor) as reader:
        while True:
            lag = ring.write_position - reader.position
            idle = time.monotonic() - (last_frame or interval_start)
            if lag == 0 and idle > (IDLE_SECONDS if last_frame else FIRST_FRAME_SECONDS):
                break
            try:
                frame = reader.take(timeout=0.2)
            except arrow_shm.StreamTimeoutError:
                frame = None
            if frame is not None:
                latencies.append(time.time() - frame.write_time)
                lost += frame.lost
                torn += int(not np.all(frame.array == frame.array.flat[0]))
                last_frame = time.monotonic()
            now = time.monotonic()
            if now - interval_start >= 1.0:
                lat = np.sort(np.array(latencies or [0.0])) * 1e6
                print(f"{len(latencies) / (now - interval_start):6.0f} frames/s  "
                      f"latency p50 {lat[int(0.5 * (len(lat) - 1))]:7.1f} us  "
                      f"p99 {lat[int(0.99 * (len(lat) - 1))]:7.1f} us  "
                      f"lag {ring.write_position - reader.position}  lost {lost}  torn {torn}", flush=True)
                total = [total[0] + len(latencies), total[1] + lost, total[2] + torn]
                latencies, lost, torn = [], 0, 0
                interval_start = now
        total = [total[0] + len(latencies), total[1] + lost, total[2] + torn]
        print(f"total {total[0]} frames, lost {total[1]}, torn {total[2]}, at position {reader.position}", flush=True)
    ring.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

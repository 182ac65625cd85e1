"""Device check helper: a pyshmem 1.4.0 GPU stream made with torch, for Java to attach.

Prints "ready <count>" once a frame of 7.0 is published; then on each stdin line "read"
prints "sum <value> count <count>" of a consistent GPU read; "quit" unlinks and exits.
"""
import sys

import pyshmem
import torch

name, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shm = pyshmem.create(name, shape=(rows, cols), dtype="float32", gpu_device="cuda:0", cpu_mirror=False)
shm.write(torch.full((rows, cols), 7.0, device="cuda:0"))
print("ready", shm.count, flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "read":
        frame = shm.read()
        print("sum", float(frame.sum()), "count", shm.count, flush=True)
    elif command == "quit":
        break
shm.unlink()
print("bye", flush=True)

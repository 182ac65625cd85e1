"""Device check helper: a pyshmem 1.4.0 GPU stream made with torch, for Java to attach.

Prints "ready <count>" once a frame of 7.0 is published; then on each stdin line "read"
prints "sum <value> count <count>" of a consistent GPU read; "quit" unlinks and exits.
"""
import hashlib
import os
import sys

import pyshmem
import torch

name, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shm = pyshmem.create(name, shape=(rows, cols), dtype="float32", gpu_device="cuda:0", cpu_mirror=False)
shm.write(torch.full((rows, cols), 7.0, device="cuda:0"))
# Keep the real torch pickle for offline tests when the check runs with a place for files.
keep = os.environ.get("DEVICE_CHECK_OUT")
if keep:
    base = "ps_" + hashlib.sha1(name.encode()).hexdigest()[:14]
    with open(f"/dev/shm/{base}_gpu", "rb") as source, open(os.path.join(keep, "pyshmem-torch-gpu-handle.pickle"), "wb") as target:
        target.write(source.read())
    with open(os.path.join(keep, "pyshmem-torch-gpu-handle.txt"), "w") as facts:
        facts.write(f"torch {torch.__version__} cuda {torch.version.cuda} shape {(rows, cols)} float32 pid {os.getpid()}\n")
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

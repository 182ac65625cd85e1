#!/usr/bin/env bash
# The prepared device check for arrow-shm's GPU streams. Needs: an NVIDIA GPU, its driver
# (libcuda.so.1), python3 with torch (and numpy); NO JDK: it runs the jlink runtime and jars
# in .device/, built beforehand by gpu/prepare-device-check.sh (under 64 MiB in all).
# Prints one report and exits 0 only if every check passed. Budget: under 8 minutes.
#
# Checks, in order (DeviceCheck prints one "CHECK name: PASS|FAIL|SKIP facts [seconds]" line each):
#   cuda-driver                          driver version, device count, SharedMemory.gpuAvailable()
#   two-jvms-no-mirror                   GPU stream without mirror: 50 frames of 4 MiB from this JVM, a child JVM
#                                        attaches on cuda:0 (IPC attach time) and reads each with readIntoDevice,
#                                        then writes one frame from its device memory that this JVM reads back
#   two-jvms-mirror                      the same with cpuMirror(true), plus a CPU-only read of the mirror
#   torch-reads-java-record              the README's torch snippet reads a Java stream through the 272-byte record
#   java-reads-pyshmem-torch-stream      pyshmem 1.4.0 + torch creates a GPU stream; Java attaches the torch
#                                        pickle's IPC handle, reads it on the device, writes back, pyshmem reads
#   device-read-381MiB-vs-cuMemcpyDtoD   consistent device read of a 381 MiB frame vs a plain cuMemcpyDtoD + sync
#                                        of the same size in the same run (median of 20, GB/s and ratio)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEVICE="$ROOT/.device"
JAVA="$DEVICE/jre/bin/java"
if [[ ! -x "$JAVA" ]]; then
  echo "no $JAVA: run gpu/prepare-device-check.sh on a build host first and carry .device/ here" >&2
  exit 3
fi
PYTHON="${PYTHON:-python3}"
export PYTHON
export PYTHONPATH="$DEVICE/python/site${PYTHONPATH:+:$PYTHONPATH}"

echo "=== arrow-shm device check, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -srm)"
echo "--- git: $(git -C "$ROOT" log -1 --format='%h %s' 2>/dev/null || echo unknown)"
echo "--- gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -3 | tr '\n' ';')"
echo "--- java: $("$JAVA" -version 2>&1 | head -1)"
echo "--- python: $("$PYTHON" -c 'import sys, torch, numpy, pyshmem; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "numpy", numpy.__version__, "pyshmem", pyshmem.__version__)' 2>&1 | tail -1)"
START=$(date +%s)
timeout --kill-after=10 470 "$JAVA" --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx4g -cp "$DEVICE/lib/*" \
    io.arrowshm.gpu.check.DeviceCheck report "$DEVICE/python"
STATUS=$?
echo "=== finished in $(( $(date +%s) - START )) s with status $STATUS (0: all passed, 1: a check failed, 2: no CUDA driver, 124: timed out)"
exit $STATUS

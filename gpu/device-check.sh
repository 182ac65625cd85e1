#!/usr/bin/env bash
# The prepared device check for arrow-shm's GPU streams. Needs: an NVIDIA GPU, its driver
# (libcuda.so.1), python3 with torch (and numpy); NO JDK: it runs the jlink runtime and jars
# in .device/, built beforehand by gpu/prepare-device-check.sh (under 64 MiB in all).
# Prints one report and exits 0 only if every check passed. Budget: under 8 minutes (report 300 s at most, JUnit 120 s).
#
# Checks, in order (DeviceCheck prints one "CHECK name: PASS|FAIL|SKIP facts [seconds]" line each;
# `DeviceCheck list` prints the names, and a CPU test keeps this list equal to them):
#   cuda-driver                          driver version, device count, SharedMemory.gpuAvailable(), the default paths
#   two-jvms-no-mirror                   GPU stream without mirror: 50 frames of 4 MiB from this JVM, a child JVM
#                                        attaches on cuda:0 (IPC attach time) and reads each with readIntoDevice,
#                                        then writes one frame from its device memory that this JVM reads back
#   two-jvms-mirror                      the same with cpuMirror(true), plus a CPU-only read of the mirror
#   torch-reads-java-record              the README's torch snippet reads a Java stream through the 272-byte record
#   java-reads-pyshmem-torch-stream      pyshmem 1.4.0 + torch creates a GPU stream; Java attaches the torch
#                                        pickle's IPC handle, reads it on the device, writes back, pyshmem reads
#   device-copies-381MiB-vs-cuMemcpyDtoD  readIntoDevice and writeFromDevice of a 381 MiB frame, each beside a plain
#                                        cuMemcpyDtoD + cuCtxSynchronize, default path and arrowshm.gpu.eventSync
#                                        (medians of 20, rounds interleaved; target: within 1.1x)
#   host-write-4MiB-and-381MiB           host write into a GPU stream on the default (pageable) path, with pinned
#                                        staging and with staging + event sync, beside a CPU stream's write (the
#                                        core's copy alone), a bare cuMemcpyHtoD from cuMemHostAlloc memory and from
#                                        a cuMemHostRegister'ed data segment (what registering would reach), and a
#                                        write view's publish (the device part alone); targets: staged >= 10x
#                                        pageable and >= 0.8x bare
#   write-while-mirror-truncated         a child JVM per path (default, pinned staging) writes a 64 MiB mirrored GPU
#                                        stream back to back while this JVM truncates the mirror, 5 rounds: every
#                                        write succeeds or ends in SharedMemoryException; a crash fails the check
#   registered-mapping-truncated-probe   a measurement for staging vs cuMemHostRegister (no library path registers):
#                                        what HtoD/DtoH do on a registered data segment another process truncated,
#                                        and whether the device gets fresh or stale bytes after it regrows
#   attach-refuses-record-outside-allocation  a planted _gpu record (own IPC handle, 1 TiB claimed, payload at its
#                                        end) is refused in the creator (with and without arrowshm.gpu.
#                                        checkAllocationRange) and in another process (second handle on a shared
#                                        mapping, fresh mapping); cuMemGetAddressRange vs the creator's bookkeeping;
#                                        the real record attaches again on every path
# Then the gpu module's JUnit tests that need a device (GpuDeviceTest, GpuStreamDeviceTest's round
# trip, GpuPathsDeviceTest), from the same runtime with JUnit's console launcher. With $OUT set (the device tool), the
# real pyshmem/torch _gpu pickle and any crash log of a child JVM are kept there.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEVICE="$ROOT/.device"
JAVA="$DEVICE/jre/bin/java"
if [[ ! -x "$JAVA" ]]; then
  echo "no $JAVA: run gpu/prepare-device-check.sh on a build host first and carry .device/ here" >&2
  exit 3
fi
if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then
  exec > >(tee "$OUT/device-check.log") 2>&1
fi
PYTHON="${PYTHON:-python3}"
export PYTHON
export PYTHONPATH="$DEVICE/python/site${PYTHONPATH:+:$PYTHONPATH}"

echo "=== arrow-shm device check, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -srm)"
echo "--- built from: $(tr '\n' ' ' < "$DEVICE/built-from.txt" 2>/dev/null || echo unknown)"
echo "--- gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -3 | tr '\n' ';')"
echo "--- java: $("$JAVA" -version 2>&1 | head -1)"
echo "--- python: $("$PYTHON" -c 'import sys, torch, numpy, pyshmem; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "numpy", numpy.__version__, "pyshmem", pyshmem.__version__)' 2>&1 | tail -1)"
# Where the run tool collects files ($OUT), keep the report and the real torch pickle too.
KEEP="${OUT:-}"
if [[ -n "$KEEP" ]]; then
  export DEVICE_CHECK_OUT="$KEEP"
fi
# The same flags as gpu/prepare-device-check.sh: quiet on JDK 17 and 25 (see there).
JVM_FLAGS=(--add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Dsun.misc.unsafe.memory.access=allow)
START=$(date +%s)
timeout --kill-after=10 300 "$JAVA" "${JVM_FLAGS[@]}" -Xmx4g -cp "$DEVICE/lib/*" \
    io.arrowshm.gpu.check.DeviceCheck report "$DEVICE/python"
STATUS=$?
echo "=== report finished in $(( $(date +%s) - START )) s with status $STATUS (0: all passed, 1: a check failed, 2: no CUDA driver, 124: timed out)"

# The gpu module's JUnit tests that need a device (skipped in CI), from the same runtime.
JUNIT_START=$(date +%s)
if [[ -f "$DEVICE/junit/junit-platform-console-standalone.jar" ]]; then
  timeout --kill-after=10 120 "$JAVA" "${JVM_FLAGS[@]}" \
      -cp "$DEVICE/lib/*:$DEVICE/junit/*" org.junit.platform.console.ConsoleLauncher execute \
      --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests \
      --select-class=io.arrowshm.gpu.GpuDeviceTest \
      --select-method=io.arrowshm.gpu.GpuStreamDeviceTest#aGpuStreamRoundTripsThroughTheDeviceAndTheMirror \
      --select-class=io.arrowshm.gpu.GpuPathsDeviceTest
  JUNIT=$?
else
  echo "no $DEVICE/junit: rebuild .device with gpu/prepare-device-check.sh"; JUNIT=3
fi
echo "=== JUnit device tests finished in $(( $(date +%s) - JUNIT_START )) s with status $JUNIT"
if [[ -n "$KEEP" ]]; then
  # JVM warnings (restricted methods, Unsafe) start with "WARNING:"; torch's own lines do not.
  echo "=== JVM warnings in this run: $(grep -c '^WARNING:' "$KEEP/device-check.log")"
fi
(( STATUS == 0 )) && STATUS=$JUNIT
exit $STATUS

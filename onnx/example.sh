#!/usr/bin/env bash
# The ONNX Runtime pipeline example, four processes: Python builds a small model with the onnx
# package, a Python producer publishes float32 64x64 frames, the Java worker
# (io.arrowshm.onnx.examples.OnnxFramePipeline) runs the model on each one zero-copy in and out,
# and a Python reader checks every result against onnxruntime in Python on the same frame.
#
#   onnx/example.sh [FRAMES]        (default 500)
#
# It makes .venv/ (scripts/python-env.sh) and builds the onnx module when either is missing or
# stale. JAVA_HOME picks the JDK (17 or later); the JVM gets the flags the README gives.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
frames="${1:-500}"

bash scripts/python-env.sh
python="$root/.venv/bin/python"
classpath_file="$root/onnx/target/example.classpath"
if [ ! -f "$classpath_file" ] || [ -n "$(find pom.xml arrow-shm/pom.xml arrow-shm/src/main onnx/pom.xml onnx/src \
    -newer "$classpath_file" -print -quit)" ]; then
  echo "[onnx-example] building the onnx module" >&2
  # The test class path: the module, the core, ONNX Runtime and slf4j-nop (Arrow's SLF4J binding).
  mvn -q -B -Dstyle.color=never -DskipTests -pl onnx -am package dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file" >&2
fi
classpath="$root/onnx/target/classes:$(cat "$classpath_file")"

java_bin=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_bin="$JAVA_HOME/bin/java"
fi
mapfile -t flags < <(bash "$root/scripts/jvm-flags.sh" "$java_bin")

work="$(mktemp -d)"
suffix="$$"
frames_stream="onnx-example-frames-$suffix"
scores_stream="onnx-example-scores-$suffix"
acks_stream="onnx-example-acks-$suffix"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  "$python" -c 'import sys, pyshmem
for name in sys.argv[1:]:
    pyshmem.unlink(name)' "$frames_stream" "$scores_stream" "$acks_stream" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

scripts=onnx/src/test/python
model="$work/model.onnx"
"$python" "$scripts/onnx_model.py" "$model" mlp float32 64x64 > /dev/null
echo "[onnx-example] model: mlp (built with the onnx package), frame float32 64x64 -> scores 64x10"
"$python" -u "$scripts/onnx_producer.py" "$frames_stream" "$scores_stream" "$acks_stream" "$frames" 64x64 64x10 \
    > "$work/producer.out" &
pids+=($!)
for _ in $(seq 600); do
  grep -q '^ready$' "$work/producer.out" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "[onnx-example] the producer exited early" >&2; exit 1; }
  sleep 0.1
done
"$python" -u "$scripts/onnx_checker.py" "$model" "$scores_stream" "$acks_stream" "$frames" 64x64 > "$work/checker.out" &
pids+=($!)
start=$EPOCHREALTIME
"$java_bin" "${flags[@]}" -cp "$classpath" io.arrowshm.onnx.examples.OnnxFramePipeline \
    "$model" "$frames_stream" "$scores_stream" "$frames" | sed 's/^/[java worker] /'
status=0
wait "${pids[1]}" || status=$?
wait "${pids[0]}" || status=$?
end=$EPOCHREALTIME
sed 's/^/[python producer] /' "$work/producer.out"
sed 's/^/[python checker] /' "$work/checker.out"
if [ "$status" -ne 0 ]; then
  echo "[onnx-example] failed" >&2
  exit "$status"
fi
echo "[onnx-example] $frames frames through Python -> Java (ONNX Runtime) -> Python in $("$python" -c "print(f'{$end - $start:.2f}')") s, every result checked"

#!/usr/bin/env bash
# ONNX Runtime pipeline benchmark (not part of run.sh: about 3 minutes; needs onnx and onnxruntime
# from .venv): Python -> Java ONNX Runtime -> Python, frames/s and per-frame latency, the Java
# worker reading each frame with a readInto copy first, in place, and zero-copy both ways.
#
#   benchmarks/onnx.sh [--rounds 5] [--frames 2000] [--warmup 500] [--out DIR]
#
# Results: benchmarks/target/results/onnx.md (or --out DIR), every Python process's stderr under logs/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/python-env.sh
jar=benchmarks/target/arrow-shm-benchmarks.jar
if [ ! -f "$jar" ] || [ ! -d benchmarks/target/onnx-lib ] || [ -n "$(find pom.xml arrow-shm/pom.xml arrow-shm/src \
    onnx/pom.xml onnx/src/main onnx/src/test/python benchmarks/pom.xml benchmarks/src -newer "$jar" -print -quit)" ]; then
  echo "[onnx-bench] building $jar" >&2
  mvn -q -B -DskipTests -pl benchmarks -am package
fi
java_bin=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_bin="$JAVA_HOME/bin/java"
fi
mapfile -t flags < <(bash "$root/scripts/jvm-flags.sh" "$java_bin")
exec "$java_bin" "${flags[@]}" -cp "$jar:benchmarks/target/onnx-lib/*" io.arrowshm.benchmarks.onnx.OnnxBench \
    --python "$root/.venv/bin/python" "$@"

#!/usr/bin/env bash
# Runs the whole benchmark suite: JMH in one JVM, the same operations in pyshmem 1.4.0, the
# cross-process ping-pongs and the lossless ring throughput beside Agrona and memcpy. Makes the
# Python venv and the benchmark jar first when they are missing or older than the sources.
#
#   benchmarks/run.sh [--quick] [--out DIR] [--python PATH] [--only jmh,pyshmem,pingpong,throughput]
#
# Results: benchmarks/target/results/{results.json,results.md,roundtrip.png} (or --out DIR),
# with every process's log under logs/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/python-env.sh
jar=benchmarks/target/arrow-shm-benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml arrow-shm/pom.xml arrow-shm/src benchmarks/pom.xml benchmarks/src \
    -newer "$jar" -print -quit)" ]; then
  echo "[bench] building $jar" >&2
  mvn -q -B -DskipTests -pl benchmarks -am package
fi
exec java -jar "$jar" --python "$root/.venv/bin/python" "$@"

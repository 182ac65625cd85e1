#!/usr/bin/env bash
# Arrow Flight benchmark (not part of run.sh: it takes about 10 minutes and needs pyarrow):
# arrow-shm's server beside a pyarrow (C++) Flight server, 64 KiB and 4 MiB frames, to the same
# pyarrow client; fan-out to 1, 4 and 16 pyarrow clients on one stream (aggregate MB/s, server RSS);
# then writer -> server -> mirror -> reader latency, four processes over loopback.
#
#   benchmarks/flight.sh [--rounds 5] [--seconds 3] [--latency-frames 2000] [--fanout-rounds 3]
#                        [--only throughput,fanout,latency] [--latency-only] [--client-queue-bytes B] [--out DIR]
#
# Results: benchmarks/target/results/flight.md (or --out DIR), every process's stderr under logs/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash scripts/python-env.sh
jar=benchmarks/target/arrow-shm-benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml arrow-shm/pom.xml arrow-shm/src tensors/pom.xml tensors/src flight/pom.xml \
    flight/src/main benchmarks/pom.xml benchmarks/src -newer "$jar" -print -quit)" ]; then
  echo "[flight-bench] building $jar" >&2
  mvn -q -B -DskipTests -pl benchmarks -am package
fi
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$jar" io.arrowshm.benchmarks.flight.FlightBench \
    --python "$root/.venv/bin/python" "$@"

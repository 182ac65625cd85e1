#!/usr/bin/env bash
# DL4J training throughput benchmark (not part of run.sh: about 3 minutes): samples/s of one small
# network fed by an in-memory ListDataSetIterator and by a RingDataSetIterator over a ring a producer
# process writes (copied and zero-copy; filled before training, and written while it trains), side by
# side in one run. One OpenMP thread for libnd4j unless OMP_NUM_THREADS says otherwise (the network is
# tiny; on a shared machine OpenMP's spinning threads make every feed slower and noisier).
#
#   benchmarks/dl4j.sh [--rounds 5] [--warmup-rounds 2] [--samples 20480] [--batch 64] [--out DIR]
#
# Results: benchmarks/target/results/dl4j.md (or --out DIR), the producers' stderr under logs/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

jar=benchmarks/target/arrow-shm-benchmarks.jar
if [ ! -f "$jar" ] || [ ! -d benchmarks/target/nd4j-lib ] || [ -n "$(find pom.xml arrow-shm/pom.xml arrow-shm/src \
    nd4j-bridge/pom.xml nd4j-bridge/src/main dl4j/pom.xml dl4j/src/main benchmarks/pom.xml benchmarks/src \
    -newer "$jar" -print -quit)" ]; then
  echo "[dl4j-bench] building $jar" >&2
  mvn -q -B -DskipTests -pl benchmarks -am package
fi
java_bin=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_bin="$JAVA_HOME/bin/java"
fi
mapfile -t flags < <(bash "$root/scripts/jvm-flags.sh" "$java_bin")
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec "$java_bin" "${flags[@]}" -Xmx2g -cp "$jar:benchmarks/target/nd4j-lib/*" io.arrowshm.benchmarks.dl4j.Dl4jBench "$@"

#!/usr/bin/env bash
# The DL4J training example, two processes: the trainer (io.arrowshm.dl4j.examples.RingTraining)
# creates a ring and attaches its cursor, a Python producer (dl4j/src/test/python/sample_producer.py,
# arrow_shm) writes SAMPLES samples of a separable problem per epoch and an end marker after each,
# then a test epoch; the trainer fits a small MultiLayerNetwork on every training sample, prints the
# samples it consumed and their checksum (equal to the producer's), and its accuracy on the test
# epoch (it fails below 0.90).
#
#   dl4j/example.sh [SAMPLES] [EPOCHS] [--zero-copy]      (default 20000 1)
#
# It makes .venv/ (scripts/python-env.sh) and builds the dl4j module when either is missing or
# stale. JAVA_HOME picks the JDK (17 or later); the JVM gets the flags the README gives.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
samples="${1:-20000}"
epochs="${2:-1}"
extra=()
if [ "${3:-}" = "--zero-copy" ]; then
  extra=(--zero-copy)
fi

bash scripts/python-env.sh
python="$root/.venv/bin/python"
classpath_file="$root/dl4j/target/example.classpath"
if [ ! -f "$classpath_file" ] || [ -n "$(find pom.xml arrow-shm/pom.xml arrow-shm/src/main nd4j-bridge/pom.xml \
    nd4j-bridge/src/main dl4j/pom.xml dl4j/src/main -newer "$classpath_file" -print -quit)" ]; then
  echo "[dl4j-example] building the dl4j module" >&2
  # The test class path: the module, the core, the ND4J bridge, DL4J, nd4j-native for this platform, slf4j-nop.
  mvn -q -B -Dstyle.color=never -DskipTests -pl dl4j -am package dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file" >&2
fi
classpath="$root/dl4j/target/classes:$(cat "$classpath_file")"

java_bin=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_bin="$JAVA_HOME/bin/java"
fi
mapfile -t flags < <(bash "$root/scripts/jvm-flags.sh" "$java_bin")
# One OpenMP thread for libnd4j unless you say otherwise: the example's network is tiny, and OpenMP's
# spinning threads slow it down on a machine whose cores are busy (2.5x on the 2-core VM it was written on).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

work="$(mktemp -d)"
ring="dl4j-example-samples-$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start=$EPOCHREALTIME
"$java_bin" "${flags[@]}" -cp "$classpath" io.arrowshm.dl4j.examples.RingTraining "$ring" --epochs "$epochs" \
    "${extra[@]}" > "$work/trainer.out" &
pids+=($!)
for _ in $(seq 600); do
  grep -q '^ready$' "$work/trainer.out" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/trainer.out"; echo "[dl4j-example] the trainer exited early" >&2; exit 1; }
  sleep 0.1
done
"$python" -u dl4j/src/test/python/sample_producer.py "$ring" "$samples" --epochs "$epochs" \
    | sed 's/^/[python producer] /'
status=0
wait "${pids[0]}" || status=$?
end=$EPOCHREALTIME
sed 's/^/[trainer] /' "$work/trainer.out"
if [ "$status" -ne 0 ]; then
  echo "[dl4j-example] failed (status $status)" >&2
  exit "$status"
fi
echo "[dl4j-example] $epochs x $samples samples through Python -> ring -> DL4J in $(awk "BEGIN {printf \"%.2f\", $end - $start}") s"

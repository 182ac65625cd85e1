#!/usr/bin/env bash
# arrow_shm's Python rings beside pyshmem, multiprocessing.Queue, faster-fifo and iceoryx2, in one
# run (benchmarks/src/main/python/bench_python_rings.py says what is measured). Makes its own venv
# under benchmarks/target/ (the project's .venv stays as the tests need it). --quick: a smoke run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/benchmarks/target/rings-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import arrow_shm, pyshmem, faster_fifo, iceoryx2' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check numpy==2.4.6 pyshmem==1.4.0 \
    faster-fifo==1.5.2 iceoryx2==0.10.0 -e "$root/python"
fi
cd "$root"
exec "$venv/bin/python" benchmarks/src/main/python/bench_python_rings.py "$@"

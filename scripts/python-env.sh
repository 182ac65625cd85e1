#!/usr/bin/env bash
# Makes .venv/ at the repository root with scripts/python-requirements.txt installed,
# unless it is already there for the same requirements. The build runs this first.
# Under CI=true any failure fails the build; elsewhere it warns, and the Python interop
# tests then report themselves skipped with the reason.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
requirements="$root/scripts/python-requirements.txt"
stamp="$venv/.requirements.sha256"
# The package python/ (arrow_shm) is installed editable, so its code is read from the work tree;
# its pyproject.toml is part of the stamp, so a change to its metadata reinstalls it.
want="$(cat "$requirements" "$root/python/pyproject.toml" | sha256sum | cut -d' ' -f1)"

if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi

fail() {
  echo "python-env: $*" >&2
  if [ "${CI:-}" = "true" ]; then
    echo "python-env: CI=true, so this is an error: the interop tests need pyshmem==1.4.0 and arrow_shm (and the onnx tests onnx, onnxruntime)" >&2
    exit 1
  fi
  echo "python-env: continuing without it; Python interop tests will be skipped" >&2
  exit 0
}

command -v python3 >/dev/null || fail "python3 is not installed"
echo "python-env: creating $venv (pyshmem 1.4.0, numpy, pyarrow, onnx, onnxruntime, pytest, arrow_shm from python/)" >&2
python3 -m venv "$venv" || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" \
  || fail "pip install -r scripts/python-requirements.txt failed"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$root/python" \
  || fail "pip install -e ./python (the arrow_shm package) failed"
"$venv/bin/python" -c 'import importlib.metadata as m, numpy, pyarrow, pyshmem, onnx, onnxruntime, pytest, arrow_shm; assert m.version("pyshmem") == "1.4.0"' \
  || fail "the venv does not import pyshmem 1.4.0, numpy, pyarrow, onnx, onnxruntime, pytest and arrow_shm"
echo "$want" > "$stamp"

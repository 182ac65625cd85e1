#!/usr/bin/env bash
# Prints the JVM flags the README gives for the JDK of the java binary $1 (default: java), one per
# line: Arrow's --add-opens, --enable-native-access (JNA, the core's FFM calls, ONNX Runtime's
# System.load) and, from JDK 24 on, --sun-misc-unsafe-memory-access=allow (Arrow's sun.misc.Unsafe).
#   mapfile -t flags < <(bash scripts/jvm-flags.sh "$java_bin")
set -euo pipefail
java_bin="${1:-java}"
echo "--add-opens=java.base/java.nio=ALL-UNNAMED"
echo "--enable-native-access=ALL-UNNAMED"
feature="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if [ "${feature:-17}" -ge 24 ]; then
  echo "--sun-misc-unsafe-memory-access=allow"
fi

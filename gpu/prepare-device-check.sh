#!/usr/bin/env bash
# Builds .device/ (git-ignored) for gpu/device-check.sh: a jlink Java runtime, the jars the
# check needs, and its Python helpers (with pyshmem 1.4.0 and portalocker, pure Python, from
# the project's venv). Run here, where a JDK and the Maven repository are; the folder then
# travels to a GPU host that has an NVIDIA driver and python3 with torch but no JDK.
# JLINK_JAVA_HOME picks the JDK whose runtime is linked (default: the java on the PATH, 17 here;
# /usr/lib/jvm/temurin-25-jdk-amd64 for a JDK 25 run). Checks what it made: total size under 64 MiB, the runtime starts, and the check's main
# class stops cleanly when there is no CUDA driver (as on this build host).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/.device"
VERSION=0.1.0-SNAPSHOT
M2="${M2_REPO:-$HOME/.m2/repository}"

echo "== building arrow-shm and gpu (package only, nothing installed)"
mvn -B -o -q -pl arrow-shm,gpu -am package -DskipTests

rm -rf "$OUT"
mkdir -p "$OUT/lib" "$OUT/python/site"
cp "arrow-shm/target/arrow-shm-$VERSION.jar" "gpu/target/arrow-shm-gpu-$VERSION.jar" "$OUT/lib/"
# The check itself is test code: only its package goes into a jar of its own.
jar --create --file "$OUT/lib/arrow-shm-gpu-device-check.jar" -C gpu/target/test-classes io/arrowshm/gpu/check
for jar in \
    org/apache/arrow/arrow-memory-core/19.0.0/arrow-memory-core-19.0.0.jar \
    org/apache/arrow/arrow-memory-unsafe/19.0.0/arrow-memory-unsafe-19.0.0.jar \
    org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar \
    org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar \
    net/java/dev/jna/jna/5.19.1/jna-5.19.1.jar \
    org/jcuda/jcuda/12.6.0/jcuda-12.6.0.jar \
    org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar; do
  if [[ -f "$M2/$jar" ]]; then
    cp "$M2/$jar" "$OUT/lib/"
  elif [[ "$jar" == *slf4j-nop* ]]; then
    echo "   (no slf4j-nop in $M2: SLF4J will print its no-provider note, harmless)"
  else
    echo "missing $M2/$jar" >&2; exit 1
  fi
done

# The gpu module's device JUnit tests, run by JUnit's console launcher there.
mkdir -p "$OUT/junit"
jar --create --file "$OUT/junit/arrow-shm-gpu-tests.jar" -C gpu/target/test-classes io/arrowshm/gpu
JUNIT_CONSOLE=org/junit/platform/junit-platform-console-standalone/1.11.4/junit-platform-console-standalone-1.11.4.jar
if [[ ! -f "$M2/$JUNIT_CONSOLE" ]]; then
  mvn -B -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4
fi
cp "$M2/$JUNIT_CONSOLE" "$OUT/junit/junit-platform-console-standalone.jar"

cp gpu/src/test/python/read_arrowshm_gpu_record.py gpu/src/test/python/pyshmem_torch_producer.py "$OUT/python/"
SITE="$(ls -d "$ROOT"/.venv/lib/python3*/site-packages | head -1)"
cp -r "$SITE/pyshmem" "$SITE/portalocker" "$SITE"/pyshmem-*.dist-info "$SITE"/portalocker-*.dist-info "$OUT/python/site/"
find "$OUT/python" -name __pycache__ -type d -prune -exec rm -rf {} +

# The device host may get the working tree without git: say here what the jars were built from.
{ git -C "$ROOT" log -1 --format='%h %s' 2>/dev/null || echo unknown; \
  [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]] && echo "(with uncommitted changes)"; } \
  > "$OUT/built-from.txt" || true

echo "== jlink"
# jdeps cannot analyse the modular arrow-shm jar against automatic ones, and would add java.desktop
# for JNA's optional AWT helpers (never called here): the modules are named, and the smoke test
# below runs the core (JNA, Arrow's Unsafe) on the result.
MODULES="java.base,java.logging,jdk.unsupported"
echo "   modules: $MODULES"
JLINK="jlink"
if [[ -n "${JLINK_JAVA_HOME:-}" ]]; then
  JLINK="$JLINK_JAVA_HOME/bin/jlink"
fi
# JDK 21+ names the compression levels and warns about the old numbers.
COMPRESS=2
if [[ "$("$JLINK" --version | cut -d. -f1)" -ge 21 ]]; then
  COMPRESS=zip-6
fi
"$JLINK" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=$COMPRESS --output "$OUT/jre"

echo "== checks"
"$OUT/jre/bin/java" -version
SIZE_KB="$(du -sk "$OUT" | cut -f1)"
echo "   .device is $((SIZE_KB / 1024)) MiB ($SIZE_KB KiB): jre $(du -sh "$OUT/jre" | cut -f1), lib $(du -sh "$OUT/lib" | cut -f1), junit $(du -sh "$OUT/junit" | cut -f1), python $(du -sh "$OUT/python" | cut -f1)"
if (( SIZE_KB >= 64 * 1024 )); then
  echo "FAIL: .device is not under 64 MiB" >&2; exit 1
fi
# The flags gpu/device-check.sh passes: Arrow's reflection into java.nio; on JDK 22+ JNA and
# JCuda load native code (restricted methods), and on 24+ Arrow uses sun.misc.Unsafe's memory
# access; each of those prints a warning unless allowed. JDK 17 accepts all three.
JVM_FLAGS="--add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Dsun.misc.unsafe.memory.access=allow"
SMOKE="$("$OUT/jre/bin/java" $JVM_FLAGS -cp "$OUT/lib/*" io.arrowshm.gpu.check.DeviceCheck smoke 2>&1)"
echo "$SMOKE" | sed 's/^/   /'
if grep -qi "warning" <<< "$SMOKE"; then
  echo "FAIL: the runtime printed a warning (above)" >&2; exit 1
fi
set +e
NO_GPU="$("$OUT/jre/bin/java" $JVM_FLAGS -cp "$OUT/lib/*" io.arrowshm.gpu.check.DeviceCheck report "$OUT/python" 2>&1)"
STATUS=$?
set -e
echo "$NO_GPU" | sed 's/^/   /'
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "   (a GPU is visible here; run gpu/device-check.sh)"
elif [[ $STATUS -eq 2 && "$NO_GPU" == *"no CUDA driver"* ]]; then
  echo "   OK: the check's main class stops cleanly with \"no CUDA driver\" on this host (status 2)"
else
  echo "FAIL: expected a clean \"no CUDA driver\" stop (status 2), got status $STATUS" >&2; exit 1
fi
echo "ready: copy the working tree with .device/ to the GPU host and run gpu/device-check.sh"

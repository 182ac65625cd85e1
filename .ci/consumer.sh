#!/usr/bin/env bash
# A project outside the reactor uses the installed artifacts as a new user would (.ci/consumer:
# the BOM only carries a version) and runs the README's quickstart on JDK 17 and JDK 25, on the
# class path and on the module path, with exactly the JVM flags of the README's table. Any line on
# stderr, or output other than the quickstart's, fails it.
#
#   .ci/consumer.sh [maven options...]     e.g. -Dmaven.repo.local=/tmp/m2 (after installing there)
#
# It needs the artifacts installed first (.ci/run does `mvn -B -q install -DskipTests`).
# JDK 17 is the `java` on PATH (or $JAVA_HOME); JDK 25 is $ARROWSHM_JDK25 (default
# /usr/lib/jvm/temurin-25-jdk-amd64): missing, it is an error under CI=true and skipped elsewhere.
# Each run gets a private, empty /dev/shm when `unshare -rm` works, so the quickstart's "frames"
# stream never meets one of yours.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
consumer="$root/.ci/consumer"
readme="$root/README.md"
jdk25="${ARROWSHM_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"

die() { echo "consumer: $*" >&2; exit 1; }

# The flags cell of the README row whose first cell is "$1" (the JVM-flags table).
flags() {
  local row
  row="$(grep -m1 -F "| $1 |" "$readme")" || die "README.md has no JVM-flags row '| $1 |': the table changed; update .ci/consumer.sh with it"
  echo "$row" | awk -F'`' '{print $2}'
}

version="$(sed -n '/<artifactId>arrow-shm-parent<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' "$root/pom.xml")"
[ -n "$version" ] || die "cannot read the reactor's version from pom.xml"

echo "== consumer: building .ci/consumer against io.arrowshm:arrow-shm-bom:$version"
(cd "$consumer" && mvn -B -q -Dstyle.color=never "$@" -Darrowshm.version="$version" clean package) \
  || die "the consumer project does not build against the installed artifacts (did the install run?)"

private_shm=()
if unshare -rm bash -c 'mount -t tmpfs tmpfs /dev/shm' 2>/dev/null; then
  private_shm=(unshare -rm bash -c 'mount -t tmpfs tmpfs /dev/shm && exec "$@"' private-shm)
else
  echo "consumer: no private /dev/shm here (unshare -rm failed); the quickstart uses the real one"
fi

locks="$(mktemp -d)"
trap 'rm -rf "$locks"' EXIT
failures=0
run() { # label java_binary flags... -- launch arguments...
  local label="$1" java="$2"; shift 2
  local out err status=0
  out="$(mktemp)"; err="$(mktemp)"
  (cd "$consumer" && PYSHMEM_LOCK_DIR="$locks" "${private_shm[@]}" "$java" "$@") >"$out" 2>"$err" || status=$?
  if [ "$status" -eq 0 ] && [ ! -s "$err" ] && [ "$(cat "$out")" = "1 count=1" ]; then
    echo "   ok   $label: $java $*"
  else
    echo "   FAIL $label (status $status): $java $*"
    sed 's/^/     stdout: /' "$out"; sed 's/^/     stderr: /' "$err"
    failures=$((failures + 1))
  fi
  rm -f "$out" "$err"
}

java17="java"
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java17="$JAVA_HOME/bin/java"; fi
feature="$("$java17" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "$feature" = "17" ] || die "the default java is JDK ${feature:-?}, not 17 (set JAVA_HOME to a JDK 17)"

classpath="target/classes:target/lib/*"
modulepath=(-p "target/classes:target/lib" -m example.quickstart/example.Quickstart)
# shellcheck disable=SC2046  # the README's flags are words
{
  run "JDK 17, class path" "$java17" $(flags "JDK 17 to 23, class path") -cp "$classpath" example.Quickstart
  run "JDK 17, module path" "$java17" $(flags "JDK 17 to 23, module path") "${modulepath[@]}"
  if [ -x "$jdk25/bin/java" ]; then
    run "JDK 25, class path" "$jdk25/bin/java" $(flags "JDK 24 and later, class path") -cp "$classpath" example.Quickstart
    run "JDK 25, module path" "$jdk25/bin/java" $(flags "JDK 24 and later, module path") "${modulepath[@]}"
  elif [ "${CI:-}" = "true" ]; then
    die "no JDK 25 at $jdk25 (set ARROWSHM_JDK25)"
  else
    echo "   skip JDK 25: none at $jdk25 (set ARROWSHM_JDK25)"
  fi
}
[ "$failures" -eq 0 ] || die "$failures run(s) of the README's quickstart failed (see above)"
echo "== consumer: ok"

#!/usr/bin/env bash
# JMH micro-benchmarks of the in-JVM pieces of the purchase hot path (src/test/java/**/*Benchmark.java;
# no server, no database, no Redis). Results in target/jmh/results.json.
#   bench/jmh.sh                          every benchmark (about 2.5 minutes)
#   bench/jmh.sh PurchaseTokens           the benchmarks whose name matches a regular expression
#   bench/jmh.sh -l                       list the benchmarks
#   bench/jmh.sh -f 2 -i 10 ErrorBodies   any JMH option (bench/jmh.sh -h) overrides the short defaults
# The short defaults are the benchmarks' own annotations: 1 fork, 3 x 1 s warm-up, 5 x 1 s measured (10
# warm-up iterations where a benchmark needs them); a command-line option applies to every benchmark.
# BENCH_JAVA picks the JVM (default: JDK 25 when present, as for the other benchmarks, else java on PATH).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"

if [ -z "${BENCH_JAVA:-}" ]; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
    BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  else
    BENCH_JAVA="$(command -v java)"
  fi
fi

CLASSPATH_FILE="$REPO_DIR/target/jmh/classpath.txt"
mkdir -p "$REPO_DIR/target/jmh"
echo "==> compiling the benchmarks (./mvnw -q -DskipTests test-compile)" >&2
# -proc:full: javac 23+ runs the classpath's annotation processors (JMH's generator) only when asked.
build() {
  (cd "$REPO_DIR" && ./mvnw -q -B -DskipTests -Dmaven.compiler.proc=full test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$CLASSPATH_FILE" >&2)
}
build
if [ ! -f "$REPO_DIR/target/test-classes/META-INF/BenchmarkList" ]; then
  # Test classes compiled earlier without the processor (javac 23+): compile them again.
  echo "==> no target/test-classes/META-INF/BenchmarkList: compiling the test classes again" >&2
  rm -rf "$REPO_DIR/target/test-classes"
  build
  [ -f "$REPO_DIR/target/test-classes/META-INF/BenchmarkList" ] \
    || { echo "JMH's annotation processor did not run: no target/test-classes/META-INF/BenchmarkList" >&2; exit 1; }
fi

args=(-rf json -rff "$REPO_DIR/target/jmh/results.json")
case " $* " in *" -rf "* | *" -rff "*) args=() ;; esac
echo "==> $BENCH_JAVA -cp ... org.openjdk.jmh.Main ${args[*]} $*" >&2
exec "$BENCH_JAVA" -cp "$REPO_DIR/target/test-classes:$REPO_DIR/target/classes:$(cat "$CLASSPATH_FILE")" \
  org.openjdk.jmh.Main "${args[@]}" "$@"

#!/usr/bin/env bash
# Sourced by run.sh and sale.sh: installs what the benchmarks need on a fresh Debian machine (wrk and
# nginx from Debian's packages, the PostgreSQL and Redis clients, Python 3), picks the JDK and builds the
# application jar when it is missing or older than the sources.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${need[*]}"
  # Keep the nginx package from starting its own service: the benchmark runs nginx with its own config.
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
fi
export PATH="$PATH:/usr/sbin"

# JDK 25 when present (the budget's figures are taken on it), else the java on PATH.
if [ -z "${BENCH_JAVA:-}" ]; then
  if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
    BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  else
    BENCH_JAVA="$(command -v java)"
  fi
fi
export BENCH_JAVA

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
reachable 127.0.0.1 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
reachable 127.0.0.1 6379 || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }

JAR="$REPO_DIR/target/seckill-0.1.0-SNAPSHOT.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$REPO_DIR/src/main" "$REPO_DIR/pom.xml" -newer "$JAR" -print -quit)" ]; then
  echo "==> building the jar (./mvnw -q -DskipTests package)"
  (cd "$REPO_DIR" && ./mvnw -q -B -DskipTests package)
fi

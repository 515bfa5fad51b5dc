#!/usr/bin/env bash
# Runs every failure drill against a fresh one-machine cluster (deploy/local/cluster.sh up --ha
# --pg own: its own Redis primary, replica and Sentinels, its own throwaway PostgreSQL, nginx then
# HAProxy), prints one verdict line per drill and stops everything it started. Exit status 0 only when
# every drill passed. Results and how to read them: docs/operations.md.
#
#   deploy/drills/run-all.sh                      # all drills, about 6-10 minutes on 2 cores
#   deploy/drills/run-all.sh api-kill pg-restart  # some of them
#
# SECKILL_DRILLS_BUDGET (seconds, default 900) bounds the whole run; the cluster is stopped either way.
# SECKILL_DRILLS_LOGS=DIR keeps every process's log there (default: dropped with the cluster).
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '\n==> %s\n' "$*"; }

# Debian packages the drills use; their services are kept from starting on install (policy-rc.d),
# since the packaged defaults would listen on 80, 6379, 26379 and 5432.
missing=()
for pair in nginx:nginx haproxy:haproxy redis-server:redis-server redis-sentinel:redis-sentinel \
  redis-cli:redis-tools wrk:wrk psql:postgresql-client curl:curl python3:python3; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if ((${#missing[@]})); then
  log "Installing ${missing[*]}"
  policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  if ((policy_added)); then rm -f /usr/sbin/policy-rc.d; fi
fi

if ! ls target/seckill-*.jar >/dev/null 2>&1; then
  log "Building the jar"
  ./mvnw -q -B -ntp -DskipTests package
fi

work=$(mktemp -d /tmp/seckill-drills-XXXXXX)
chmod 755 "$work"
cluster="$work/cluster"
logs=${SECKILL_DRILLS_LOGS:-$work/logs}
cleanup() {
  # drills.py stops its cluster itself; this catches a run cut short by the time budget.
  if [[ -d $cluster ]]; then SECKILL_CLUSTER_DIR=$cluster deploy/local/cluster.sh down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

log "Failure drills (load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores before the start)"
status=0
timeout --signal=TERM --kill-after=60 "${SECKILL_DRILLS_BUDGET:-900}" \
  python3 deploy/drills/drills.py --cluster-dir "$cluster" --keep-logs "$logs" "${@:-all}" || status=$?
if ((status != 0)) && [[ -d $logs ]]; then
  # The end of each process's log, for a failed run in CI where the files are gone afterwards.
  for f in "$logs"/*.log; do
    printf '\n---- %s (last 15 lines)\n' "$(basename "$f")"
    tail -n 15 "$f"
  done
fi
exit "$status"

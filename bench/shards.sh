#!/usr/bin/env bash
# Admission of one hot item on one Redis, on a Redis Cluster of 1 shard and on one of 3 shards, then three
# sales on the 3 shards, each through its own node in the same run, with per-process CPU:
#   bench/shards.sh --runs 3 --duration 10
# (see `bench/seckill_bench.py shards --help`). Starts the two clusters from redis-server on free ports.
# Writes results.json and report.html under bench/results/.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
command -v redis-server >/dev/null 2>&1 || { echo "bench/shards.sh needs redis-server (apt-get install redis-server)" >&2; exit 1; }
exec python3 "$BENCH_DIR/seckill_bench.py" shards "$@"

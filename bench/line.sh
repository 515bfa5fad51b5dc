#!/usr/bin/env bash
# The waiting room: a join storm of U shoppers, then their status polls (draw open; draw closed, ranks read
# once, then kept), each next to ping on the same node, with Redis commands per request:
#   bench/line.sh --users 100000 --runs 1 --duration 10
# (see `bench/seckill_bench.py line --help`). Writes results.json and report.html under bench/results/.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec python3 "$BENCH_DIR/seckill_bench.py" line "$@"

#!/usr/bin/env bash
# The standard scenarios, each next to its baselines in the same run (docs/benchmarks.md):
#   bench/run.sh             3 runs of 10 s per scenario (about 10 minutes)
#   bench/run.sh --smoke     one run of 3 s per scenario, 1,000 users (about 2-3 minutes; warm-up at most
#                            10 s per path, so it may not settle: the log and report say so)
# Any option of `bench/seckill_bench.py suite --help` may follow (--runs, --duration, --users, ...).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec python3 "$BENCH_DIR/seckill_bench.py" suite "$@"

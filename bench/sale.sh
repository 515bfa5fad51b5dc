#!/usr/bin/env bash
# One simulated sale: bench/sale.sh --users 5000 --stock 1000 --items 1 --limit 1 --connections 64 --duration 10
# (see `bench/seckill_bench.py sale --help`). Writes results.json and report.html under bench/results/.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec python3 "$BENCH_DIR/seckill_bench.py" sale "$@"

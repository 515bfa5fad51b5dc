#!/usr/bin/env bash
# The writer drain alone, on PostgreSQL and MariaDB from the same run, printed side by side:
#   bench/drain.sh --db postgresql,mariadb          3 runs per database, >= 200,000 orders each
# Any option of `bench/seckill_bench.py drain --help` may follow (--runs, --drain-min, --drain-batch, ...).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec python3 "$BENCH_DIR/seckill_bench.py" drain "$@"

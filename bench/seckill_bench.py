#!/usr/bin/env python3
"""Load generator driver for seckill (bench/run.sh, bench/sale.sh, bench/drain.sh): the code is in the
package bench/seckill_bench/ (one module per concern; see its __init__.py). `seckill_bench.py --help`
lists the commands and options."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from seckill_bench.cli import main  # noqa: E402

if __name__ == "__main__":
    main()

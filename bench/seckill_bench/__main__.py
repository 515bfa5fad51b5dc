"""python3 -m seckill_bench (from bench/): the same as bench/seckill_bench.py."""

from .cli import main

main()

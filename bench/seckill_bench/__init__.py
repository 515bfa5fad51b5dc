"""seckill's benchmark driver (bench/seckill_bench.py, bench/run.sh, bench/sale.sh, bench/drain.sh).

  processes.py  the processes a run starts (nodes, nginx, Redis replica) and stops
  stores.py     psql, mariadb and redis-cli
  cpu.py        CPU accounting from /proc
  api.py        set-up through the HTTP API (users, activities)
  jvm.py        GC pauses and JFR profiles of the nodes
  load.py       one wrk load run with its latency probe
  warmup.py     warm-up until the throughput is stable
  drain.py      the writer drain
  audit.py      the invariant audit from the database and Redis
  bench.py      Bench: one run's environment, set-up and clean-up (the mixins above)
  scenarios.py  suite, sale, drain
  summary.py    summary lines; report.py: results.json, report.html, markdown
  cli.py        the command line
"""

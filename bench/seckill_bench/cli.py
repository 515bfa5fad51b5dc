"""Load generator driver for seckill: starts the app from its jar against the machine's PostgreSQL and
Redis (its own database and key prefix), creates and logs in users, runs wrk (bench/lua/sale.lua) with a
one-connection latency probe next to it (bench/lua/probe.lua), audits the invariants straight from
PostgreSQL and Redis, and writes results.json and a self-contained report.html.

Standard library only; talks to PostgreSQL and Redis through psql and redis-cli. Every process it starts
is stopped at the end (also on Ctrl-C or a time-out), its database is dropped and its Redis keys deleted.

  seckill_bench.py suite [--smoke] [--runs N] [--duration S] ...   the standard scenarios (bench/run.sh)
  seckill_bench.py sale  --users U --stock S --connections C --duration D --items N ...   one sale
  seckill_bench.py line  --users U --duration D ...   the waiting room: join storm and status polls
"""

import argparse
import atexit
import datetime
import json
import os
import signal
import sys

from .bench import Bench
from .drain import drain_lines
from .report import markdown, write_report
from .scenarios import drains, sale, shards, suite
from .scenarios import line as waiting_room
from .summary import summarize
from .util import REPO, loadavg, log


def parse_args(argv=None):
    """The command line (sys.argv[1:] when argv is None), with --smoke and the warm-up's cap applied."""
    parser = argparse.ArgumentParser(prog="seckill_bench.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["suite", "sale", "line", "shards", "drain", "markdown"])
    parser.add_argument("results", nargs="?", help="results.json (markdown command)")
    parser.add_argument("--smoke", action="store_true", help="a few seconds per scenario, one run, few users")
    parser.add_argument("--runs", type=int, default=3, help="iterations of the suite (each scenario once per run)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured load run")
    parser.add_argument("--warmup", type=int, default=None,
                        help="at most this many seconds of unrecorded warm-up per warmed path (default 90; 10 with "
                             "--smoke): it ends sooner when the throughput is stable (--warmup-window, "
                             "--warmup-tolerance); a path that did not settle is flagged in the log, results.json "
                             "and report.html")
    parser.add_argument("--warmup-window", type=int, default=3,
                        help="seconds per warm-up window (each window's req/s is compared with the one before)")
    parser.add_argument("--warmup-tolerance", type=float, default=5,
                        help="warm-up settled: two consecutive windows' req/s within this %% of each other")
    parser.add_argument("--users", "-u", type=int, default=10000, help="shoppers created and logged in")
    parser.add_argument("--stock", "-s", type=int, default=1000, help="units per item (sale command)")
    parser.add_argument("--line-rate", type=int, default=1,
                        help="line command: the waiting room's admitPerSecond (low: the polled shoppers stay WAITING)")
    parser.add_argument("--items", type=int, default=1, help="items per activity: 1 = one hot item, more = spread")
    parser.add_argument("--limit", type=int, default=1, help="per-user limit (sale command)")
    parser.add_argument("--connections", "-c", type=int, default=64)
    parser.add_argument("--threads", "-t", type=int, default=1, help="wrk threads")
    parser.add_argument("--soldout-stock", type=int, default=1000)
    parser.add_argument("--soldout-without-keys", action="store_true",
                        help="also run the sold-out storm without Idempotency-Key headers")
    parser.add_argument("--no-lb", dest="lb", action="store_false", help="skip the nginx -> 2 nodes scenario")
    parser.add_argument("--no-tokens", dest="tokens", action="store_false",
                        help="skip node T and its scenarios (no token, forged token, token + purchase flow)")
    parser.add_argument("--token-rate-limit", type=int, default=1000,
                        help="node T's seckill.purchase-token.rate-limit (token requests per shopper per second)")
    parser.add_argument("--no-drain", dest="drain", action="store_false",
                        help="no writer drain per run (one unmeasured drain at the end, for the audit)")
    parser.add_argument("--drain-min", type=int, default=200_000, help="entries in the stream before a drain")
    parser.add_argument("--drain-consumers", type=int, default=None)
    parser.add_argument("--drain-batch", type=int, default=None)
    parser.add_argument("--drain-timeout", type=int, default=240)
    parser.add_argument("--drain-variant", action="append", default=[],
                        help="after each drain, refill and drain again with other settings, e.g. "
                             "'consumers=2,batch=500' (repeatable)")
    parser.add_argument("--db", default="postgresql",
                        help="drain command: postgresql, mariadb or both, e.g. postgresql,mariadb (the machine's "
                             "servers on 127.0.0.1:5432 and :3306, each run in a database of its own)")
    parser.add_argument("--pg-options", default="", help="extra PgJDBC URL options, e.g. reWriteBatchedInserts=true")
    parser.add_argument("--mariadb-options", default="",
                        help="extra MariaDB Connector/J URL options, e.g. useBulkStmts=true")
    parser.add_argument("--probe-interval-ms", type=int, default=5)
    parser.add_argument("--quiet-wait", type=int, default=90,
                        help="before each measured run, wait up to this many seconds for a quiet machine (0: never)")
    parser.add_argument("--quiet-cpu", type=float, default=25,
                        help="'quiet': other people's processes use less than this %% of one core")
    parser.add_argument("--busy-cpu", type=float, default=40,
                        help="a run during which others used more than this %% of one core is measured again")
    parser.add_argument("--retry-busy", type=int, default=2, help="how many times a busy run is measured again")
    parser.add_argument("--setup-threads", type=int, default=12)
    parser.add_argument("--java", default=os.environ.get("BENCH_JAVA", "java"))
    parser.add_argument("--jar", default=os.path.join(REPO, "target", "seckill-0.1.0-SNAPSHOT.jar"))
    parser.add_argument("--heap", default="512m")
    parser.add_argument("--jvm-opt", action="append", default=[], help="extra JVM option (repeatable)")
    parser.add_argument("--app-arg", action="append", default=[], help="extra application argument for every node")
    parser.add_argument("--variant-arg", action="append", default=[],
                        help="start node V with this extra argument (repeatable) and measure ping, admission and the "
                             "sold-out storm on it next to node A in every run: an A/B test of a setting")
    parser.add_argument("--login-flood", type=int, default=32,
                        help="connections of the login flood beside admissions on node L (BCrypt 10); 0: skip")
    parser.add_argument("--redis-replica", action="store_true",
                        help="attach a replica of its own to the bench's Redis, for an A/B of replica "
                             "acknowledgements: --redis-replica --variant-arg=--seckill.purchase.replica-acks=1")
    parser.add_argument("--variant-jar", default=None,
                        help="node V runs this jar (another build, e.g. the commit before a change) instead of --jar")
    parser.add_argument("--variant-jvm-opt", action="append", default=[],
                        help="start node V with this extra JVM option (repeatable), as --variant-arg does for an "
                             "application argument: e.g. --variant-jvm-opt=-XX:+UseZGC")
    parser.add_argument("--out", help="output directory (default bench/results/<time>)")
    parser.add_argument("--max-minutes", type=float, default=40, help="abort (and clean up) after this long")
    parser.add_argument("--quiet", action="store_true", help="no per-second progress lines")
    parser.add_argument("--profile", action="store_true",
                        help="record JFR on node A during the first run's ping, admission and sold-out storm")
    args = parser.parse_args(argv)
    if args.command != "markdown":
        if args.warmup_window < 1 or (args.warmup is not None and args.warmup < 0) or args.warmup_tolerance < 0:
            parser.error("--warmup-window must be >= 1 s, --warmup and --warmup-tolerance >= 0")
        if args.warmup is None:  # the cap of each path's warm-up
            args.warmup = 10 if args.smoke else 90
        if args.smoke:
            args.runs, args.duration = 1, 3
            args.users = min(args.users, 1000)
            args.drain_min = 0
            args.max_minutes = min(args.max_minutes, 10)
            args.quiet_wait = 0
            args.retry_busy = 0
    return args


def main():
    args = parse_args()
    if args.command == "markdown":
        with open(args.results) as f:
            results = json.load(f)
        summarize(results)
        print(markdown(results))
        return

    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    if args.command == "drain":
        drain_command(args)
        return
    bench = Bench(args)
    atexit.register(bench.cleanup)
    failed = None
    try:
        {"suite": suite, "sale": sale, "line": waiting_room, "shards": shards}[args.command](bench)
    except BaseException as ex:  # report what was measured, then clean up
        failed = f"{type(ex).__name__}: {ex}"
        log(f"FAILED: {failed}")
    finally:
        for name in list(bench.nodes):
            bench.stop_node(name)
        bench.results["failed"] = failed
        bench.results["ended"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        bench.results["loadavg_at_end"] = loadavg()
        lines = summarize(bench.results)
        write_report(bench.results, bench.out)
        bench.cleanup()
        print()
        for line in lines:
            print(line)
        print(f"\nresults: {os.path.join(bench.out, 'results.json')}\nreport:  {os.path.join(bench.out, 'report.html')}")
    sys.exit(1 if failed or not all(a["ok"] for a in bench.results["audits"]) else 0)


def drain_command(args):
    benches, failed = [], None
    try:
        drains(args, benches)
    except BaseException as ex:
        failed = f"{type(ex).__name__}: {ex}"
        log(f"FAILED: {failed}")
    finally:
        for bench in benches:
            for name in list(bench.nodes):
                bench.stop_node(name)
            bench.results["failed"] = failed
            bench.results["ended"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
            bench.results["loadavg_at_end"] = loadavg()
            summarize(bench.results)
            lines = drain_lines([bench])
            bench.results["drain_summary"] = lines
            write_report(bench.results, bench.out)
            bench.cleanup()
        lines = drain_lines(benches)
        print()
        for line in lines:
            print(line)
        if benches:
            with open(os.path.join(os.path.dirname(benches[0].out), "drain-summary.txt"), "w") as f:
                f.write(" ".join(sys.argv) + "\n" + "\n".join(lines) + "\n")
            print(f"\nresults: {os.path.dirname(benches[0].out)}/<database>/results.json")
    ok = not failed and all(a["ok"] for b in benches for a in b.results["audits"])
    sys.exit(0 if ok else 1)

"""The warm-up's settle rule and where its record goes, without load: python3 -m unittest discover bench/tests"""

import json
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from seckill_bench import cli, report, scenarios, summary, warmup  # noqa: E402


def fake_windows(rates):
    """A measure() that returns the given rates one window after the other, and the seconds it was asked."""
    asked = []
    it = iter(rates)

    def measure(seconds):
        asked.append(seconds)
        return next(it)
    return measure, asked


class SettleRule(unittest.TestCase):
    def test_two_windows_within_tolerance(self):
        self.assertTrue(warmup.settled([1000, 1040], 5))
        self.assertTrue(warmup.settled([1040, 1000], 5))
        self.assertTrue(warmup.settled([950, 1000], 5))  # exactly 5 % of the larger: settled
        self.assertTrue(warmup.settled([100, 5000, 5100], 5))  # only the last two count

    def test_not_within_tolerance(self):
        self.assertFalse(warmup.settled([1000, 1060], 5))
        self.assertFalse(warmup.settled([5000, 5100, 100], 5))
        self.assertFalse(warmup.settled([1000, 1040], 2))

    def test_needs_two_windows_and_some_throughput(self):
        self.assertFalse(warmup.settled([], 5))
        self.assertFalse(warmup.settled([1000], 5))
        self.assertFalse(warmup.settled([0, 0], 5))


class WarmUntilStable(unittest.TestCase):
    def run_rule(self, rates, window, cap, tolerance=5):
        measure, asked = fake_windows(rates)
        said = []
        record = warmup.warm_until_stable(measure, window, cap, tolerance, "ping on node A", say=said.append)
        return record, asked, said

    def test_settles_and_stops_early(self):
        # A cold JVM: slow, then the JIT kicks in, then stable. The rates after the settle are never asked.
        record, asked, said = self.run_rule([5000, 20000, 46000, 47000, 1, 1], window=3, cap=90)
        self.assertTrue(record["settled"])
        self.assertEqual(record["windows"], [5000, 20000, 46000, 47000])
        self.assertEqual(record["seconds"], 12)
        self.assertEqual(asked, [3, 3, 3, 3])
        self.assertEqual(len(said), 5)  # one line per window, then the verdict
        self.assertIn("settled after 12 s", said[-1])
        self.assertNotIn("WARNING", " ".join(said))

    def test_capped_without_settling(self):
        # Still climbing 20 % a window: 30 windows of 3 s fill the 90 s cap, then a warning.
        rates = [1000 * 1.2 ** k for k in range(100)]
        record, asked, said = self.run_rule(rates, window=3, cap=90)
        self.assertFalse(record["settled"])
        self.assertEqual(len(record["windows"]), 30)
        self.assertEqual(record["seconds"], 90)
        self.assertEqual(record["cap_s"], 90)
        self.assertEqual(sum(asked), 90)
        self.assertTrue(said[-1].startswith("WARNING: warm-up ping on node A did not settle within 90 s"))
        self.assertIn("cold JVM", said[-1])

    def test_smoke_cap_uses_whole_windows_only(self):
        # --smoke: cap 10 s, windows of 3 s: at most 3 windows (9 s), never a 4th that would pass the cap.
        record, asked, _ = self.run_rule([1000, 2000, 3000, 4000, 5000], window=3, cap=10)
        self.assertFalse(record["settled"])
        self.assertEqual(asked, [3, 3, 3])
        self.assertEqual(record["seconds"], 9)

    def test_smoke_cap_can_settle(self):
        record, asked, _ = self.run_rule([30000, 30500, 1], window=3, cap=10)
        self.assertTrue(record["settled"])
        self.assertEqual(asked, [3, 3])

    def test_cap_shorter_than_a_window(self):
        record, asked, _ = self.run_rule([1000, 1000], window=3, cap=2)
        self.assertEqual(asked, [2])  # one window as long as the cap: cannot settle
        self.assertFalse(record["settled"])

    def test_no_warm_up(self):
        record, asked, said = self.run_rule([], window=3, cap=0)
        self.assertEqual(asked, [])
        self.assertFalse(record["settled"])
        self.assertIn("WARNING", said[-1])

    def test_tolerance(self):
        record, _, _ = self.run_rule([1000, 1080, 1100], window=3, cap=90, tolerance=10)
        self.assertEqual(record["windows"], [1000, 1080])
        record, _, _ = self.run_rule([1000, 1080, 1100, 1105], window=3, cap=90, tolerance=1)
        self.assertEqual(record["windows"], [1000, 1080, 1100, 1105])
        self.assertEqual(record["tolerance_pct"], 1)


class Options(unittest.TestCase):
    def test_cap_defaults(self):
        self.assertEqual(cli.parse_args(["suite"]).warmup, 90)
        self.assertEqual(cli.parse_args(["suite", "--smoke"]).warmup, 10)
        self.assertEqual(cli.parse_args(["sale", "--smoke", "--warmup", "30"]).warmup, 30)
        args = cli.parse_args(["drain", "--warmup-window", "5", "--warmup-tolerance", "2.5"])
        self.assertEqual((args.warmup_window, args.warmup_tolerance), (5, 2.5))

    def test_smoke_still_short(self):
        args = cli.parse_args(["suite", "--smoke"])
        self.assertEqual((args.runs, args.duration, args.quiet_wait), (1, 3, 0))

    def test_bad_window(self):
        with mock.patch("sys.stderr"), self.assertRaises(SystemExit):
            cli.parse_args(["suite", "--warmup-window", "0"])


class FakeBench:
    """What the scenarios use of Bench, without processes: every wrk call answers a fixed rate per port."""

    def __init__(self, args, rates):
        self.args, self.rates, self.calls, self.activities = args, rates, [], 0
        self.results = {"runs": [], "audits": []}
        self.nodes, self.nginx, self.prefix = {}, None, "bench-test:"

    def environment(self):
        pass

    def setup(self):
        pass

    def start_node(self, name, roles, **_):
        self.nodes[name] = {"port": 1000 + len(self.nodes)}

    def start_nginx(self):
        self.nginx = {"port_static": 80, "port_lb": 81}

    def create_users(self, count):
        pass

    def create_activity(self, name, stock, items=1, limit=100):
        self.activities += 1
        return {"id": self.activities, "items": [1], "name": name}

    def purchase_paths(self, activity):
        return f"/purchases/{activity['id']}"

    def wrk(self, label, port, method, paths, duration, **kwargs):
        self.calls.append((label, port, method, paths, duration, kwargs))
        rate = self.rates.get(port, 10000) if label is None else 10000
        return {"rps": rate, "outcomes": {"202": 7}, "probe": None, "attempts": 1}

    def stream_backlog(self):
        return 0

    def drain(self, *args, **kwargs):
        pass

    def audit(self, client_queued=None, full_ticket_scan=False):
        self.client_queued = client_queued


class SuiteWarmsEveryPath(unittest.TestCase):
    def test_suite(self):
        args = cli.parse_args(["suite", "--smoke"])
        # Node A (port 1000) settles at once; node T's ping (port 1002) keeps climbing: capped, not settled.
        climbing = iter(range(1000, 100000, 1000))
        bench = FakeBench(args, {1000: 20000})
        real_wrk = bench.wrk

        def wrk(label, port, *rest, **kwargs):
            result = real_wrk(label, port, *rest, **kwargs)
            if label is None and port == 1002 and rest[1] == "/api/v1/ping":
                result["rps"] = next(climbing)
            return result
        bench.wrk = wrk
        with mock.patch.object(scenarios, "redis_cli", return_value="0"), mock.patch.object(warmup, "log"), \
                mock.patch.object(scenarios, "log"):
            scenarios.suite(bench)
        warm = bench.results["warmup"]
        self.assertEqual(list(warm), ["ping on node A", "purchases on node A", "purchases on node L",
                                      "purchases through nginx -> 2 nodes", "ping on node T",
                                      "forged-token purchases on node T", "token + purchase flow on node T"])
        self.assertTrue(warm["ping on node A"]["settled"])
        self.assertEqual(warm["ping on node A"]["seconds"], 6)
        self.assertFalse(warm["ping on node T"]["settled"])
        self.assertEqual(warm["ping on node T"]["windows"], [1000, 2000, 3000])
        warm_calls = [c for c in bench.calls if c[0] is None and c[3].startswith(("/api/v1/ping", "/purchases/1"))]
        self.assertTrue(all(c[5]["record"] is False and c[5]["probe"] is False for c in warm_calls))
        self.assertTrue(all(c[4] == 3 for c in warm_calls))
        forged = [c for c in warm_calls if c[5].get("ptoken") == "forged"]
        self.assertEqual(len(forged), 2)
        # Every warm-up window that bought something is counted for the audit (202s seen, wrk invocations).
        counted = [c for c in warm_calls if c[2] == "POST" and c[5].get("ptoken") != "forged"]
        self.assertEqual(bench.client_queued[1], (7 * len(counted), len(counted)))

        lines = summary.summarize(bench.results)
        self.assertTrue(lines[0].startswith("warm-up did not settle, figures may be from a cold JVM: ping on node T"))
        out = tempfile.mkdtemp()
        try:
            bench.results.update({"id": "test", "started": "now", "argv": ["suite", "--smoke"], "gc": {},
                                  "environment": {}})
            report.write_report(bench.results, out)
            with open(os.path.join(out, "results.json")) as f:
                self.assertFalse(json.load(f)["warmup"]["ping on node T"]["settled"])
            with open(os.path.join(out, "report.html")) as f:
                page = f.read()
            self.assertIn("<h2>Warm-up</h2>", page)
            self.assertIn("Warm-up did not settle</b> on ping on node T", page)
        finally:
            shutil.rmtree(out)

    def test_sale_counts_every_window(self):
        args = cli.parse_args(["sale", "--warmup", "30"])
        bench = FakeBench(args, {1000: 15000})
        with mock.patch.object(warmup, "log"), mock.patch.object(scenarios, "log"):
            scenarios.sale(bench)
        self.assertTrue(bench.results["warmup"]["purchases on node A"]["settled"])
        warm_id = 2  # the sale's activity is 1, the warm-up's 2
        self.assertEqual(bench.client_queued[warm_id], (14, 2))
        self.assertEqual(summary.summarize(bench.results), [])


class BenchComposes(unittest.TestCase):
    def test_mixins(self):
        from seckill_bench.bench import Bench
        out = tempfile.mkdtemp()
        try:
            bench = Bench(cli.parse_args(["suite", "--out", out]))
            for name in ("start_node", "start_nginx", "collect_gc", "create_users", "wrk", "wrk_once", "drain",
                         "audit", "stream_backlog", "cleanup", "environment"):
                self.assertTrue(callable(getattr(bench, name)), name)
            shutil.rmtree(bench.tmp)
        finally:
            shutil.rmtree(out)


if __name__ == "__main__":
    unittest.main()

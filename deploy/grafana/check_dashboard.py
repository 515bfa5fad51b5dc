#!/usr/bin/env python3
"""Checks the Grafana dashboard's queries (deploy/grafana/seckill-dashboard.json).

  python3 deploy/grafana/check_dashboard.py                       # every query parses (promtool)
  python3 deploy/grafana/check_dashboard.py --prometheus URL      # and returns data from that Prometheus
  python3 deploy/grafana/check_dashboard.py --prometheus URL --during-sale   # and shows the sale

The first form turns every panel's query into a recording rule and runs `promtool check rules` on
them (CI runs it). The second also asks a Prometheus that scrapes a running cluster (drill
`dashboard` does, during a sale) and fails for a query that errors, returns nothing or only NaN, and
with --during-sale for a traffic, latency or write panel that shows no activity. Grafana's
interval variables become fixed ranges. Exit status 0 when every query passed. Standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DASHBOARD = os.path.join(HERE, "seckill-dashboard.json")
# Grafana's built-in variables, as fixed values a plain Prometheus query takes.
VARIABLES = {"$__rate_interval": "30s", "$__interval": "10s", "$__range": "5m"}
# Panels that show a positive value while a sale sells (--during-sale): traffic, latency, writes.
SALE_SIGNALS = {"Purchases per second, by answer", "Admitted purchases per second, by sale",
                "Purchase-token requests per second, by answer",
                "Purchase latency", "Orders written per second, by outcome", "Writer batch latency",
                "HTTP answers per second, by status", "Nodes answering, by role", "CPU per node",
                "Heap used per node"}


def queries(path=DASHBOARD):
    """(panel title, refId, the query with Grafana's variables replaced) for every panel's target."""
    with open(path) as f:
        dashboard = json.load(f)
    found = []
    for panel in dashboard["panels"]:
        targets = panel.get("targets") or []
        if not targets:
            raise ValueError(f"panel {panel.get('title')!r} has no query")
        for target in targets:
            expr = target["expr"]
            for name, value in VARIABLES.items():
                expr = expr.replace(name, value)
            if "$" in expr:
                raise ValueError(f"panel {panel['title']!r} uses a variable this check does not know: {expr}")
            found.append((panel["title"], target["refId"], expr))
    return found


def check_syntax(found):
    """promtool parses every query (as a recording rule); returns the problems."""
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:panel_{i}", "expr": expr} for i, (_, _, expr) in enumerate(found)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        json.dump(rules, f)  # JSON is YAML
        path = f.name
    try:
        result = subprocess.run(["promtool", "check", "rules", path], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    finally:
        os.unlink(path)
    return [] if result.returncode == 0 else [f"promtool refused a query: {result.stdout.strip()}"]


def check_data(found, prometheus, during_sale=False):
    """Every query returns at least one series with a number (not NaN: a quantile of nothing) from
    `prometheus`, and during a sale the sale's signals a positive one; returns (figures, problems)."""
    problems, figures = [], []
    for title, ref, expr in found:
        url = f"{prometheus.rstrip('/')}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                answer = json.load(response)
        except (OSError, ValueError) as ex:
            problems.append(f"{title} ({ref}): {ex}")
            continue
        result = answer.get("data", {}).get("result", [])
        if answer.get("status") != "success":
            problems.append(f"{title} ({ref}): {answer.get('error')}")
        elif not result:
            problems.append(f"{title} ({ref}): no data for {expr}")
        else:
            values = [float(series["value"][1]) for series in result]
            numbers = [v for v in values if v == v and abs(v) != float("inf")]
            top = max(numbers) if numbers else None
            if not numbers:
                problems.append(f"{title} ({ref}): only NaN or infinite values for {expr}")
            elif during_sale and title in SALE_SIGNALS and top <= 0:
                problems.append(f"{title} ({ref}): {top} during a sale, want > 0 ({expr})")
            else:
                figures.append(f"{title} ({ref}): {len(result)} series, max {top:.4g}")
    return figures, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prometheus", help="also query this Prometheus (e.g. http://127.0.0.1:9090)")
    parser.add_argument("--during-sale", action="store_true",
                        help="a sale is selling now: its traffic, latency and write panels must be positive")
    parser.add_argument("--dashboard", default=DASHBOARD)
    args = parser.parse_args()
    found = queries(args.dashboard)
    problems = check_syntax(found)
    figures = []
    if args.prometheus and not problems:
        figures, problems = check_data(found, args.prometheus, args.during_sale)
    for line in figures:
        print("  " + line)
    for line in problems:
        print("  FAIL " + line)
    where = f" against {args.prometheus}" if args.prometheus else " (syntax)"
    print(f"dashboard: {len(found)} queries{where}: {'all passed' if not problems else f'{len(problems)} failed'}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())

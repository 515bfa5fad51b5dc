"""results.json, the self-contained report.html (inline SVG charts) and the markdown tables."""

import html
import json
import os

from .util import nonzero
from .warmup import unsettled


COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def svg_chart(title, series, y_label, width=560, height=220):
    """Line chart as inline SVG. series: [(name, [(x, y), ...])]."""
    points = [p for _, pts in series for p in pts]
    if not points:
        return ""
    max_x = max(p[0] for p in points) or 1
    max_y = max(p[1] for p in points) or 1
    left, right, top, bottom = 60, 10, 24, 30
    w, h = width - left - right, height - top - bottom

    def sx(x):
        return left + w * x / max_x

    def sy(y):
        return top + h - h * y / max_y

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">',
             f'<text x="{left}" y="14" font-weight="bold">{html.escape(title)}</text>',
             f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#ccc"/>']
    for k in range(5):
        value = max_y * k / 4
        y = sy(value)
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{human(value)}</text>')
    parts.append(f'<text x="{left + w}" y="{height - 6}" text-anchor="end">{max_x:.0f} s</text>')
    parts.append(f'<text x="{left}" y="{height - 6}">0</text>')
    parts.append(f'<text x="{left + 30}" y="{height - 6}">{html.escape(y_label)}</text>')
    legend_x = left + 8
    for index, (name, pts) in enumerate(series):
        color = COLORS[index % len(COLORS)]
        if pts:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{path}"/>')
        parts.append(f'<text x="{legend_x}" y="{top + 14 + 13 * index}" fill="{color}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def human(value):
    if value >= 1_000_000:
        return f"{value / 1e6:.1f}M"
    if value >= 1000:
        return f"{value / 1000:.0f}k"
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def warmup_html(results):
    """The warm-up of every warmed path: settled or not (then its figures may be from a cold JVM)."""
    warm = results.get("warmup") or {}
    if not warm:
        return ""
    cold = unsettled(results)
    if cold:
        note = ("<p class='warn'><b>Warm-up did not settle</b> on " + html.escape(", ".join(cold)) +
                " within the cap: the figures measured there may be from a cold JVM (JIT still compiling).</p>")
    else:
        note = "<p>Every warmed path settled before the first measured run.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td{'' if w['settled'] else ' class=warn'}>"
        f"{'settled' if w['settled'] else 'NOT settled'}</td>"
        f"<td>{html.escape(', '.join(f'{r:,.0f}' for r in w['windows']))}</td><td>{w['seconds']}</td>"
        f"<td>{w['cap_s']}</td><td>{w['window_s']}</td><td>{w['tolerance_pct']:g} %</td></tr>"
        for label, w in warm.items())
    return (f"<h2>Warm-up</h2>{note}<table><tr><th>path</th><th>warm-up</th><th>windows (req/s)</th>"
            f"<th>seconds</th><th>cap (s)</th><th>window (s)</th><th>tolerance</th></tr>{rows}</table>")


def write_report(results, out):
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    env = results.get("environment", {})
    rows = []
    for key, value in env.items():
        rows.append(f"<tr><th>{html.escape(key)}</th><td>{html.escape(str(value))}</td></tr>")
    body = [f"<h1>seckill benchmark {html.escape(results['id'])}</h1>",
            f"<p>Started {html.escape(results['started'])}; arguments <code>{html.escape(' '.join(results['argv']))}</code>.</p>",
            "<h2>Summary</h2><pre>" + html.escape("\n".join(results.get("summary", {}).get("lines", []))) + "</pre>",
            "<h2>Machine</h2><table>" + "".join(rows) + "</table>"]
    if results.get("warmup"):  # after the summary: whether the figures may be from a cold JVM
        body.insert(3, warmup_html(results))
    body.append("<h2>Runs</h2>")
    for run_ in results["runs"]:
        if run_["scenario"].startswith("drain") or run_["scenario"] == "final-drain":
            title = f"{run_['label']} #{run_['iteration']}: {run_['orders_per_s']:,.0f} orders/s, " \
                    f"{run_['orders_written']:,} orders"
            charts = [svg_chart("orders written per second", [("orders/s", [(p["t"], p["orders_per_s"]) for p in run_["series"]])], "orders/s"),
                      svg_chart("stream backlog", [("entries", [(p["t"], p["backlog"]) for p in run_["series"]])], "entries")]
            facts = {"backlog before": run_["backlog_before"], "seconds writing": run_["seconds_writing"],
                     "worker threads (% of one core)": run_.get("worker_threads"),
                     "load before": run_["loadavg_before"], "CPU % of one core": run_["cpu_pct_of_one_core"]}
        else:
            lat = run_["latency_us"]
            name = run_["label"] or f"{run_['scenario']} (set-up, not a measured run)"
            if run_.get("discarded"):
                name += f" [discarded: {run_['discarded']}]"
            title = (f"{name} #{run_['iteration']}: {run_['rps']:,.0f} req/s, p50 {lat['percentiles']['50'] / 1000:.2f} ms, "
                     f"p99 {lat['percentiles']['99'] / 1000:.2f} ms, p99.9 {lat['percentiles']['99.9'] / 1000:.2f} ms, "
                     f"max {lat['max'] / 1000:.1f} ms")
            # The first and last wall-clock seconds are partial: left out of the chart (not of the totals).
            full = run_["per_second"][1:-1] or run_["per_second"]
            outcomes = sorted({k for p in full for k in p if k not in ("t", "epoch")})
            series = [("total", [(p["t"], sum(v for k, v in p.items() if k not in ("t", "epoch"))) for p in full])]
            if len(outcomes) > 1:
                series += [(o, [(p["t"], p.get(o, 0)) for p in full]) for o in outcomes]
            probe = run_["probe"]["series"]
            charts = [svg_chart("throughput (responses per second, by outcome)", series, "req/s"),
                      svg_chart("latency of a one-connection probe (ms)",
                                [(name, [(p["t"], p[key] / 1000) for p in probe]) for name, key in
                                 (("p50", "p50_us"), ("p99", "p99_us"), ("max", "max_us"))], "ms")]
            facts = {"outcomes": run_["outcomes"], "errors": nonzero(run_["errors"]),
                     "threads of the node (% of one core)": run_.get("node_threads"),
                     "Redis commands": run_.get("redis_commands"),
                     "latency percentiles (µs)": lat["percentiles"], "load before": run_["loadavg_before"],
                     "CPU % of one core": run_["cpu_pct_of_one_core"], "command": run_["command"]}
        body.append(f"<h3>{html.escape(title)}</h3>" + "".join(charts))
        body.append("<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(str(v))}</code></td></tr>"
                                        for k, v in facts.items()) + "</table>")
    body.append("<h2>Stop-the-world pauses (GC and other safepoints)</h2><table>")
    for name, info in sorted(results.get("gc", {}).items()):
        body.append(f"<tr><th>node {html.escape(name)}</th><td>{info['count']} pauses, max {info['max_ms']:.1f} ms, "
                    f"total {info['total_ms']:.0f} ms</td></tr>")
    body.append("</table><h2>Invariant audits</h2>")
    for audit in results.get("audits", []):
        body.append(f"<p><b>{'OK' if audit['ok'] else 'PROBLEMS'}</b> — backlog {audit['stream_backlog']}, pending "
                    f"{audit['pending']}, tickets {html.escape(str(audit['tickets']))}, client vs database "
                    f"{html.escape(str(audit['client_vs_db']))} {html.escape(str(audit['problems']))}</p>")
        body.append("<table><tr><th>activity</th><th>item</th><th>stock</th><th>orders</th><th>DB remaining</th>"
                    "<th>Redis remaining</th><th>max per user</th><th>duplicate slots</th></tr>")
        for row in audit["items"]:
            body.append(f"<tr><td>{row['activity_id']}</td><td>{row['item_id']}</td><td>{row['stock']:,}</td>"
                        f"<td>{row['orders']:,}</td><td>{row['remaining']:,}</td><td>{row['redis_remaining']}</td>"
                        f"<td>{row['max_per_user']}</td><td>{row['duplicate_slots']}</td></tr>")
        body.append("</table>")
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>seckill benchmark</title><style>"
            "body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
            "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;"
            "text-align:left;font-size:12px;vertical-align:top}code{font-size:11px}svg{margin-right:8px}"
            "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}.warn{color:#b00000}</style></head><body>"
            + "\n".join(body) + "</body></html>")
    with open(os.path.join(out, "report.html"), "w") as f:
        f.write(page)


def markdown(results):
    """Markdown tables of one results.json, for docs/benchmarks.md."""
    out = []
    env = results.get("environment", {})
    out.append(f"Run `{results['id']}` started {results['started']}, `{' '.join(results['argv'])}`; "
               f"{env.get('nproc')} cores ({env.get('cpu_model')}), {env.get('java')}, {env.get('wrk')}, "
               f"{env.get('nginx')}, Redis {env.get('redis')}, PostgreSQL {env.get('postgresql')}.\n")
    out.append("```\n" + "\n".join(results.get("summary", {}).get("lines", [])) + "\n```\n")
    out.append("| run | scenario | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | outcomes | load (1 min) | "
               "others' CPU | node threads (% of a core) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results["runs"]:
        if r.get("scenario", "").startswith("drain") or r.get("scenario") == "final-drain" or not r.get("label"):
            continue
        lat = r["latency_us"]
        pct = lat["percentiles"]
        threads = (r.get("node_threads") or {}).get("groups") or []
        threads_text = ", ".join(f"{g['threads']} {g['pct_of_one_core']:.0f}" for g in threads[:3])
        flag = " (discarded)" if r.get("discarded") else ""
        out.append(f"| {r['iteration']} | {r['label']}{flag} | {r['rps']:,.0f} | {pct['50'] / 1000:.2f} | "
                   f"{pct['90'] / 1000:.2f} | {pct['99'] / 1000:.2f} | {pct['99.9'] / 1000:.2f} | {lat['max'] / 1000:.1f} | "
                   f"{', '.join(f'{k} {v:,}' for k, v in r['outcomes'].items())} | {r['loadavg_before'][0]:.2f} | "
                   f"{r['cpu_pct_of_one_core'].get('others', 0):.0f}% | {threads_text} |")
    drains = [r for r in results["runs"] if r.get("scenario", "").startswith("drain")]
    if drains:
        out.append("\n| run | drain | backlog | orders written | seconds | orders/s | load (1 min) | others' CPU | "
                   "worker / PostgreSQL CPU (% of a core) | writer threads |")
        out.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in drains:
            cpu = r["cpu_pct_of_one_core"]
            threads = ", ".join(f"{g['threads']} {g['pct_of_one_core']:.0f}" for g in (r.get("worker_threads") or [])[:3])
            out.append(f"| {r['iteration']} | {r['label']} | {r['backlog_before']:,} | {r['orders_written']:,} | {r['seconds_writing']} | "
                       f"{r['orders_per_s']:,.0f} | {r['loadavg_before'][0]:.2f} | {cpu.get('others', 0):.0f}% | "
                       f"{cpu.get('worker', 0):.0f} / {cpu.get('postgres', 0):.0f} | {threads} |")
    return "\n".join(out)

"""The summary lines and table: every scenario next to its same-run baselines, as ratios."""

from .util import median
from .warmup import warmup_lines


def summarize(results):
    runs = results["runs"]

    def of(scenario):
        return {r["iteration"]: r for r in runs if r.get("scenario") == scenario and not r.get("discarded")}

    nginx, ping, adm, sold = of("nginx"), of("ping"), of("admission"), of("soldout")
    nokeys, direct, balanced, drain, custom = of("soldout-nokeys"), of("direct"), of("balanced"), of("drain"), of("sale")

    def ratio(a, b):
        return round(a / b, 3) if a and b else None

    def p99(r):
        return r["latency_us"]["percentiles"]["99"] / 1000

    lines, table = warmup_lines(results), []

    def scenario_line(name, runs_of, baselines):
        if not runs_of:
            return
        its = sorted(runs_of)
        rps = [runs_of[i]["rps"] for i in its]
        row = {"scenario": name, "runs": len(its), "rps": rps, "median_rps": median(rps),
               "median_p99_ms": median([p99(runs_of[i]) for i in its]),
               "max_ms": max(runs_of[i]["latency_us"]["max"] / 1000 for i in its)}
        text = f"{name:<22} {row['median_rps']:>9,.0f} req/s  p99 {row['median_p99_ms']:6.2f} ms"
        for base_name, base in baselines:
            ratios = [ratio(runs_of[i]["rps"], base[i]["rps"]) for i in its if i in base]
            row[f"vs_{base_name}"] = ratios
            row[f"median_vs_{base_name}"] = median(ratios)
            base_rps = median([base[i]["rps"] for i in its if i in base])
            if ratios:
                text += f" | {base_name} {base_rps:,.0f} → {median(ratios):.2f}×"
        text += f"   (runs: {', '.join(f'{r:,.0f}' for r in rps)})"
        row["line"] = text
        lines.append(text)
        table.append(row)

    scenario_line("nginx return 200", nginx, [])
    scenario_line("ping", ping, [("nginx", nginx)])
    scenario_line("admission", adm, [("ping", ping), ("nginx", nginx)])
    scenario_line("sold-out storm", sold, [("ping", ping), ("nginx", nginx)])
    scenario_line("sold-out, no keys", nokeys, [("ping", ping), ("nginx", nginx)])
    scenario_line("ping (variant)", of("ping-variant"), [("ping", ping)])
    scenario_line("admission (variant)", of("admission-variant"), [("admission", adm), ("ping", ping)])
    scenario_line("sold-out (variant)", of("soldout-variant"), [("sold-out", sold), ("ping", ping)])
    adm_l = of("admission-l")
    scenario_line("admission (login node)", adm_l, [("admission", adm), ("ping", ping)])
    scenario_line("admission, login flood", of("admission-flood"), [("alone", adm_l), ("ping", ping)])
    ping_t, flow = of("ping-t"), of("flow")
    scenario_line("ping (token node)", ping_t, [("ping", ping), ("nginx", nginx)])
    scenario_line("no token", of("notoken"), [("ping T", ping_t), ("nginx", nginx)])
    scenario_line("forged token", of("forged"), [("ping T", ping_t), ("nginx", nginx)])
    scenario_line("ping (token, variant)", of("ping-t-variant"), [("ping T", ping_t)])
    scenario_line("no token (variant)", of("notoken-variant"), [("no token", of("notoken")), ("ping T", ping_t)])
    scenario_line("forged (variant)", of("forged-variant"), [("forged", of("forged")), ("ping T", ping_t)])
    if flow:
        its = sorted(flow)
        purchases = [flow[i]["purchases_per_s"] for i in its]
        tokens = [flow[i]["tokens_per_s"] for i in its]
        row = {"scenario": "token + purchase flow", "runs": len(its), "purchases_per_s": purchases,
               "tokens_per_s": tokens, "rps": [flow[i]["rps"] for i in its],
               "median_purchases_per_s": median(purchases), "median_tokens_per_s": median(tokens),
               "median_rps": median([flow[i]["rps"] for i in its]),
               "median_p99_ms": median([p99(flow[i]) for i in its])}
        text = (f"{'token + purchase flow':<22} {row['median_purchases_per_s']:>9,.0f} purchases/s + "
                f"{row['median_tokens_per_s']:,.0f} token requests/s ({row['median_rps']:,.0f} req/s)  "
                f"p99 {row['median_p99_ms']:6.2f} ms")
        for base_name, base in (("admission", adm), ("ping T", ping_t)):
            ratios = [ratio(flow[i]["purchases_per_s"], base[i]["rps"]) for i in its if i in base]
            row[f"median_purchases_vs_{base_name}"] = median(ratios)
            if ratios:
                text += (f" | {base_name} {median([base[i]['rps'] for i in its if i in base]):,.0f} → "
                         f"{median(ratios):.2f}× (purchases)")
        text += f"   (purchases/s: {', '.join(f'{r:,.0f}' for r in purchases)})"
        row["line"] = text
        lines.append(text)
        table.append(row)
    flow_v = of("flow-variant")
    if flow_v and flow:
        its = sorted(flow_v)
        purchases = [flow_v[i]["purchases_per_s"] for i in its]
        ratios = [ratio(flow_v[i]["purchases_per_s"], flow[i]["purchases_per_s"]) for i in its if i in flow]
        text = (f"{'flow (variant)':<22} {median(purchases):>9,.0f} purchases/s"
                f" | flow {median([flow[i]['purchases_per_s'] for i in its if i in flow]):,.0f} → "
                f"{median(ratios):.2f}×   (purchases/s: {', '.join(f'{r:,.0f}' for r in purchases)})")
        lines.append(text)
        table.append({"scenario": "flow (variant)", "runs": len(its), "purchases_per_s": purchases,
                      "median_purchases_per_s": median(purchases), "vs_flow": ratios,
                      "median_vs_flow": median(ratios), "line": text})
    scenario_line("1 node direct", direct, [])
    scenario_line("nginx -> 2 nodes", balanced, [("direct", direct), ("nginx", nginx)])
    scenario_line("sale", custom, [])
    if drain:
        its = sorted(drain)
        rates = [drain[i]["orders_per_s"] for i in its]
        written = sum(drain[i]["orders_written"] for i in its)
        ratios = [ratio(drain[i]["orders_per_s"], adm[i]["rps"]) for i in its if i in adm]
        per_run = ", ".join(f"{drain[i]['orders_written']:,}" for i in its)
        text = f"{'writer drain':<22} {median(rates):>9,.0f} orders/s over {written:,} orders ({per_run} per run)"
        if ratios:
            text += f" | admission {median([adm[i]['rps'] for i in its if i in adm]):,.0f} req/s → {median(ratios):.2f}×"
        text += f"   (runs: {', '.join(f'{r:,.0f}' for r in rates)})"
        lines.append(text)
        table.append({"scenario": "writer drain", "runs": len(its), "orders_per_s": rates,
                      "median_orders_per_s": median(rates), "orders_written": written,
                      "median_vs_admission": median(ratios), "line": text})
    for scenario in sorted({r["scenario"] for r in runs if r.get("scenario", "").startswith("drain-variant")}):
        variant = of(scenario)
        its = sorted(variant)
        rates = [variant[i]["orders_per_s"] for i in its]
        ratios = [ratio(variant[i]["orders_per_s"], drain[i]["orders_per_s"]) for i in its if i in drain]
        text = (f"{scenario.replace('drain-variant ', 'drain '):<22} {median(rates):>9,.0f} orders/s"
                + (f" | default drain {median([drain[i]['orders_per_s'] for i in its if i in drain]):,.0f} → "
                   f"{median(ratios):.2f}×" if ratios else "") + f"   (runs: {', '.join(f'{r:,.0f}' for r in rates)})")
        lines.append(text)
        table.append({"scenario": scenario, "orders_per_s": rates, "median_orders_per_s": median(rates),
                      "median_vs_default": median(ratios), "line": text})
    gc = results.get("gc", {})
    if gc:
        windows = [(r["started"], r["ended"]) for r in runs
                   if r.get("scenario") and r.get("label") and not r.get("discarded")]
        for name, info in gc.items():
            inside = [p[1] for p in info["pauses"] if any(a <= p[0] <= b for a, b in windows)]
            info["max_ms_during_measured_runs"] = max(inside, default=0.0)
            info["pauses_over_50ms"] = sum(1 for p in info["pauses"] if p[1] > 50)
        text = "Stop-the-world pauses (GC and other safepoints): " + ", ".join(
            f"node {n} max {g['max_ms']:.1f} ms overall, {g['max_ms_during_measured_runs']:.1f} ms during measured runs "
            f"({g['count']} pauses, {g['pauses_over_50ms']} over 50 ms)" for n, g in sorted(gc.items()))
        lines.append(text)
    audits = results.get("audits", [])
    if audits:
        lines.append("audit: " + ("all invariants hold" if all(a["ok"] for a in audits)
                                  else "PROBLEMS: " + "; ".join(p for a in audits for p in a["problems"])))
    results["summary"] = {"lines": lines, "table": table}
    return lines

"""The writer drain: a worker-only node drains the stream the admissions filled, measured in orders/s."""

import threading
import time

from .cpu import CpuMeter, thread_cpu, thread_groups
from .util import compact_cpu, loadavg, log, median
from .warmup import warmup_lines


class Drain:
    """Mixin of Bench: one measured drain."""

    def drain(self, iteration, consumers=None, batch_size=None, label="writer drain", scenario="drain"):
        """Starts a worker-only node on the backlog the admissions left and measures orders/s to PostgreSQL."""
        self.check_deadline()
        backlog = self.stream_backlog()
        sold_before = self.sold_in_db()
        extra = []
        if consumers:
            extra.append(f"--seckill.worker.consumers={consumers}")
        if batch_size:
            extra.append(f"--seckill.worker.batch-size={batch_size}")
        quiet = self.wait_quiet() if self.args.quiet_wait > 0 else None
        log(f"{label}: {backlog:,} entries in the stream; starting a worker-only node")
        load = loadavg()
        samples = []
        wall_start = time.time()
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                try:
                    samples.append((time.time(), self.stream_backlog(), self.sold_in_db()))
                except Exception:
                    pass
                stop.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        worker = self.start_node("W", "worker", pool=4, extra=extra)
        meter = CpuMeter({"worker": lambda: self.node_pid("W"), "redis-server": lambda: [self.redis_pid],
                          "postgres": self.postgres_pids, "app-A": lambda: self.node_pid("A")})
        meter.start()
        threads_before, threads_started = thread_cpu(worker["proc"].pid), time.time()
        deadline = time.monotonic() + self.args.drain_timeout
        last_print = 0
        while True:
            time.sleep(0.5)
            if samples and samples[-1][1] == 0 and samples[-1][2] > sold_before:
                break
            if worker["proc"].poll() is not None:
                raise RuntimeError("worker exited during the drain; see app-W.log")
            if time.monotonic() > deadline:
                log(f"{label}: not drained after {self.args.drain_timeout} s")
                break
            if samples and not self.args.quiet and time.time() - last_print >= 2:
                last_print = time.time()
                t, left, sold = samples[-1]
                print(f"    {label:<26} t={t - wall_start:>4.0f}s backlog {left:>9,}  written {sold - sold_before:>9,}",
                      flush=True)
        time.sleep(0.6)
        stop.set()
        sampler.join(5)
        cpu = meter.stop()
        worker_threads = thread_groups(threads_before, thread_cpu(worker["proc"].pid), time.time() - threads_started)
        self.stop_node("W")
        # Writing started at the first sample that shows progress; JVM start-up is not counted.
        moving = [s for s in samples if s[2] > sold_before]
        written = (moving[-1][2] - sold_before) if moving else 0
        start_index = samples.index(moving[0]) - 1 if moving else 0
        t0, _, sold0 = samples[max(start_index, 0)]
        t1, left1, sold1 = moving[-1] if moving else samples[-1]
        rate = (sold1 - sold0) / (t1 - t0) if moving and t1 > t0 else 0.0
        series = []
        for (ta, _, sa), (tb, lb, sb) in zip(samples, samples[1:]):
            series.append({"t": round(tb - wall_start, 2), "orders_per_s": round((sb - sa) / (tb - ta), 1),
                           "backlog": lb})
        result = {"scenario": scenario, "label": label, "iteration": iteration, "backlog_before": backlog,
                  "orders_written": written, "orders_per_s": round(rate, 1), "drained": bool(samples and samples[-1][1] == 0),
                  "seconds_writing": round(t1 - t0, 2) if moving else None, "consumers": consumers or 1,
                  "batch_size": batch_size or 500, "loadavg_before": load, "loadavg_after": loadavg(),
                  "series": series, "cpu_pct_of_one_core": cpu, "worker_threads": worker_threads,
                  "quiet_wait": quiet, "started": wall_start,
                  "ended": time.time()}
        self.results["runs"].append(result)
        log(f"{label}: {written:,} orders in {result['seconds_writing']} s = {rate:,.0f} orders/s "
            f"(backlog before {backlog:,}); load {load[0]:.2f}; cpu {compact_cpu(cpu)}; worker threads "
            + ", ".join(f"{g['threads']} {g['pct_of_one_core']:.0f}%" for g in worker_threads[:3]))
        return result


def cpu_per_order(run_):
    """µs of CPU per order written, per process group: comparable across runs on a shared machine, where
    orders/s depends on what the neighbours do."""
    seconds, orders = run_.get("seconds_writing") or 0, run_.get("orders_written") or 0
    if not seconds or not orders:
        return {}
    cpu = run_["cpu_pct_of_one_core"]
    return {name: round(cpu.get(name, 0) / 100 * seconds * 1e6 / orders, 1)
            for name in ("worker", "postgres", "redis-server")}


def drain_lines(benches):
    """The drain figures of every database side by side."""
    lines = []
    for bench in benches:
        runs = [r for r in bench.results["runs"] if r.get("scenario") == "drain"]
        if not runs:
            continue
        rates = [r["orders_per_s"] for r in runs]
        loads = [r["loadavg_before"][0] for r in runs]
        settings = bench.results["environment"].get("database_settings", {})
        lines.append(f"{'writer drain, ' + bench.vendor:<28} {median(rates):>9,.0f} orders/s (median of {len(runs)}) "
                     f"over {sum(r['orders_written'] for r in runs):,} orders   (runs: "
                     + ", ".join(f"{r:,.0f}" for r in rates) + f"; load {min(loads):.1f}–{max(loads):.1f}; "
                     f"db CPU {median([r['cpu_pct_of_one_core'].get('postgres', 0) for r in runs]):.0f}%, "
                     f"worker CPU {median([r['cpu_pct_of_one_core'].get('worker', 0) for r in runs]):.0f}% of a core; "
                     f"others {min(r['cpu_pct_of_one_core'].get('others', 0) for r in runs):.0f}–"
                     f"{max(r['cpu_pct_of_one_core'].get('others', 0) for r in runs):.0f}%)")
        costs = [cpu_per_order(r) for r in runs]
        lines.append("  CPU per order (median, µs): " + ", ".join(
            f"{name if name != 'postgres' else 'database'} {median([c.get(name) for c in costs]):.0f}"
            for name in ("worker", "postgres", "redis-server")))
        variants = sorted({r["scenario"] for r in bench.results["runs"] if r.get("scenario", "").startswith("drain-variant")})
        for scenario in variants:
            vruns = [r for r in bench.results["runs"] if r.get("scenario") == scenario]
            rates = [r["orders_per_s"] for r in vruns]
            costs = [cpu_per_order(r) for r in vruns]
            lines.append(f"  {scenario.replace('drain-variant ', '') + ', ' + bench.vendor:<26} {median(rates):>9,.0f} "
                         f"orders/s   (runs: " + ", ".join(f"{r:,.0f}" for r in rates) + "; CPU per order µs: worker "
                         f"{median([c.get('worker') for c in costs]):.0f}, database "
                         f"{median([c.get('postgres') for c in costs]):.0f})")
        lines.append(f"  {bench.vendor} settings: {settings}; JDBC {bench.jdbc_url()}")
    for bench in benches:
        lines += warmup_lines(bench.results, prefix=f"warm-up {bench.vendor}")
    for bench in benches:
        audits = bench.results.get("audits", [])
        lines.append(f"audit {bench.vendor}: " + ("all invariants hold" if audits and all(a["ok"] for a in audits)
                                                 else "PROBLEMS: " + "; ".join(p for a in audits for p in a["problems"])))
    return lines

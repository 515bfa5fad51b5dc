"""One load run: wrk (bench/lua/sale.lua) with its one-connection latency probe (bench/lua/probe.lua)
and, when asked, a login flood (bench/lua/login-flood.lua); CPU, Redis commands and threads meanwhile."""

import json
import os
import re
import secrets
import subprocess
import threading
import time

from .cpu import CpuMeter, thread_cpu, thread_groups
from .stores import commandstats_delta, redis_cli
from .util import LUA, compact_cpu, loadavg, log, nonzero


class Load:
    """Mixin of Bench: measured (and unrecorded) load runs."""

    def our_pids(self):
        pids = [n["proc"].pid for n in self.nodes.values() if n["proc"].poll() is None]
        clusters = [pid for pids_ in self.cluster_redis_pids.values() for pid in pids_]
        return pids + self.nginx_pids() + [self.redis_pid] + self.postgres_pids() + clusters

    def wait_quiet(self):
        """Waits (at most --quiet-wait s) until other people's processes use < --quiet-cpu % of one core."""
        started = time.monotonic()
        while True:
            meter = CpuMeter({"ours": self.our_pids})
            meter.start()
            time.sleep(1)
            others = meter.stop()["others"]
            waited = time.monotonic() - started
            if others < self.args.quiet_cpu or waited >= self.args.quiet_wait:
                if waited > 1.5:
                    log(f"waited {waited:.0f} s for a quieter machine (others now use {others:.0f}% of a core)")
                return {"waited_s": round(waited, 1), "others_pct_before": others}
            self.check_deadline()

    def wrk(self, label, port, method, paths, duration, **kwargs):
        """One measured load run; repeated (up to --retry-busy times) when other people's processes took more
        than --busy-cpu % of a core meanwhile. Discarded attempts stay in results.json, marked."""
        attempts = []
        while True:
            result = self.wrk_once(label, port, method, paths, duration, **kwargs)
            attempts.append(result)
            others = result["cpu_pct_of_one_core"].get("others", 0)
            if label is None or others <= self.args.busy_cpu or len(attempts) > self.args.retry_busy:
                break
            result["discarded"] = f"others used {others:.0f}% of a core during the run"
            log(f"{label}: discarded (others used {others:.0f}% of a core), measuring again")
        result["client_202_all_attempts"] = sum(queued_of(r, single=True) for r in attempts)
        result["attempts"] = len(attempts)
        return result

    def wrk_once(self, label, port, method, paths, duration, connections=None, keys=True, scenario=None,
                 iteration=None, activity=None, probe=True, record=True, flow=False, ptoken=None, flood=0):
        self.check_deadline()
        connections = connections or self.args.connections
        url = f"http://127.0.0.1:{port}"
        # Idempotency-Key allows [A-Za-z0-9-_.:] only.
        tag = re.sub(r"[^A-Za-z0-9]", "", label or scenario or "x")[:12]
        prefix = f"{self.id}{tag}{iteration or 0}{secrets.token_hex(2)}"
        lua_args = [f"method={method}", f"paths={paths}", f"host=127.0.0.1:{port}",
                    f"tokens={self.tokens_file}", f"keys={1 if keys else 0}", f"prefix={prefix}",
                    f"threads={self.args.threads}"]
        if flow:  # token request, then the purchase with that token (sale.lua)
            lua_args += ["flow=1", f"ids={self.ids_file}"]
        if ptoken:
            lua_args.append(f"ptoken={ptoken}")
        main_cmd = ["wrk", f"-t{self.args.threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
                    "-s", os.path.join(LUA, "sale.lua"), url, "--"] + lua_args
        probe_cmd = ["wrk", "-t1", "-c1", f"-d{duration}s", "--timeout", "5s", "-s", os.path.join(LUA, "probe.lua"),
                     url, "--"] + [a if not a.startswith("prefix=") else a + "p" for a in lua_args] + \
                    [f"interval_ms={self.args.probe_interval_ms}"]
        per_second = {}
        probe_series = {}
        lock = threading.Lock()
        quiet = self.wait_quiet() if label is not None and self.args.quiet_wait > 0 else None
        load = loadavg()
        meter = CpuMeter({
            "app-A": lambda: self.node_pid("A"), "app-B": lambda: self.node_pid("B"), "app-V": lambda: self.node_pid("V"),
            "app-T": lambda: self.node_pid("T"), "app-TV": lambda: self.node_pid("TV"),
            "app-L": lambda: self.node_pid("L"),
            "worker": lambda: self.node_pid("W"), "nginx": self.nginx_pids,
            "redis-server": lambda: [self.redis_pid], "postgres": self.postgres_pids,
            # The shards bench: its nodes on a Redis Cluster and the clusters' servers.
            **{f"app-{n}": (lambda n=n: self.node_pid(n)) for n in self.nodes if n.startswith("C")},
            **{name: (lambda name=name: self.cluster_redis_pids[name]) for name in self.cluster_redis_pids},
        })
        profile_path = None
        if self.args.profile and iteration == 1 and scenario in ("ping", "admission", "soldout") and "A" in self.nodes:
            profile_path = self.start_profile("A", scenario, duration)
        redis_before = redis_cli("INFO", "commandstats")
        target_node = next((n for n, node in self.nodes.items() if node["port"] == port), None)
        threads_before = thread_cpu(self.nodes[target_node]["proc"].pid) if target_node else {}
        wall_start = time.time()
        meter.start()
        main = self.procs.track(subprocess.Popen(main_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                                 start_new_session=True))
        flood_proc = None
        if flood:  # wrong logins for new names, beside the measured load (bench/lua/login-flood.lua)
            flood_cmd = ["wrk", "-t1", f"-c{flood}", f"-d{duration}s", "--timeout", "5s",
                         "-s", os.path.join(LUA, "login-flood.lua"), url, "--", f"prefix=f{prefix[:10]}"]
            flood_proc = self.procs.track(subprocess.Popen(flood_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                           text=True, start_new_session=True))
        probe_proc = None
        if probe:
            probe_proc = self.procs.track(subprocess.Popen(probe_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                           text=True, start_new_session=True))
        show = label is not None and not self.args.quiet

        def read_main():
            last_print = 0
            for line in main.stderr:
                parts = line.split()
                if len(parts) < 3 or parts[0] != "S":
                    continue
                second = int(parts[2])
                with lock:
                    bucket = per_second.setdefault(second, {})
                    for item in parts[3:]:
                        outcome, n = item.rsplit("=", 1)
                        bucket[outcome] = bucket.get(outcome, 0) + int(n)
                    if show and second != last_print:
                        last_print = second
                        total = sum(bucket.values())
                        probe_now = probe_series.get(second - 1) or probe_series.get(second)
                        lat = f"  probe p99 {probe_now['p99_us'] / 1000:.1f} ms" if probe_now else ""
                        top = " ".join(f"{k}={v}" for k, v in sorted(bucket.items(), key=lambda kv: -kv[1])[:3])
                        print(f"    {label:<26} t={second - int(wall_start):>3}s {total:>8,} req/s  {top}{lat}",
                              flush=True)

        def read_probe():
            for line in probe_proc.stderr:
                parts = line.split()
                if len(parts) == 7 and parts[0] == "L":
                    with lock:
                        probe_series[int(parts[1])] = {"n": int(parts[2]), "p50_us": int(parts[3]),
                                                       "p90_us": int(parts[4]), "p99_us": int(parts[5]),
                                                       "max_us": int(parts[6])}

        readers = [threading.Thread(target=read_main, daemon=True)]
        if probe_proc:
            readers.append(threading.Thread(target=read_probe, daemon=True))
        for reader in readers:
            reader.start()
        rusage = {}
        for name, proc in (("wrk", main), ("wrk-probe", probe_proc), ("wrk-flood", flood_proc)):
            if proc is None:
                continue
            deadline = time.monotonic() + duration + 60
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    rusage[name] = usage.ru_utime + usage.ru_stime
                    break
                if time.monotonic() > deadline:
                    self.procs.stop(proc, grace=2)
                    raise RuntimeError(f"wrk did not stop ({label})")
                time.sleep(0.05)
        cpu = meter.stop(extra=rusage)
        wall_end = time.time()
        node_threads = thread_groups(threads_before, thread_cpu(self.nodes[target_node]["proc"].pid),
                                     wall_end - wall_start) if target_node else None
        redis_calls = commandstats_delta(redis_before, redis_cli("INFO", "commandstats"))
        for reader in readers:
            reader.join(5)
        summary_text = main.stdout.read()
        probe_text = probe_proc.stdout.read() if probe_proc else ""
        flood_text = flood_proc.stdout.read() if flood_proc else ""
        for proc in (main, probe_proc, flood_proc):
            if proc:
                self.procs.procs.remove(proc)
        if main.returncode != 0:
            raise RuntimeError(f"wrk failed ({main.returncode}): {summary_text[-500:]}")
        summary = json.loads(summary_text.strip().splitlines()[-1])
        probe_summary = json.loads(probe_text.strip().splitlines()[-1]) if probe_text.strip() else None
        for entry in summary.pop("last_second"):
            bucket = per_second.setdefault(entry["second"], {})
            bucket[entry["outcome"]] = bucket.get(entry["outcome"], 0) + entry["n"]
        seconds = sorted(per_second)
        result = {
            "scenario": scenario, "label": label, "iteration": iteration, "method": method, "target": url,
            "paths": paths, "connections": connections, "threads": self.args.threads, "duration_s": duration,
            "keys": keys, "flow": flow, "purchase_token": ptoken, "activity": activity, "started": wall_start, "ended": wall_end, "loadavg_before": load,
            "loadavg_after": loadavg(),
            "requests": summary["requests"], "rps": round(summary["requests"] / (summary["duration_us"] / 1e6), 1),
            "latency_us": summary["latency_us"], "errors": summary["errors"], "outcomes": summary["outcomes"],
            "per_second": [{"t": s - seconds[0], "epoch": s, **per_second[s]} for s in seconds] if seconds else [],
            "probe": {"series": [{"t": s - (seconds[0] if seconds else s), "epoch": s, **probe_series[s]}
                                 for s in sorted(probe_series)],
                      "requests": probe_summary["requests"] if probe_summary else 0,
                      "outcomes": probe_summary["outcomes"] if probe_summary else {},
                      "latency_us": probe_summary["latency_us"] if probe_summary else None},
            "cpu_pct_of_one_core": cpu, "quiet_wait": quiet, "redis_commands": redis_calls,
            "node_threads": {"node": target_node, "groups": node_threads} if target_node else None,
            "command": " ".join(main_cmd),
        }
        if flood_proc:
            flood_summary = json.loads(flood_text.strip().splitlines()[-1]) if flood_text.strip() else {}
            result["flood"] = {"connections": flood, "requests": flood_summary.get("requests", 0),
                               "per_s": round(flood_summary.get("requests", 0) / duration, 1),
                               "outcomes": flood_summary.get("outcomes", {})}
        if flow:  # wrk's requests/s counts both steps; the flow's own rates are these
            seconds = summary["duration_us"] / 1e6
            result["purchases_per_s"] = round(int(summary["outcomes"].get("202", 0)) / seconds, 1)
            result["tokens_per_s"] = round(int(summary["outcomes"].get("201", 0)) / seconds, 1)
        if profile_path:
            result["profile"] = self.summarize_profile(scenario, profile_path)
        if record:
            self.results["runs"].append(result)
        if label is not None:
            lat = result["latency_us"]["percentiles"]
            log(f"{label}: {result['rps']:,.0f} req/s, p50 {lat['50'] / 1000:.2f} ms, p90 {lat['90'] / 1000:.2f} ms, "
                f"p99 {lat['99'] / 1000:.2f} ms, "
                f"p99.9 {lat['99.9'] / 1000:.2f} ms, max {result['latency_us']['max'] / 1000:.1f} ms; "
                + (f"{result['purchases_per_s']:,.0f} purchases/s, {result['tokens_per_s']:,.0f} tokens/s; " if flow else "")
                + (f"login flood {result['flood']['per_s']:,.0f} req/s {result['flood']['outcomes']}; " if flood_proc else "")
                + f"outcomes {result['outcomes']}; errors {nonzero(result['errors'])}; load {load[0]:.2f}; "
                f"cpu {compact_cpu(cpu)}" + (f"; node {target_node} threads " + ", ".join(
                    f"{g['threads']} {g['pct_of_one_core']:.0f}% (busiest {g['busiest_single_thread_pct']:.0f}%)"
                    for g in node_threads[:3]) if node_threads else ""))
        return result


def queued_of(result, single=False):
    if not single and "client_202_all_attempts" in result:
        return result["client_202_all_attempts"]
    outcomes = result["outcomes"]
    probe = result["probe"]["outcomes"] if result.get("probe") else {}
    return int(outcomes.get("202", 0)) + int(probe.get("202", 0))

"""CPU accounting from /proc: per process group, per thread, and the whole machine."""

import os
import re
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    """utime+stime of a process in seconds, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def pids_named(name):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == name:
                        found.append(int(entry))
            except OSError:
                pass
    return found


def children_of(parent):
    found = [parent]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def thread_cpu(pid):
    """CPU seconds per thread of a process, keyed by (tid, thread name)."""
    threads = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return threads
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            threads[(tid, name)] = (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, IndexError, ValueError):
            pass
    return threads


def thread_groups(before, after, elapsed):
    """% of one core per thread-name group (digits folded: 'reactor-http-ep' threads together)."""
    groups, busiest = {}, {}
    for key, cpu in after.items():
        used = cpu - before.get(key, 0.0)
        name = re.sub(r"\d+", "N", key[1])
        groups[name] = groups.get(name, 0.0) + used
        busiest[name] = max(busiest.get(name, 0.0), used)
    ranked = sorted(groups.items(), key=lambda kv: -kv[1])[:8]
    return [{"threads": name, "pct_of_one_core": round(100 * used / elapsed, 1),
             "busiest_single_thread_pct": round(100 * busiest[name] / elapsed, 1)} for name, used in ranked if used > 0]


def machine_cpu():
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) / CLK_TCK, idle / CLK_TCK


class CpuMeter:
    """CPU seconds used per process group between start() and stop(), as % of one core."""

    def __init__(self, groups):
        self.groups = groups  # name -> callable returning pids

    def snapshot(self):
        snap = {}
        for name, pids in self.groups.items():
            snap[name] = {pid: proc_cpu(pid) for pid in pids()}
        snap["_machine"] = machine_cpu()
        snap["_t"] = time.monotonic()
        return snap

    def start(self):
        self.before = self.snapshot()

    def stop(self, extra=None):
        after = self.snapshot()
        elapsed = after["_t"] - self.before["_t"]
        usage = {}
        for name in self.groups:
            used = 0.0
            for pid, cpu in after[name].items():
                start = self.before[name].get(pid)
                if cpu is not None and start is not None:
                    used += cpu - start
            usage[name] = round(100 * used / elapsed, 1)
        for name, seconds in (extra or {}).items():
            usage[name] = round(100 * seconds / elapsed, 1)
        total = after["_machine"][0] - self.before["_machine"][0]
        idle = after["_machine"][1] - self.before["_machine"][1]
        usage["machine_busy_pct_of_all_cores"] = round(100 * (total - idle) / total, 1) if total else None
        # What the rest of the machine used meanwhile (other people's builds and tests), in % of one core.
        ours = sum(v for k, v in usage.items() if k != "machine_busy_pct_of_all_cores")
        usage["others"] = max(0.0, round(100 * (total - idle) / elapsed - ours, 1))
        return usage

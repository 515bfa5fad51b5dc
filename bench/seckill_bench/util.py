"""Paths, logging and small helpers shared by every module of the driver."""

import os
import random
import socket
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bench/
REPO = os.path.dirname(HERE)
LUA = os.path.join(HERE, "lua")


def log(message):
    print(time.strftime("%H:%M:%S ") + message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_cluster_port():
    """A free port for a Redis Cluster node: its bus port (the port + 10,000) must exist and be free too."""
    for _ in range(200):
        port = random.randint(20000, 22700)  # with its bus port, below the ephemeral range (32768+)
        try:
            for p in (port, port + 10000):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair for a Redis Cluster node")


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def run(cmd, timeout=120, check=True, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}... failed ({result.returncode}): {result.stderr.strip()[:500]}")
    return result.stdout


def nonzero(d):
    return {k: v for k, v in d.items() if v} or "none"


def compact_cpu(cpu):
    return ", ".join(f"{k} {v:.0f}%" for k, v in cpu.items() if v and k != "machine_busy_pct_of_all_cores") + \
        f" (machine busy {cpu.get('machine_busy_pct_of_all_cores')}%)"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

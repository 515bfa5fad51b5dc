"""The machine's PostgreSQL, MariaDB and Redis, through their command-line clients (psql, mariadb,
redis-cli)."""

import re

from .util import run

PG = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
REDIS = ["redis-cli", "-h", "127.0.0.1", "-p", "6379"]
MARIADB = ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "-N", "-B"]


def psql(db, sql, timeout=300):
    return run(PG + ["-d", db, "-c", sql], timeout=timeout).strip()


def mariadb(db, sql, timeout=300):
    return run(MARIADB + ([db] if db else []) + ["-e", sql], timeout=timeout).strip()


def redis_cli(*args, timeout=60):
    return run(REDIS + ["--raw"] + [str(a) for a in args], timeout=timeout).strip()


def commandstats_delta(before, after):
    """Redis commands run between two INFO commandstats (the whole server: other users' commands too)."""
    def parse(text):
        stats = {}
        for line in text.splitlines():
            m = re.match(r"cmdstat_(\w+):calls=(\d+),usec=(\d+)", line)
            if m:
                stats[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        return stats
    a, b = parse(before), parse(after)
    delta = {}
    for name, (calls, usec) in b.items():
        calls0, usec0 = a.get(name, (0, 0))
        if calls - calls0 > 0:
            delta[name] = {"calls": calls - calls0, "usec_per_call": round((usec - usec0) / (calls - calls0), 2)}
    return dict(sorted(delta.items(), key=lambda kv: -kv[1]["calls"])[:8])

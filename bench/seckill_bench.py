#!/usr/bin/env python3
"""Load generator driver for seckill: starts the app from its jar against the machine's PostgreSQL and
Redis (its own database and key prefix), creates and logs in users, runs wrk (bench/lua/sale.lua) with a
one-connection latency probe next to it (bench/lua/probe.lua), audits the invariants straight from
PostgreSQL and Redis, and writes results.json and a self-contained report.html.

Standard library only; talks to PostgreSQL and Redis through psql and redis-cli. Every process it starts
is stopped at the end (also on Ctrl-C or a time-out), its database is dropped and its Redis keys deleted.

  seckill_bench.py suite [--smoke] [--runs N] [--duration S] ...   the standard scenarios (bench/run.sh)
  seckill_bench.py sale  --users U --stock S --connections C --duration D --items N ...   one sale
"""

import argparse
import atexit
import concurrent.futures
import datetime
import html
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LUA = os.path.join(HERE, "lua")
PG = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
REDIS = ["redis-cli", "-h", "127.0.0.1", "-p", "6379"]
MARIADB = ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "-N", "-B"]
PASSWORD = "bench-password-1"
# Nodes that measure the admission path alone (admission, sold-out storms, load balancer) take purchases
# without a purchase token, as before the token contract; node T requires one (the default).
TOKENS_OFF = "--seckill.purchase-token.required=false"


def log(message):
    print(time.strftime("%H:%M:%S ") + message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def run(cmd, timeout=120, check=True, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}... failed ({result.returncode}): {result.stderr.strip()[:500]}")
    return result.stdout


def psql(db, sql, timeout=300):
    return run(PG + ["-d", db, "-c", sql], timeout=timeout).strip()


def mariadb(db, sql, timeout=300):
    return run(MARIADB + ([db] if db else []) + ["-e", sql], timeout=timeout).strip()


def redis_cli(*args, timeout=60):
    return run(REDIS + ["--raw"] + [str(a) for a in args], timeout=timeout).strip()


# ---------------------------------------------------------------- CPU accounting from /proc

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


# ---------------------------------------------------------------- processes

class Processes:
    """Every process this run starts; all are stopped at exit, whatever happens."""

    def __init__(self):
        self.procs = []
        self.lock = threading.Lock()

    def start(self, cmd, log_path, **kwargs):
        out = open(log_path, "ab")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, **kwargs)
        with self.lock:
            self.procs.append(proc)
        return proc

    def track(self, proc):
        with self.lock:
            self.procs.append(proc)
        return proc

    def stop(self, proc, grace=25):
        if proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(10)
        with self.lock:
            if proc in self.procs:
                self.procs.remove(proc)

    def stop_all(self):
        for proc in list(reversed(self.procs)):
            try:
                self.stop(proc, grace=20)
            except Exception as ex:  # keep stopping the others
                log(f"could not stop pid {proc.pid}: {ex}")


# ---------------------------------------------------------------- HTTP helpers for set-up

class Http:
    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def call(self, method, path, body=None, token=None, timeout=30):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = json.dumps(body) if body is not None else None
        try:
            conn.request(method, path, data, headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.local.conn = None
            conn.close()
            raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return response.status, parsed


# ---------------------------------------------------------------- the environment

class Bench:
    def __init__(self, args, vendor="postgresql", out=None):
        self.args = args
        self.vendor = vendor  # postgresql | mariadb: the machine's server on 5432 | 3306
        self.id = secrets.token_hex(3)
        self.db = f"seckill_bench_{self.id}"
        self.prefix = f"bench-{self.id}:"
        self.secret = "bench-token-secret-" + secrets.token_hex(16)
        self.admin_password = "bench-admin-" + secrets.token_hex(8)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.out = os.path.abspath(out or args.out or os.path.join(HERE, "results", stamp))
        os.makedirs(self.out, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="seckill-bench-")
        self.procs = Processes()
        self.nodes = {}
        self.nginx = None
        self.db_created = False
        self.deadline = time.monotonic() + args.max_minutes * 60
        self.results = {"id": self.id, "database": vendor, "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                        "argv": sys.argv[1:], "runs": [], "audits": [], "gc": {}, "environment": {}}
        self.tokens_file = os.path.join(self.tmp, "tokens.txt")
        self.ids_file = os.path.join(self.tmp, "ids.txt")  # the user id of each line of tokens.txt
        self.redis_pid = None
        self.cleaned = False

    # ---- lifecycle

    def check_deadline(self):
        if time.monotonic() > self.deadline:
            raise TimeoutError(f"bench exceeded --max-minutes={self.args.max_minutes}")

    def environment(self):
        def first_line(cmd):
            try:
                out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
                return (out.stdout + out.stderr).strip().splitlines()[0]
            except Exception as ex:
                return f"unknown ({ex})"
        cpu = "unknown"
        try:
            for line in run(["lscpu"]).splitlines():
                if line.startswith("Model name:"):
                    cpu = line.split(":", 1)[1].strip()
        except Exception:
            pass
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
        env = {
            "nproc": os.cpu_count(), "cpu_model": cpu, "memory_gib": round(mem_kb / 1048576, 1),
            "kernel": platform.release(), "java": first_line([self.args.java, "-version"]),
            "wrk": first_line(["wrk", "--version"]), "nginx": first_line(["nginx", "-v"]),
            "redis": redis_cli("INFO", "server").split("redis_version:")[1].split()[0],
            "postgresql": psql("postgres", "show server_version") if self.vendor == "postgresql" else None,
            "mariadb": mariadb(None, "SELECT version()") if self.vendor == "mariadb" else None,
            "database_settings": self.database_settings(),
            "loadavg_at_start": loadavg(),
            "git_commit": first_line(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]),
            "jar_built": time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(self.args.jar)))
            if os.path.exists(self.args.jar) else None,
        }
        self.results["environment"] = env
        return env

    def postgres_pids(self):
        """The database server of this run: the machine's PostgreSQL on 5432 (postmaster and its backends,
        not other people's clusters) or its MariaDB on 3306."""
        if self.vendor == "mariadb":
            # The server on 3306 only: other people's tests run embedded MariaDBs of the same name.
            return [self.mariadbd] if self.mariadbd else pids_named("mariadbd") or pids_named("mysqld")
        return children_of(self.postmaster) if self.postmaster else pids_named("postgres")

    def sql(self, query, timeout=300):
        """One statement against this run's database; rows as tab-separated lines."""
        if self.vendor == "mariadb":
            return mariadb(self.db, query, timeout=timeout)
        return run(PG + ["-F", "\t", "-d", self.db, "-c", query], timeout=timeout).strip()

    def jdbc_url(self):
        if self.vendor == "mariadb":
            return f"jdbc:mariadb://127.0.0.1:3306/{self.db}?user=root" + (
                "&" + self.args.mariadb_options if self.args.mariadb_options else "")
        return f"jdbc:postgresql://127.0.0.1:5432/{self.db}?user=postgres" + (
            "&" + self.args.pg_options if self.args.pg_options else "")

    def database_settings(self):
        """The server settings that decide what a commit costs, as found (the servers are shared)."""
        try:
            if self.vendor == "mariadb":
                names = ("innodb_flush_log_at_trx_commit", "sync_binlog", "log_bin", "innodb_flush_method",
                         "innodb_buffer_pool_size", "innodb_log_file_size", "innodb_doublewrite",
                         "transaction_isolation")
                rows = mariadb(None, "SHOW GLOBAL VARIABLES WHERE Variable_name IN ("
                               + ",".join(f"'{n}'" for n in names) + ")")
                return dict(line.split("\t", 1) for line in rows.splitlines())
            names = ("synchronous_commit", "fsync", "wal_sync_method", "commit_delay", "shared_buffers",
                     "max_wal_size", "default_transaction_isolation")
            rows = run(PG + ["-F", "\t", "-d", "postgres", "-c", "SELECT name, setting FROM pg_settings WHERE name IN ("
                             + ",".join(f"'{n}'" for n in names) + ")"]).strip()
            return dict(line.split("\t", 1) for line in rows.splitlines())
        except Exception as ex:
            return {"error": str(ex)}

    def setup(self):
        self.redis_pid = int(redis_cli("INFO", "server").split("process_id:")[1].split()[0])
        self.postmaster = None
        self.mariadbd = None
        if self.vendor == "mariadb":
            try:
                with open(mariadb(None, "SELECT @@pid_file")) as f:
                    self.mariadbd = int(f.readline())
            except (OSError, ValueError, RuntimeError):
                pass
            mariadb(None, f"CREATE DATABASE {self.db}")
        else:
            try:
                data = psql("postgres", "SHOW data_directory")
                with open(os.path.join(data, "postmaster.pid")) as f:
                    self.postmaster = int(f.readline())
            except (OSError, ValueError, RuntimeError):
                pass
            psql("postgres", f"CREATE DATABASE {self.db}")
        self.db_created = True
        log(f"database {self.db}, Redis key prefix {self.prefix}, output {self.out}")

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        log("cleaning up: stopping processes, dropping the database, deleting Redis keys")
        self.procs.stop_all()
        if self.db_created:
            try:
                if self.vendor == "mariadb":
                    mariadb(None, f"DROP DATABASE IF EXISTS {self.db}")
                else:
                    psql("postgres", f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
            except Exception as ex:
                log(f"could not drop {self.db}: {ex}")
        try:
            deleted = self.delete_redis_keys()
            log(f"deleted {deleted} Redis keys under {self.prefix}")
        except Exception as ex:
            log(f"could not delete Redis keys under {self.prefix}: {ex}")
        shutil.rmtree(self.tmp, ignore_errors=True)

    def delete_redis_keys(self):
        script = ("local r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 5000) "
                  "for _, k in ipairs(r[2]) do redis.call('UNLINK', k) end "
                  "return {r[1], #r[2]}")
        cursor, total = "0", 0
        while True:
            out = redis_cli("EVAL", script, 0, cursor, self.prefix + "*").split()
            cursor, total = out[0], total + int(out[1])
            if cursor == "0":
                return total

    # ---- servers

    def start_nginx(self):
        port_static, port_lb = free_port(), free_port()
        root = os.path.join(self.tmp, "nginx")
        os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
        upstream = "\n".join(f"    server 127.0.0.1:{self.nodes[n]['port']};" for n in ("A", "B") if n in self.nodes)
        conf = f"""# Generated by bench/seckill_bench.py
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path {root}/tmp;
  proxy_temp_path {root}/tmp;
  fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp;
  scgi_temp_path {root}/tmp;
  # The machine's HTTP ceiling: a constant answer the size of /api/v1/ping's.
  server {{
    listen 127.0.0.1:{port_static};
    default_type application/json;
    location / {{ return 200 '{{"status":"ok"}}'; }}
  }}
  # Load balancer in front of the API nodes.
  upstream seckill {{
    least_conn;
{upstream}
    keepalive 128;
  }}
  server {{
    listen 127.0.0.1:{port_lb};
    location / {{
      proxy_pass http://seckill;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }}
  }}
}}
"""
        path = os.path.join(root, "nginx.conf")
        with open(path, "w") as f:
            f.write(conf)
        shutil.copy(path, os.path.join(self.out, "nginx.conf"))
        proc = self.procs.start(["nginx", "-p", root, "-c", path], os.path.join(self.out, "nginx.log"))
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port_static), 0.2).close()
                socket.create_connection(("127.0.0.1", port_lb), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("nginx did not start; see nginx.log")
        self.nginx = {"proc": proc, "port_static": port_static, "port_lb": port_lb}
        log(f"nginx (1 worker) return 200 on :{port_static}, load balancer on :{port_lb}")

    def nginx_pids(self):
        if not self.nginx or self.nginx["proc"].poll() is not None:
            return []
        master = self.nginx["proc"].pid
        pids = [master]
        for pid in pids_named("nginx"):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        pids.append(pid)
            except OSError:
                pass
        return pids

    def secrets_file(self):
        """The nodes' secrets in a file only this user can read: never on a command line (`ps`)."""
        path = os.path.join(self.tmp, "secrets.properties")
        if not os.path.exists(path):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(f"seckill.security.token-secret={self.secret}\n"
                        f"seckill.security.bootstrap-admin.password={self.admin_password}\n")
        return path

    def start_redis_replica(self):
        """A replica of the bench's Redis (its own redis-server on a free port, no persistence), so that
        replica acknowledgements (seckill.purchase.replica-acks) can be measured; stopped with the run."""
        port = free_port()
        directory = os.path.join(self.tmp, "redis-replica")
        os.makedirs(directory, exist_ok=True)
        self.procs.start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--dir", directory, "--replicaof", "127.0.0.1", "6379",
                          "--replica-read-only", "yes", "--logfile", ""],
                         os.path.join(self.out, "redis-replica.log"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                info = run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "info", "replication"], timeout=5)
                if "master_link_status:up" in info:
                    log(f"Redis replica on :{port} in sync with 127.0.0.1:6379")
                    self.results["environment"]["redis_replica"] = port
                    return port
            except (RuntimeError, OSError, subprocess.SubprocessError):
                pass
            time.sleep(0.5)
        raise RuntimeError("the Redis replica did not get in sync within 60 s; see redis-replica.log")

    def start_node(self, name, roles, pool=5, extra=(), jvm=(), jar=None):
        port = free_port()
        management = free_port()
        gc_log = os.path.join(self.out, f"gc-{name}.log")
        # Safepoints as well as GC: every stop-the-world pause, whatever the collector (ZGC's pauses
        # are safepoints, not "Pause" lines), including the time to reach the safepoint.
        cmd = [self.args.java, f"-Xmx{self.args.heap}", f"-Xlog:gc,safepoint:file={gc_log}:time,uptime,level,tags:filecount=0",
               *self.args.jvm_opt, *jvm, "-jar", jar or self.args.jar,
               f"--server.port={port}",
               f"--management.server.port={management}",
               "--spring.data.redis.url=redis://127.0.0.1:6379",
               f"--spring.datasource.url={self.jdbc_url()}",
               f"--spring.datasource.hikari.maximum-pool-size={pool}",
               "--seckill.embedded=never",
               f"--seckill.roles={roles}",
               f"--seckill.redis.key-prefix={self.prefix}",
               "--seckill.purchase.rate-limit=0",
               "--seckill.demo.enabled=false",
               f"--spring.config.import=file:{self.secrets_file()}",
               "--seckill.security.password-strength=4",
               "--seckill.security.token-ttl=3h",
               "--seckill.purchase.ticket-ttl=3h",
               "--seckill.worker.ticket-ttl=3h",
               # Nobody pays during a run: without this, orders older than the default 15 minutes
               # expire and give their units back mid-run, which the drain and the audit would count.
               "--seckill.orders.payment-timeout=3h",
               *self.args.app_arg, *extra]
        # A setting given again later (extra) replaces the default: Spring Boot would join both values.
        overridden = {arg.split("=", 1)[0] for arg in [*self.args.app_arg, *extra] if arg.startswith("--")}
        first = cmd.index("-jar") + 2
        cmd = cmd[:first] + [arg for arg in cmd[first:len(cmd) - len(self.args.app_arg) - len(extra)]
                             if arg.split("=", 1)[0] not in overridden] + [*self.args.app_arg, *extra]
        proc = self.procs.start(cmd, os.path.join(self.out, f"app-{name}.log"), cwd=self.tmp)
        node = {"name": name, "roles": roles, "port": port, "management_port": management, "proc": proc,
                "gc_log": gc_log, "started": time.time(), "cmd": cmd}
        deadline = time.monotonic() + 150
        http_ = Http(management)
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"node {name} exited ({proc.returncode}); see app-{name}.log")
            try:
                status, _ = http_.call("GET", "/actuator/health/readiness", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"node {name} not ready after 150 s; see app-{name}.log")
            time.sleep(0.5)
        self.nodes[name] = node
        self.results.setdefault("node_commands", {})[name] = " ".join(cmd)
        log(f"node {name} ({roles}) ready on :{port} after {time.time() - node['started']:.1f} s")
        return node

    def stop_node(self, name):
        node = self.nodes.pop(name)
        self.procs.stop(node["proc"])
        self.collect_gc(node)

    def node_pid(self, name):
        node = self.nodes.get(name)
        return [node["proc"].pid] if node and node["proc"].poll() is None else []

    # ---- GC pauses

    PAUSE = re.compile(r"^\[([^\]]+)\].*\bPause (.+?) (\d+(?:\.\d+)?)ms$")
    SAFEPOINT = re.compile(r'^\[([^\]]+)\].*\bSafepoint "([^"]+)".*\bTotal: (\d+) ns')

    def collect_gc(self, node):
        """Stop-the-world pauses: safepoints (time to reach one + time at it) when the log has them,
        else the collector's own "Pause" lines (logs of older runs)."""
        pauses, safepoints = [], []
        try:
            with open(node["gc_log"]) as f:
                for line in f:
                    line = line.strip()
                    m = self.SAFEPOINT.match(line)
                    if m:
                        when = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
                        safepoints.append((when, int(m.group(3)) / 1e6, m.group(2)))
                        continue
                    m = self.PAUSE.match(line)
                    if m:
                        when = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
                        pauses.append((when, float(m.group(3)), m.group(2)))
        except OSError:
            return
        pauses = safepoints or pauses
        previous = self.results["gc"].get(node["name"], {"pauses": []})["pauses"]
        merged = previous + [list(p) for p in pauses]
        self.results["gc"][node["name"]] = {
            "pauses": merged, "count": len(merged),
            "max_ms": max((p[1] for p in merged), default=0.0),
            "total_ms": round(sum(p[1] for p in merged), 1),
            "log": os.path.basename(node["gc_log"]),
        }

    def max_pause_between(self, start, end):
        worst = {}
        for name, info in self.results["gc"].items():
            inside = [p[1] for p in info["pauses"] if start <= p[0] <= end]
            if inside:
                worst[name] = max(inside)
        return worst

    # ---- users and activities

    def admin_token(self):
        status, body = Http(self.nodes["A"]["port"]).call(
            "POST", "/api/v1/sessions", {"username": "admin", "password": self.admin_password})
        if status != 200:
            raise RuntimeError(f"admin login failed: {status} {body}")
        return body["token"]

    def create_users(self, count):
        """Registers and logs in `count` shoppers through the API, in parallel (BCrypt cost 4)."""
        api = Http(self.nodes["A"]["port"])
        names = [f"b{self.id}u{i}" for i in range(count)]
        started = time.time()

        def register(name):
            for attempt in range(3):
                try:
                    status, body = api.call("POST", "/api/v1/users", {"username": name, "password": PASSWORD})
                    if status == 201:
                        return body["id"]
                    raise RuntimeError(f"register {name}: {status} {body}")
                except OSError:
                    if attempt == 2:
                        raise
            return False

        def login(name):
            for attempt in range(3):
                try:
                    status, body = api.call("POST", "/api/v1/sessions", {"username": name, "password": PASSWORD})
                    if status == 200:
                        return body["token"]
                    raise RuntimeError(f"login {name}: {status} {body}")
                except OSError:
                    if attempt == 2:
                        raise
            return None

        with concurrent.futures.ThreadPoolExecutor(self.args.setup_threads) as pool:
            ids = list(pool.map(register, names))
            registered = time.time()
            tokens = list(pool.map(login, names))
        with open(self.tokens_file, "w") as f:
            f.write("\n".join(tokens) + "\n")
        with open(self.ids_file, "w") as f:
            f.write("\n".join(str(i) for i in ids) + "\n")
        self.users = count
        done = time.time()
        log(f"{count} users registered in {registered - started:.1f} s and logged in in {done - registered:.1f} s")
        self.results["users"] = {"count": count, "register_s": round(registered - started, 1),
                                 "login_s": round(done - registered, 1)}

    def create_activity(self, name, stock, items=1, limit=100):
        admin = self.admin_token()
        api = Http(self.nodes["A"]["port"])
        now = datetime.datetime.now(datetime.timezone.utc)
        draft = {"name": name, "startsAt": (now - datetime.timedelta(minutes=1)).isoformat(),
                 "endsAt": (now + datetime.timedelta(hours=3)).isoformat(), "minLevel": 0,
                 "items": [{"name": f"{name}-item{i + 1}", "price": 1.00, "stock": stock, "limit": limit}
                           for i in range(items)]}
        status, body = api.call("POST", "/api/v1/admin/activities", draft, token=admin)
        if status != 201:
            raise RuntimeError(f"create activity: {status} {body}")
        activity = body["id"]
        status, body = api.call("POST", f"/api/v1/admin/activities/{activity}/publish", token=admin)
        if status != 200:
            raise RuntimeError(f"publish activity: {status} {body}")
        item_ids = [item["id"] for item in body["items"]]
        time.sleep(2)  # nodes refresh their cached sale rules every second
        return {"id": activity, "items": item_ids, "stock": stock, "limit": limit, "name": name}

    def purchase_paths(self, activity):
        return ",".join(f"/api/v1/activities/{activity['id']}/items/{item}/purchases" for item in activity["items"])

    # ---- profiles (evidence for what limits a scenario)

    def jdk_tool(self, name):
        return os.path.join(os.path.dirname(os.path.realpath(shutil.which(self.args.java) or self.args.java)), name)

    def start_profile(self, node, name, duration):
        path = os.path.join(self.out, f"profile-{name}.jfr")
        run([self.jdk_tool("jcmd"), str(self.nodes[node]["proc"].pid), "JFR.start", f"name={name}",
             "settings=profile", "jdk.ExecutionSample#period=2ms", f"duration={duration}s", f"filename={path}"])
        return path

    def summarize_profile(self, name, path):
        deadline = time.monotonic() + 20
        while not (os.path.exists(path) and os.path.getsize(path) > 0):
            if time.monotonic() > deadline:
                return None
            time.sleep(0.5)
        time.sleep(1)
        text = run([self.jdk_tool("jfr"), "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                   timeout=300)
        threads, top, inclusive = {}, {}, {}
        samples = 0
        for event in text.split("jdk.ExecutionSample {")[1:]:
            thread = re.search(r'sampledThread = "([^"]*)"', event)
            frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
            if not frames:
                continue
            samples += 1
            group = re.sub(r"\d+", "N", thread.group(1) if thread else "?")
            threads[group] = threads.get(group, 0) + 1
            top[frames[0]] = top.get(frames[0], 0) + 1
            for frame in set(frames):
                if re.match(r"(io\.seckill|io\.lettuce|org\.springframework|io\.micrometer|com\.fasterxml|"
                            r"com\.nimbusds|com\.github\.benmanes|reactor\.netty|io\.netty\.handler\.codec)", frame):
                    inclusive[frame] = inclusive.get(frame, 0) + 1

        def ranked(counter, n):
            return [[k, v, round(100 * v / samples, 1)] for k, v in sorted(counter.items(), key=lambda kv: -kv[1])[:n]]

        profile = {"jfr": os.path.basename(path), "samples": samples, "threads": ranked(threads, 12),
                   "top_self": ranked(top, 30), "inclusive": ranked(inclusive, 60)}
        self.results.setdefault("profiles", {})[name] = profile
        lines = [f"{name}: {samples} samples", "threads:"] + [f"  {p:5.1f}%  {k}" for k, _, p in profile["threads"]] + \
                ["top frames (self):"] + [f"  {p:5.1f}%  {k}" for k, _, p in profile["top_self"]] + \
                ["inclusive (selected packages):"] + [f"  {p:5.1f}%  {k}" for k, _, p in profile["inclusive"]]
        with open(os.path.join(self.out, f"profile-{name}.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        log(f"profile {name}: {samples} samples; threads " +
            ", ".join(f"{k} {p}%" for k, _, p in profile["threads"][:4]))
        return profile

    # ---- one load run

    def our_pids(self):
        pids = [n["proc"].pid for n in self.nodes.values() if n["proc"].poll() is None]
        return pids + self.nginx_pids() + [self.redis_pid] + self.postgres_pids()

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

    # ---- stream, drain and audit

    def stream_backlog(self):
        script = ("local total = 0 for _, s in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
                  "total = total + redis.call('XLEN', s) end return total")
        return int(redis_cli("EVAL", script, 1, self.prefix + "sk:order-streams"))

    def sold_in_db(self):
        return int(self.sql("SELECT coalesce(sum(stock - remaining), 0) FROM items") or 0)

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

    def audit(self, client_queued=None, full_ticket_scan=False):
        """Invariants read straight from PostgreSQL and Redis (after the queue drained)."""
        columns = ("activity_id", "item_id", "stock", "remaining", "purchase_limit", "orders", "duplicate_slots",
                   "max_per_user")
        # Joins of grouped derived tables, not correlated subqueries: MariaDB cannot see an outer column
        # from inside a derived table.
        rows = [dict(zip(columns, (int(v) for v in line.split("\t")))) for line in self.sql("""
              SELECT i.activity_id, i.id, i.stock, i.remaining, i.purchase_limit, coalesce(o.n, 0),
                     coalesce(d.n, 0), coalesce(u.m, 0)
              FROM items i
              LEFT JOIN (SELECT item_id, count(*) AS n FROM orders GROUP BY item_id) o ON o.item_id = i.id
              LEFT JOIN (SELECT item_id, count(*) AS n FROM (SELECT item_id FROM orders
                           GROUP BY activity_id, item_id, user_id, slot HAVING count(*) > 1) x GROUP BY item_id) d
                     ON d.item_id = i.id
              LEFT JOIN (SELECT item_id, max(c) AS m FROM (SELECT item_id, count(*) AS c FROM orders
                           GROUP BY item_id, user_id) y GROUP BY item_id) u ON u.item_id = i.id
              ORDER BY i.id""").splitlines() if line.strip()]
        by_activity = {}
        problems = []
        for row in rows:
            activity = row["activity_id"]
            redis_remaining = redis_cli("HGET", f"{self.prefix}sk:{{{activity}}}:stock", row["item_id"])
            row["redis_remaining"] = int(redis_remaining) if redis_remaining else None
            checks = {
                "sold_le_stock": row["orders"] <= row["stock"],
                "stock_conserved": row["stock"] == row["remaining"] + row["orders"],
                "no_duplicate_slot": row["duplicate_slots"] == 0,
                "limit_held": row["max_per_user"] <= row["purchase_limit"],
                "redis_equals_db": row["redis_remaining"] == row["remaining"],
            }
            row["checks"] = checks
            for name, ok in checks.items():
                if not ok:
                    problems.append(f"item {row['item_id']}: {name}")
            by_activity.setdefault(activity, []).append(row)
        backlog = self.stream_backlog()
        pending = 0
        for stream in redis_cli("SMEMBERS", self.prefix + "sk:order-streams").split():
            try:
                pending += int(redis_cli("XPENDING", stream, "order-writers").split()[0])
            except (RuntimeError, ValueError, IndexError):
                pass
        if backlog or pending:
            problems.append(f"queue not drained: {backlog} in streams, {pending} pending")
        tickets = None
        if full_ticket_scan:
            tickets = self.scan_tickets()
            for activity, states in tickets.items():
                orders = sum(r["orders"] for r in by_activity.get(int(activity), []))
                if states.get("Q", 0):
                    problems.append(f"activity {activity}: {states['Q']} tickets still QUEUED")
                if states.get("S", 0) != orders:
                    problems.append(f"activity {activity}: {states.get('S', 0)} SUCCESS tickets vs {orders} orders")
        client = {}
        for activity, (queued, runs) in (client_queued or {}).items():
            orders = sum(r["orders"] for r in by_activity.get(activity, []))
            client[activity] = {"client_saw_202": queued, "orders_in_db": orders,
                                "orders_minus_202": orders - queued, "load_runs": runs}
            # wrk drops the answers still in flight when its time is up: at most one per connection
            # (and the probe's one) per load run.
            if not (queued <= orders <= queued + runs * (self.args.connections + 1)):
                problems.append(f"activity {activity}: clients saw {queued} QUEUED, database has {orders} orders")
        audit = {"at": time.time(), "items": rows, "stream_backlog": backlog, "pending": pending,
                 "tickets": tickets, "client_vs_db": client, "problems": problems, "ok": not problems}
        self.results["audits"].append(audit)
        total_orders = sum(r["orders"] for r in rows)
        log(f"audit: {len(rows)} items, {total_orders:,} orders, backlog {backlog}, pending {pending}"
            + (f", tickets {tickets}" if tickets is not None else "")
            + (" — all invariants hold" if not problems else f" — PROBLEMS: {problems}"))
        return audit

    def scan_tickets(self):
        script = ("local r = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 20000) local c = {} "
                  "for _, k in ipairs(r[2]) do local v = redis.call('GET', k) "
                  "local key = (string.match(k, '{(%d+)}') or '?') .. ':' .. (v and string.sub(v, 1, 1) or '?') "
                  "c[key] = (c[key] or 0) + 1 end local out = {r[1]} "
                  "for k, n in pairs(c) do table.insert(out, k .. '=' .. n) end return out")
        cursor, states = "0", {}
        while True:
            out = redis_cli("EVAL", script, 0, cursor, self.prefix + "sk:{*}:ticket:*").split()
            cursor = out[0]
            for item in out[1:]:
                key, n = item.split("=")
                activity, state = key.split(":")
                states.setdefault(activity, {})
                states[activity][state] = states[activity].get(state, 0) + int(n)
            if cursor == "0":
                return states


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


def nonzero(d):
    return {k: v for k, v in d.items() if v} or "none"


def compact_cpu(cpu):
    return ", ".join(f"{k} {v:.0f}%" for k, v in cpu.items() if v and k != "machine_busy_pct_of_all_cores") + \
        f" (machine busy {cpu.get('machine_busy_pct_of_all_cores')}%)"


def queued_of(result, single=False):
    if not single and "client_202_all_attempts" in result:
        return result["client_202_all_attempts"]
    outcomes = result["outcomes"]
    probe = result["probe"]["outcomes"] if result.get("probe") else {}
    return int(outcomes.get("202", 0)) + int(probe.get("202", 0))


# ---------------------------------------------------------------- the standard suite

def suite(bench):
    a = bench.args
    bench.environment()
    bench.setup()
    if a.redis_replica:
        bench.start_redis_replica()
    bench.start_node("A", "api,admin", extra=[TOKENS_OFF])
    if a.lb:
        bench.start_node("B", "api", extra=[TOKENS_OFF])
    variant = bool(a.variant_arg or a.variant_jvm_opt or a.variant_jar)
    if variant:  # an A/B experiment: node V runs with extra settings or another build, next to node A
        bench.start_node("V", "api", extra=[TOKENS_OFF, *a.variant_arg], jvm=a.variant_jvm_opt, jar=a.variant_jar)
    if a.tokens:  # node T requires purchase tokens (the default contract)
        bench.start_node("T", "api", extra=[f"--seckill.purchase-token.rate-limit={a.token_rate_limit}"])
    # Another build: its token node too, so that the refusals and the two-step flow are compared as well.
    token_variant = a.tokens and a.variant_jar
    if token_variant:
        bench.start_node("TV", "api", extra=[f"--seckill.purchase-token.rate-limit={a.token_rate_limit}"],
                         jar=a.variant_jar)
    if a.login_flood:  # real BCrypt cost: the login flood takes what password hashing may take
        bench.start_node("L", "api", extra=[TOKENS_OFF, "--seckill.security.password-strength=10"])
    bench.start_nginx()
    bench.create_users(a.users)
    items = a.items
    ng, node_a = bench.nginx["port_static"], bench.nodes["A"]["port"]
    client_queued = {}

    def count(activity, result):
        queued, runs = client_queued.get(activity["id"], (0, 0))
        # A run measured again because the machine was busy made more than one wrk invocation.
        client_queued[activity["id"]] = (queued + queued_of(result), runs + result.get("attempts", 1))

    # Warm-up (not recorded): JIT, connection pools, caches.
    warm = bench.create_activity("warm-up", 10_000_000, items, 100)
    log(f"warm-up {a.warmup} s (ping, then purchases)")
    bench.wrk(None, node_a, "GET", "/api/v1/ping", a.warmup, record=False, probe=False)
    count(warm, bench.wrk(None, node_a, "POST", bench.purchase_paths(warm), a.warmup, record=False, probe=False))
    if variant:
        count(warm, bench.wrk(None, bench.nodes["V"]["port"], "POST", bench.purchase_paths(warm), a.warmup,
                              record=False, probe=False))
    if a.login_flood:
        count(warm, bench.wrk(None, bench.nodes["L"]["port"], "POST", bench.purchase_paths(warm), a.warmup,
                              record=False, probe=False))
    if a.lb:  # node B too, through the load balancer
        count(warm, bench.wrk(None, bench.nginx["port_lb"], "POST", bench.purchase_paths(warm), a.warmup,
                              record=False, probe=False))
    for t in (["T", "TV"] if token_variant else ["T"]) if a.tokens else []:
        # Token nodes: ping, refusals without a token, the two-step flow.
        node_t = bench.nodes[t]["port"]
        bench.wrk(None, node_t, "GET", "/api/v1/ping", a.warmup, record=False, probe=False)
        bench.wrk(None, node_t, "POST", bench.purchase_paths(warm), max(1, a.warmup // 2), record=False, probe=False,
                  ptoken="forged")
        count(warm, bench.wrk(None, node_t, "POST", bench.purchase_paths(warm), a.warmup, record=False,
                              probe=False, flow=True))

    for i in range(1, a.runs + 1):
        log(f"===== run {i} of {a.runs} =====")
        adm = bench.create_activity(f"admission-{i}", 10_000_000, items, 100)
        # Fewer units than shoppers: the shoppers who got none meet SOLD_OUT, which sets the node's flag.
        sold = bench.create_activity(f"sold-out-{i}", min(a.soldout_stock, a.users // 5), 1, 1)
        lb = bench.create_activity(f"balanced-{i}", 10_000_000, items, 100) if a.lb else None
        flow = bench.create_activity(f"flow-{i}", 10_000_000, items, 100) if a.tokens else None
        d = a.duration
        bench.wrk("nginx return 200", ng, "GET", "/api/v1/ping", d, scenario="nginx", iteration=i)
        bench.wrk("ping", node_a, "GET", "/api/v1/ping", d, scenario="ping", iteration=i)
        count(adm, bench.wrk("admission", node_a, "POST", bench.purchase_paths(adm), d, scenario="admission",
                             iteration=i, activity=adm["id"]))
        if variant:
            node_v = bench.nodes["V"]["port"]
            bench.wrk("ping (variant)", node_v, "GET", "/api/v1/ping", d, scenario="ping-variant", iteration=i)
            count(adm, bench.wrk("admission (variant)", node_v, "POST", bench.purchase_paths(adm), d,
                                 scenario="admission-variant", iteration=i, activity=adm["id"]))
        # Sell the small stock out first (not measured), then the storm.
        for _ in range(5):  # a busy machine may need more than one round
            count(sold, bench.wrk(None, node_a, "POST", bench.purchase_paths(sold), 2, scenario="sell-out",
                                  iteration=i, activity=sold["id"], probe=False))
            left = redis_cli("HGET", f"{bench.prefix}sk:{{{sold['id']}}}:stock", sold["items"][0])
            if left == "0":
                break
        if left != "0":
            raise RuntimeError(f"sold-out activity still has {left} units after the sell-out phase")
        count(sold, bench.wrk("sold-out storm", node_a, "POST", bench.purchase_paths(sold), d, scenario="soldout",
                              iteration=i, activity=sold["id"]))
        if variant:
            count(sold, bench.wrk("sold-out storm (variant)", bench.nodes["V"]["port"], "POST",
                                  bench.purchase_paths(sold), d, scenario="soldout-variant", iteration=i,
                                  activity=sold["id"]))
        if a.soldout_without_keys:
            count(sold, bench.wrk("sold-out storm, no keys", node_a, "POST", bench.purchase_paths(sold), d,
                                  scenario="soldout-nokeys", iteration=i, activity=sold["id"], keys=False))
        if flow:
            # Node T, purchase tokens required: refusals in memory, then the whole two-step flow.
            node_t = bench.nodes["T"]["port"]
            bench.wrk("ping (token node)", node_t, "GET", "/api/v1/ping", d, scenario="ping-t", iteration=i)
            bench.wrk("no token", node_t, "POST", bench.purchase_paths(flow), d, scenario="notoken",
                      iteration=i, activity=flow["id"])
            bench.wrk("forged token", node_t, "POST", bench.purchase_paths(flow), d, scenario="forged",
                      iteration=i, activity=flow["id"], ptoken="forged")
            count(flow, bench.wrk("token + purchase flow", node_t, "POST", bench.purchase_paths(flow), d,
                                  scenario="flow", iteration=i, activity=flow["id"], flow=True))
        if flow and token_variant:
            node_tv = bench.nodes["TV"]["port"]
            bench.wrk("ping (token node, variant)", node_tv, "GET", "/api/v1/ping", d, scenario="ping-t-variant",
                      iteration=i)
            bench.wrk("no token (variant)", node_tv, "POST", bench.purchase_paths(flow), d, scenario="notoken-variant",
                      iteration=i, activity=flow["id"])
            bench.wrk("forged token (variant)", node_tv, "POST", bench.purchase_paths(flow), d,
                      scenario="forged-variant", iteration=i, activity=flow["id"], ptoken="forged")
            count(flow, bench.wrk("token + purchase flow (variant)", node_tv, "POST", bench.purchase_paths(flow), d,
                                  scenario="flow-variant", iteration=i, activity=flow["id"], flow=True))
        if a.login_flood:
            # Node L (BCrypt 10): admission alone, then the same with a login flood beside it.
            node_l = bench.nodes["L"]["port"]
            count(adm, bench.wrk("admission (login node)", node_l, "POST", bench.purchase_paths(adm), d,
                                 scenario="admission-l", iteration=i, activity=adm["id"]))
            count(adm, bench.wrk("admission, login flood", node_l, "POST", bench.purchase_paths(adm), d,
                                 scenario="admission-flood", iteration=i, activity=adm["id"],
                                 flood=a.login_flood))
        if lb:
            count(lb, bench.wrk("1 node direct", node_a, "POST", bench.purchase_paths(lb), d, scenario="direct",
                                iteration=i, activity=lb["id"]))
            count(lb, bench.wrk("nginx -> 2 nodes", bench.nginx["port_lb"], "POST", bench.purchase_paths(lb), d,
                                scenario="balanced", iteration=i, activity=lb["id"]))
        if not a.drain:
            continue
        # The writer drain needs a long enough backlog: top it up through the real admission path.
        fill_deadline = time.monotonic() + 60
        while bench.stream_backlog() < a.drain_min and time.monotonic() < fill_deadline:
            count(adm, bench.wrk(None, node_a, "POST", bench.purchase_paths(adm), 5, scenario="fill", iteration=i,
                                 activity=adm["id"], probe=False))
        bench.drain(i, consumers=a.drain_consumers, batch_size=a.drain_batch)
        for spec in a.drain_variant:  # e.g. "consumers=2,batch=500": same backlog size, other settings
            settings = dict(part.split("=") for part in spec.split(","))
            # A fresh activity per refill: users × limit bounds what one activity can admit.
            fill = bench.create_activity(f"fill-{i}-{spec}", 10_000_000, items, 100)
            fill_deadline = time.monotonic() + 60
            while bench.stream_backlog() < max(a.drain_min, 1) and time.monotonic() < fill_deadline:
                count(fill, bench.wrk(None, node_a, "POST", bench.purchase_paths(fill), 5, scenario="fill",
                                      iteration=i, activity=fill["id"], probe=False))
            bench.drain(i, consumers=int(settings.get("consumers", 1)), batch_size=int(settings.get("batch", 500)),
                        label=f"writer drain {spec}", scenario=f"drain-variant {spec}")
        bench.audit(client_queued)
    if not a.drain:  # one drain at the end, so that the audit still sees every order written
        bench.drain(a.runs, consumers=a.drain_consumers, batch_size=a.drain_batch, label="final drain",
                    scenario="final-drain")
    bench.audit(client_queued, full_ticket_scan=True)


def sale(bench):
    """One custom sale: U users, S stock per item, N items (1 = hot), C connections, D seconds."""
    a = bench.args
    bench.environment()
    bench.setup()
    bench.start_node("A", "api,admin", extra=[TOKENS_OFF])
    bench.create_users(a.users)
    node_a = bench.nodes["A"]["port"]
    activity = bench.create_activity("sale", a.stock, a.items, a.limit)
    warm = bench.create_activity("warm-up", 10_000_000, 1, 100)
    log(f"warm-up {a.warmup} s")
    queued = {warm["id"]: (queued_of(bench.wrk(None, node_a, "POST", bench.purchase_paths(warm), a.warmup,
                                                record=False, probe=False)), 1)}
    result = bench.wrk("sale", node_a, "POST", bench.purchase_paths(activity), a.duration, scenario="sale",
                       iteration=1, activity=activity["id"])
    queued[activity["id"]] = (queued_of(result), 1)
    bench.drain(1, consumers=a.drain_consumers, batch_size=a.drain_batch)
    bench.audit(queued, full_ticket_scan=True)


def drains(args, benches):
    """The writer drain alone, on every database of --db from the same run: per database its own database
    (dropped after), key prefix and API node; each run fills a fresh activity's stream through the real
    admission path to >= --drain-min entries, then a worker-only node drains it; the databases take turns
    run by run so that both see the same moments of a shared machine."""
    vendors = [v.strip() for v in args.db.split(",") if v.strip()]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    root = os.path.abspath(args.out or os.path.join(HERE, "results", stamp))
    for vendor in vendors:  # the caller's list, so that it can clean up whatever was made before a failure
        benches.append(Bench(args, vendor, out=os.path.join(root, vendor)))
        atexit.register(benches[-1].cleanup)
    queued = {bench.vendor: {} for bench in benches}
    for bench in benches:
        bench.environment()
        bench.setup()
        # Tokens off: the drain measures the writer; the fill only has to queue orders quickly.
        bench.start_node("A", "api,admin", extra=[TOKENS_OFF])
        bench.create_users(args.users)
        log(f"{bench.vendor}: {bench.results['environment'].get('database_settings')}")
        warm = bench.create_activity("warm-up", 10_000_000, args.items, 100)
        result = bench.wrk(None, bench.nodes["A"]["port"], "POST", bench.purchase_paths(warm), args.warmup,
                           record=False, probe=False)
        queued[bench.vendor][warm["id"]] = (queued_of(result), 1)
    for i in range(1, args.runs + 1):
        for bench in benches:
            log(f"===== run {i} of {args.runs}: {bench.vendor} =====")
            activity = bench.create_activity(f"drain-{i}", 10_000_000, args.items, 100)
            fill_deadline = time.monotonic() + 300  # a busy machine admits slowly
            while bench.stream_backlog() < args.drain_min and time.monotonic() < fill_deadline:
                result = bench.wrk(None, bench.nodes["A"]["port"], "POST", bench.purchase_paths(activity), 5,
                                   scenario="fill", iteration=i, activity=activity["id"], probe=False)
                count, runs_ = queued[bench.vendor].get(activity["id"], (0, 0))
                queued[bench.vendor][activity["id"]] = (count + queued_of(result), runs_ + 1)
            bench.drain(i, consumers=args.drain_consumers, batch_size=args.drain_batch)
            for spec in args.drain_variant:
                settings = dict(part.split("=") for part in spec.split(","))
                fill = bench.create_activity(f"fill-{i}-{spec}", 10_000_000, args.items, 100)
                fill_deadline = time.monotonic() + 300
                while bench.stream_backlog() < max(args.drain_min, 1) and time.monotonic() < fill_deadline:
                    result = bench.wrk(None, bench.nodes["A"]["port"], "POST", bench.purchase_paths(fill), 5,
                                       scenario="fill", iteration=i, activity=fill["id"], probe=False)
                    count, runs_ = queued[bench.vendor].get(fill["id"], (0, 0))
                    queued[bench.vendor][fill["id"]] = (count + queued_of(result), runs_ + 1)
                bench.drain(i, consumers=int(settings.get("consumers", 1)),
                            batch_size=int(settings.get("batch", 500)),
                            label=f"writer drain {spec}", scenario=f"drain-variant {spec}")
            bench.audit(queued[bench.vendor])
    for bench in benches:
        bench.audit(queued[bench.vendor], full_ticket_scan=True)


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
        audits = bench.results.get("audits", [])
        lines.append(f"audit {bench.vendor}: " + ("all invariants hold" if audits and all(a["ok"] for a in audits)
                                                 else "PROBLEMS: " + "; ".join(p for a in audits for p in a["problems"])))
    return lines


# ---------------------------------------------------------------- summary lines, JSON and HTML

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


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

    lines, table = [], []

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
            "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}</style></head><body>"
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


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["suite", "sale", "drain", "markdown"])
    parser.add_argument("results", nargs="?", help="results.json (markdown command)")
    parser.add_argument("--smoke", action="store_true", help="a few seconds per scenario, one run, few users")
    parser.add_argument("--runs", type=int, default=3, help="iterations of the suite (each scenario once per run)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured load run")
    parser.add_argument("--warmup", type=int, default=8, help="seconds of unrecorded warm-up")
    parser.add_argument("--users", "-u", type=int, default=10000, help="shoppers created and logged in")
    parser.add_argument("--stock", "-s", type=int, default=1000, help="units per item (sale command)")
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
    args = parser.parse_args()
    if args.command == "markdown":
        with open(args.results) as f:
            results = json.load(f)
        summarize(results)
        print(markdown(results))
        return
    if args.smoke:
        args.runs, args.duration, args.warmup = 1, 3, 3
        args.users = min(args.users, 1000)
        args.drain_min = 0
        args.max_minutes = min(args.max_minutes, 10)
        args.quiet_wait = 0
        args.retry_busy = 0

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
        (suite if args.command == "suite" else sale)(bench)
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


if __name__ == "__main__":
    main()

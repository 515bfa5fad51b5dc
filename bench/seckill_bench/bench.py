"""One run's environment: its database, Redis key prefix, output directory and nodes; set-up and
clean-up. The work is in the mixins, one module per concern."""

import datetime
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

from .api import Api
from .audit import Audit
from .cpu import children_of, pids_named
from .drain import Drain
from .jvm import Jvm
from .load import Load
from .processes import Nodes, Processes
from .stores import PG, mariadb, psql, redis_cli
from .util import HERE, REPO, loadavg, log, run


class Bench(Nodes, Jvm, Api, Load, Drain, Audit):
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
        self.cluster_redis_pids = {}  # the shards bench's Redis Clusters: name -> their servers' PIDs
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

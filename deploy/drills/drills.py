#!/usr/bin/env python3
"""Failure drills for a seckill cluster on one machine (deploy/local/cluster.sh).

Each drill runs a sale under load from wrk (bounded in time, traffic to 127.0.0.1 only, or to the
cluster's own hosts with --hosts: network namespaces on a bridge of its own), breaks one
part of the cluster in the middle of it, waits for the queue to drain and checks the invariants by
reading PostgreSQL and Redis directly:

  - no oversell: orders <= stock, and remaining = stock - orders in the database;
  - no duplicate (activity, item, user, slot) row and no shopper above the item's limit;
  - every ticket answered 202 QUEUED ends SUCCESS or FAILED, and every SUCCESS has its order row;
  - every order row comes from a request the client saw answered (or saw fail: a retry with the same
    Idempotency-Key would get that ticket);
  - Redis remaining = database remaining after the drain.

It prints one verdict line per drill and exits non-zero when one fails. Standard library only.

  python3 deploy/drills/drills.py all                # start a cluster, run every drill, stop it
  python3 deploy/drills/drills.py api-kill pg-restart # some of them, in the order given
  python3 deploy/drills/drills.py --hosts all        # on separate hosts, with the partition drills
"""

import argparse
import datetime
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CLUSTER = os.path.join(ROOT, "deploy", "local", "cluster.sh")
LUA = os.path.join(HERE, "purchase.lua")
GROUP = "order-writers"
PASSWORD = "drill-password-1"
# Answers that are part of the purchase contract; anything else the client sees is an error.
BUSINESS = {202, 409, 410}
# The same for purchase-token requests (201 = a token; 409 SOLD_OUT/ENDED..., 410).
TOKEN_BUSINESS = {201, 409, 410}
# wrk connections: answers still in flight when wrk stops are never seen by the client.
CONNECTIONS = 24


def log(message):
    print(f"[drills {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---- a tiny Redis client (RESP2), enough for GET/HGET/XLEN/XPENDING/SENTINEL --------------------


class RedisError(Exception):
    pass


class Redis:
    # The cluster's Redis servers and Sentinels share one password (cluster.sh env: REDIS_PASSWORD).
    password = None

    def __init__(self, host, port, timeout=3.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        if Redis.password:
            try:
                self.call("AUTH", Redis.password)
            except (OSError, ConnectionError, RedisError):
                self.close()
                raise

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    @staticmethod
    def _encode(args):
        out = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        return b"".join(out)

    def _read(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            data = self.file.read(size + 2)[:-2]
            return data.decode()
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self._read() for _ in range(size)]
        raise ConnectionError(f"bad reply {line!r}")

    def call(self, *args):
        self.sock.sendall(self._encode(args))
        reply = self._read()
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def pipeline(self, commands):
        self.sock.sendall(b"".join(self._encode(c) for c in commands))
        return [self._read() for _ in commands]


# ---- the cluster -------------------------------------------------------------------------------


class Cluster:
    def __init__(self, state_dir):
        self.state = state_dir
        self.env = {}
        self.ports = {}

    def sh(self, *args, check=True, quiet=False, timeout=600):
        env = dict(os.environ, SECKILL_CLUSTER_DIR=self.state)
        result = subprocess.run([CLUSTER, *args], env=env, text=True, timeout=timeout,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if (not quiet or (check and result.returncode != 0)) and result.stdout.strip():
            for line in result.stdout.strip().splitlines():
                # The cluster's secrets stay out of the drills' output (and CI's log).
                if re.match(r"\s*[A-Z_]*(PASSWORD|SECRET)[A-Z_]*=", line):
                    line = line.split("=", 1)[0] + "=<hidden>"
                print("    " + line, flush=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"cluster.sh {' '.join(args)} failed ({result.returncode})")
        return result.stdout

    def load(self):
        out = self.sh("env", quiet=True)
        for line in out.splitlines():
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                parsed = shlex.split(value)
                self.env[key] = parsed[0] if parsed else ""
        self.ports = {}
        self.management_ports = {}
        for entry in self.env["NODES"].split(","):
            if entry.strip():
                name, port, management = entry.split()
                self.ports[name] = int(port)
                self.management_ports[name] = int(management)
        self.sentinels = [int(p) for p in self.env.get("SENTINEL_PORTS", "").split()]
        # A Redis Cluster (cluster.sh up --redis cluster): a sale's keys live on the shard of its hash tag.
        self.redis_cluster = self.env.get("REDIS_MODE") == "cluster"
        self.redis_ports = [int(p) for p in self.env.get("REDIS_PORTS", "").split()]
        Redis.password = self.env.get("REDIS_PASSWORD") or None
        # Where each process listens: 127.0.0.1, or its own host's address with --hosts.
        self.addresses = dict(entry.split("=", 1) for entry in self.env.get("ADDRESSES", "").split(",") if entry)

    def addr(self, name):
        return self.addresses.get(name, "127.0.0.1")

    @property
    def base(self):
        return self.addr("lb"), int(self.env["LB_PORT"])

    def pid(self, name):
        with open(os.path.join(self.state, "pids", name + ".pid")) as f:
            return int(f.read().split()[0])

    def service_at(self, port):
        """The name (redis1, ...) of the cluster's Redis server on this port."""
        with open(os.path.join(self.state, "services")) as f:
            for line in f:
                name, p = line.split()
                if int(p) == port:
                    return name
        raise RuntimeError(f"no Redis of this cluster on port {port}")

    def log_text(self, name):
        try:
            with open(os.path.join(self.state, "logs", name + ".log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def primary(self, key=None):
        """The Redis primary: with Sentinels the majority's; on a Redis Cluster the one serving `key`'s
        slot (a sale's keys share one)."""
        if self.redis_cluster:
            return self.slot_primary(key or "{1}")
        if not self.sentinels:
            return self.addr("redis1"), int(self.env["REDIS_PORT"])
        answers = []
        for i, port in enumerate(self.sentinels, 1):
            try:
                r = Redis(self.addr(f"sentinel{i}"), port, timeout=1)
                try:
                    host, p = r.call("SENTINEL", "get-master-addr-by-name", "seckill")
                    answers.append((host, int(p)))
                finally:
                    r.close()
            except (OSError, ConnectionError, RedisError, TypeError, ValueError):
                continue
        if not answers:
            raise RuntimeError("no Sentinel answered")
        # A Sentinel cut off with the old primary still names it: the primary is the majority's.
        return max(answers, key=answers.count)

    def slot_primary(self, key):
        """The primary of `key`'s slot, as the first server of the cluster that answers sees it."""
        for port in self.redis_ports:
            try:
                r = Redis("127.0.0.1", port, timeout=1)
            except (OSError, ConnectionError, RedisError):
                continue
            try:
                slot = r.call("CLUSTER", "KEYSLOT", key)
                for entry in r.call("CLUSTER", "SLOTS"):
                    if entry[0] <= slot <= entry[1]:
                        return entry[2][0] or "127.0.0.1", int(entry[2][1])
            except (OSError, ConnectionError, RedisError, TypeError, ValueError, IndexError):
                continue
            finally:
                r.close()
        raise RuntimeError(f"no server of the Redis Cluster names the primary of {key}")

    def redis(self, key=None):
        """A connection to the primary (of `key`'s slot on a Redis Cluster)."""
        return Redis(*self.primary(key))

    def sql(self, sql):
        """Rows of one query on the cluster's database (PostgreSQL or MariaDB), as lists of strings."""
        if self.env.get("DB") == "mariadb":
            out = subprocess.run(
                ["mariadb", "-h", "127.0.0.1", "-P", self.env["DB_PORT"], "-u", "root", "-N", "-B",
                 self.env["DB_NAME"], "-e", sql],
                check=True, text=True, stdout=subprocess.PIPE).stdout
            return [line.split("\t") for line in out.splitlines() if line]
        out = subprocess.run(
            ["psql", "-h", self.addr("pg"), "-p", self.env["PG_PORT"], "-U", "postgres", "-d", self.env["DB_NAME"],
             "-X", "-q", "-tA", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True, text=True, stdout=subprocess.PIPE).stdout
        return [line.split("|") for line in out.splitlines() if line]


# ---- HTTP through the balancer -----------------------------------------------------------------


class Http:
    """One keep-alive connection per thread; HTTPS when given an SSL context, from a chosen local
    address when given one."""

    def __init__(self, host, port, tls=None, source=None):
        self.host, self.port, self.tls, self.source = host, port, tls, source
        self.local = threading.local()

    def _connect(self, timeout):
        source = (self.source, 0) if self.source else None
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self.tls,
                                               source_address=source)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout, source_address=source)

    def request(self, method, path, token=None, body=None, headers=None, timeout=10):
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self._connect(timeout)
                self.local.conn = conn
            try:
                conn.request(method, path, body=data, headers=all_headers)
                response = conn.getresponse()
                raw = response.read()
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
                return response.status, parsed
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def local_address_towards(host):
    """The address this machine speaks from to `host` (a UDP socket's route; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((host, 9))
        return probe.getsockname()[0]


def seconds_until(since, timeout, interval, holds):
    """Seconds from `since` (monotonic) until holds() is true, polled every `interval`; None when it
    is still false `timeout` seconds after `since`. A check that cannot reach what it looks at
    (a Sentinel, a Redis that is cut off) counts as not yet."""
    while time.monotonic() - since < timeout:
        try:
            if holds():
                return time.monotonic() - since
        except (OSError, ConnectionError, RedisError, RuntimeError):
            pass
        time.sleep(interval)
    return None


def node_metric(host, port, name):
    """One gauge or counter of a node (the sum of its series), from its Prometheus endpoint."""
    try:
        conn = http.client.HTTPConnection(host, port, timeout=3)
        conn.request("GET", "/actuator/prometheus")
        text = conn.getresponse().read().decode()
        conn.close()
    except OSError:
        return None
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith(name + " ") or line.startswith(name + "{")]
    return sum(values) if values else None


def node_admissions(host, port):
    """Purchase requests this node has answered (all outcomes), from its Prometheus endpoint (on the
    node's management port)."""
    try:
        conn = http.client.HTTPConnection(host, port, timeout=3)
        conn.request("GET", "/actuator/prometheus")
        text = conn.getresponse().read().decode()
        conn.close()
    except OSError:
        return None
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("seckill_admissions_total{"))


# ---- load --------------------------------------------------------------------------------------


class Sale:
    def __init__(self, activity, item, stock, limit):
        self.activity, self.item, self.stock, self.limit = activity, item, stock, limit

    @property
    def path(self):
        return f"/api/v1/activities/{self.activity}/items/{self.item}/purchases"

    @property
    def token_path(self):
        return f"/api/v1/activities/{self.activity}/items/{self.item}/purchase-tokens"

    def key(self, suffix):
        return f"sk:{{{self.activity}}}:{suffix}"


class Load:
    """wrk for a bounded time, answers written per thread; stop() ends it early (SIGINT).

    purchase.lua does the two-step flow (token, then purchase) and needs one connection per wrk
    thread to know which request each answer belongs to: threads = connections."""

    def __init__(self, cluster, sale, tokens_file, workdir, tag, duration, connections=CONNECTIONS, pause_ms=0):
        self.cluster, self.sale, self.tag = cluster, sale, tag
        self.out = os.path.join(workdir, f"answers-{tag}")
        threads = connections
        self.threads = threads
        host, port = cluster.base
        env = dict(os.environ, DRILL_TOKENS=tokens_file, DRILL_PATH=sale.path, DRILL_OUT=self.out,
                   DRILL_TAG=tag, DRILL_THREADS=str(threads), DRILL_DELAY=str(pause_ms))
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "5s",
             "-s", LUA, f"http://{host}:{port}"],
            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def elapsed(self):
        return time.monotonic() - self.started

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)

    def wait(self):
        output, _ = self.proc.communicate(timeout=900)
        result = {"statuses": {}, "tickets": [], "error_times": [], "wrk": output, "token_statuses": {},
                  "codes": {}}
        socket_errors = 0
        match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
        if match:
            socket_errors = sum(int(x) for x in match.groups())
        result["socket_errors"] = socket_errors
        for t in range(1, self.threads + 1):
            path = f"{self.out}.{t}"
            if not os.path.exists(path):
                continue
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if not parts:
                        continue
                    if parts[0] == "T":  # a purchase-token request: "T <status> <epoch> <code>"
                        status = int(parts[1])
                        key = status if status == 201 else f"{status}:{parts[3] if len(parts) > 3 else '-'}"
                        result["token_statuses"][key] = result["token_statuses"].get(key, 0) + 1
                        if status not in TOKEN_BUSINESS:
                            result["error_times"].append(int(parts[2]))
                        continue
                    status = int(parts[0])
                    if status != 202 and len(parts) > 2:
                        code = f"{status}:{parts[2]}"
                        result["codes"][code] = result["codes"].get(code, 0) + 1
                    result["statuses"][status] = result["statuses"].get(status, 0) + 1
                    if status == 202:
                        result["tickets"].append(parts[1])
                    elif status not in BUSINESS and len(parts) > 1:
                        result["error_times"].append(int(parts[1]))
        answered = sum(result["statuses"].values())
        token_answers = sum(result["token_statuses"].values())
        token_errors = sum(n for s, n in result["token_statuses"].items()
                           if (201 if s == 201 else int(str(s).split(":")[0])) not in TOKEN_BUSINESS)
        result["purchases"] = answered
        result["token_requests"] = token_answers
        result["token_errors"] = token_errors
        # Every request the client sent, token requests included; a socket error may have hit either.
        result["requests"] = answered + token_answers + socket_errors
        result["errors"] = socket_errors + token_errors + sum(
            n for s, n in result["statuses"].items() if s not in BUSINESS)
        # A purchase refused for its token means the flow is broken (the drills always send a fresh
        # token of the right shopper, activity and item).
        result["token_refusals"] = sum(n for c, n in result["codes"].items() if "PURCHASE_TOKEN" in c)
        # What may have left an order the client never saw: failed purchases and socket errors.
        result["purchase_errors"] = socket_errors + sum(n for s, n in result["statuses"].items() if s not in BUSINESS)
        match = re.search(r"Requests/sec:\s+([\d.]+)", output)
        result["rps"] = float(match.group(1)) if match else 0.0
        return result


class Prober(threading.Thread):
    """A purchase every 50 ms through the balancer (a purchase token, then the purchase with it), each
    answer time-stamped (ms): the timeline of an outage, finer than wrk's. A sample's status is the
    purchase's, or the token request's when that one did not give a token."""

    def __init__(self, http_client, sale, tokens, tag):
        super().__init__(daemon=True)
        self.http, self.sale, self.tokens, self.tag = http_client, sale, tokens, tag
        self.samples = []  # (monotonic time, status or None for a connection error, ticket)
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            i += 1
            token = self.tokens[i % len(self.tokens)]
            try:
                ticket = None
                status, body = self.http.request("POST", self.sale.token_path, token=token, timeout=5)
                if status == 201 and body:
                    status, body = self.http.request(
                        "POST", self.sale.path, token=token, timeout=5,
                        headers={"Idempotency-Key": f"{self.tag}-p-{i}", "Purchase-Token": body["token"]})
                    ticket = body.get("ticket") if status == 202 and body else None
            except (OSError, http.client.HTTPException):
                status, ticket = None, None
            self.samples.append((time.monotonic(), status, ticket))
            self.halt.wait(0.05)

    def stop(self):
        self.halt.set()
        self.join(10)

    def tickets(self):
        """The tickets of the purchases it was answered 202 for."""
        return [t for _, _, t in self.samples if t]

    def errors(self):
        """Its answers outside the purchase contract (connection errors included)."""
        return sum(1 for _, s, _ in self.samples if s not in BUSINESS)

    def outage(self, since):
        """(first failure after `since`, first success after it) in seconds after `since`, or None."""
        failures = [t for t, s, _ in self.samples if t >= since and s not in BUSINESS]
        if not failures:
            return None
        first = failures[0]
        last = failures[-1]
        resumed = next((t for t, s, _ in self.samples if t > last and s == 202), None)
        return first - since, (resumed - since) if resumed else None, len(failures)


# ---- the drills --------------------------------------------------------------------------------


class Drills:
    def __init__(self, cluster, workdir, users):
        self.cluster = cluster
        self.workdir = workdir
        self.users = users
        self.http = None
        self.admin = None
        self.tokens_file = os.path.join(workdir, "tokens.txt")
        self.tokens = []
        self.probe_tokens = []
        self.verdicts = []
        self.background = []

    # -- set-up --

    def prepare(self):
        self.cluster.load()
        self.http = Http(*self.cluster.base)
        status, body = self.http.request("POST", "/api/v1/sessions",
                                         body={"username": "admin", "password": self.cluster.env["ADMIN_PASSWORD"]})
        if status != 200:
            raise RuntimeError(f"admin login failed: {status} {body}")
        self.admin = body["token"]
        started = time.monotonic()
        run = os.getpid() % 100000
        names = [f"d{run}-{i}" for i in range(self.users + 100)]
        with ThreadPoolExecutor(16) as pool:
            tokens = list(pool.map(self._shopper, names))
        self.tokens, self.probe_tokens = tokens[:self.users], tokens[self.users:]
        with open(self.tokens_file, "w") as f:
            f.write("\n".join(self.tokens) + "\n")
        log(f"registered {len(tokens)} shoppers through the balancer in {time.monotonic() - started:.1f}s")

    def _shopper(self, name):
        credentials = {"username": name, "password": PASSWORD}
        status, body = self.http.request("POST", "/api/v1/users", body=credentials)
        if status != 201:
            raise RuntimeError(f"register {name}: {status} {body}")
        status, body = self.http.request("POST", "/api/v1/sessions", body=credentials)
        if status != 200:
            raise RuntimeError(f"login {name}: {status} {body}")
        return body["token"]

    def new_sale(self, name, stock, limit=100, starts_in=-5):
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        starts = now + datetime.timedelta(seconds=starts_in)
        body = {"name": f"drill {name}", "startsAt": starts.strftime(fmt),
                "endsAt": (now + datetime.timedelta(hours=1)).strftime(fmt), "minLevel": 0,
                "items": [{"name": f"{name} item", "price": 1.00, "stock": stock, "limit": limit}]}
        status, created = self.http.request("POST", "/api/v1/admin/activities", token=self.admin, body=body)
        if status != 201:
            raise RuntimeError(f"create sale: {status} {created}")
        activity = created["id"]
        status, published = self.http.request("POST", f"/api/v1/admin/activities/{activity}/publish",
                                              token=self.admin)
        if status != 200:
            raise RuntimeError(f"publish sale: {status} {published}")
        sale = Sale(activity, created["items"][0]["id"], stock, limit)
        sale.starts_at = starts.timestamp()
        return sale

    def load(self, sale, tag, duration, **kwargs):
        return Load(self.cluster, sale, self.tokens_file, self.workdir, tag, duration, **kwargs)

    def restart_in_background(self, name):
        def restart():
            try:
                self.cluster.sh("node", "start", name, quiet=True)
                log(f"{name} is back")
            except Exception as ex:  # reported when joined
                log(f"restarting {name} failed: {ex}")

        thread = threading.Thread(target=restart, daemon=True)
        thread.start()
        self.background.append(thread)

    def join_background(self):
        for thread in self.background:
            thread.join(300)
        self.background = []

    # -- the queue and the invariants --

    def wait_drained(self, sale, timeout=120):
        """Seconds until the sale's stream is empty (written and acknowledged)."""
        started = time.monotonic()
        redis = None
        while time.monotonic() - started < timeout:
            try:
                redis = redis or self.cluster.redis(sale.key("orders"))
                if redis.call("XLEN", sale.key("orders")) == 0:
                    redis.close()
                    return time.monotonic() - started
            except (OSError, ConnectionError, RedisError, RuntimeError):
                if redis:
                    redis.close()
                redis = None
            time.sleep(0.2)
        raise RuntimeError(f"queue of activity {sale.activity} not drained after {timeout}s")

    def check(self, sale, tickets, client_errors, in_flight=CONNECTIONS):
        """The invariants, read from PostgreSQL and Redis. Returns (figures, problems).

        An order whose answer the client never saw is allowed for each request that failed at the
        client, and for each request still in flight when wrk stopped (at most one per connection):
        wrk does not wait for those answers."""
        problems = []
        stock, remaining, limit = (int(x) for x in self.cluster.sql(
            f"SELECT stock, remaining, purchase_limit FROM items WHERE id = {sale.item}")[0])
        rows = self.cluster.sql(f"SELECT ticket FROM orders WHERE item_id = {sale.item}")
        orders = len(rows)
        db_tickets = {r[0] for r in rows}
        duplicates = int(self.cluster.sql(
            f"SELECT count(*) FROM (SELECT 1 FROM orders WHERE item_id = {sale.item} "
            f"GROUP BY activity_id, item_id, user_id, slot HAVING count(*) > 1) d")[0][0])
        over_limit = int(self.cluster.sql(
            f"SELECT count(*) FROM (SELECT 1 FROM orders WHERE item_id = {sale.item} "
            f"GROUP BY user_id HAVING count(*) > {limit}) d")[0][0])
        if orders > stock or remaining < 0 or remaining != stock - orders:
            problems.append(f"OVERSELL or lost stock: stock={stock} orders={orders} remaining={remaining}")
        if duplicates:
            problems.append(f"{duplicates} duplicate (activity,item,user,slot) rows")
        if over_limit:
            problems.append(f"{over_limit} shoppers above the limit")

        redis = self.cluster.redis(sale.key("stock"))
        try:
            redis_remaining = int(redis.call("HGET", sale.key("stock"), sale.item) or -1)
            states = {"S": 0, "F": 0, "Q": 0, None: 0}
            success_without_order = 0
            unique = sorted(set(tickets))
            for i in range(0, len(unique), 2000):
                chunk = unique[i:i + 2000]
                for ticket, value in zip(chunk, redis.pipeline([("GET", sale.key("ticket:" + t)) for t in chunk])):
                    state = value[0] if isinstance(value, str) and value else None
                    states[state if state in states else None] += 1
                    if state == "S" and ticket not in db_tickets:
                        success_without_order += 1
                    if state is None and ticket in db_tickets:
                        # The ticket key was lost (e.g. with a failed-over Redis) but the order exists.
                        states[None] -= 1
                        states["S"] += 1
        finally:
            redis.close()
        unresolved, lost = states["Q"], states[None]
        orphans = len(db_tickets - set(tickets))
        if unresolved or lost:
            problems.append(f"{unresolved} tickets still QUEUED, {lost} QUEUED tickets with neither result nor order")
        if success_without_order:
            problems.append(f"{success_without_order} SUCCESS tickets without an order row")
        if orphans > client_errors + in_flight:
            problems.append(f"{orphans} orders from requests the client never saw answered "
                            f"(> {client_errors} errors + {in_flight} in flight at the stop)")
        # Redis may disagree with the database after a failover (the promoted replica missed the last
        # writes while a worker had already written their orders): the reconciler repairs that drift
        # once the item is quiescent, within its interval (5 s). Wait for it and report the repair.
        drift_repaired = 0
        if redis_remaining != remaining:
            first_seen = redis_remaining
            deadline = time.monotonic() + 25
            while redis_remaining != remaining and time.monotonic() < deadline:
                time.sleep(0.5)
                redis = self.cluster.redis(sale.key("stock"))
                try:
                    redis_remaining = int(redis.call("HGET", sale.key("stock"), sale.item) or -1)
                finally:
                    redis.close()
            if redis_remaining == remaining:
                drift_repaired = first_seen - remaining
        if redis_remaining != remaining:
            problems.append(f"Redis remaining {redis_remaining} != database remaining {remaining}")
        figures = (f"stock={stock} orders={orders} db_remaining={remaining} redis_remaining={redis_remaining} "
                   f"drift_repaired={drift_repaired} "
                   f"queued={len(unique)} success={states['S']} failed={states['F']} unresolved={unresolved} "
                   f"lost={lost} unanswered={orphans} dup={duplicates}")
        return figures, problems

    def verdict(self, number, name, started, figures, problems):
        ok = not problems
        line = (f"DRILL {number} {name}: {'PASS' if ok else 'FAIL'} {figures} "
                f"({time.monotonic() - started:.0f}s)")
        if problems:
            line += " -- " + "; ".join(problems)
        print(line, flush=True)
        self.verdicts.append((name, ok, line))

    @staticmethod
    def error_figures(result):
        rate = 100.0 * result["errors"] / max(1, result["requests"])
        other = {s: n for s, n in result["statuses"].items() if s not in BUSINESS}
        token_other = {s: n for s, n in result["token_statuses"].items() if s != 201}
        return rate, (f"requests={result['requests']} (purchases={result['purchases']} "
                      f"token_requests={result['token_requests']} tokens={result['token_statuses'].get(201, 0)}"
                      f"{' token_rejections=' + str(token_other) if token_other else ''}) "
                      f"rps={result['rps']:.0f} errors={result['errors']} "
                      f"({rate:.3f}%){' ' + str(other) if other else ''} socket_errors={result['socket_errors']}")

    @staticmethod
    def flow_problems(result):
        """Purchases refused for their token mean the two-step flow itself is broken."""
        if result["token_refusals"]:
            refused = {c: n for c, n in result["codes"].items() if "PURCHASE_TOKEN" in c}
            return [f"{result['token_refusals']} purchases refused for their purchase token {refused}"]
        return []

    # -- 1: kill -9 one of three API nodes mid-sale --

    def api_kill(self):
        started = time.monotonic()
        victim = "api2"
        sale = self.new_sale("api-kill", stock=20000)
        load = self.load(sale, "d1", duration=14)
        time.sleep(5)
        os.kill(self.cluster.pid(victim), signal.SIGKILL)
        killed_at = load.elapsed()
        log(f"drill 1: SIGKILL {victim} at {killed_at:.1f}s")
        result = load.wait()
        self.restart_in_background(victim)
        drained = self.wait_drained(sale)
        rate, errors = self.error_figures(result)
        figures, problems = self.check(sale, result["tickets"], result["purchase_errors"])
        problems += self.flow_problems(result)
        if rate > 0.1:
            problems.append(f"client-visible errors {rate:.3f}% > 0.1%")
        self.verdict(1, "kill -9 an API node", started,
                     f"{errors} killed={victim}@{killed_at:.1f}s drain={drained:.1f}s {figures}", problems)

    # -- 2: kill -9 a worker mid-batch --

    def worker_kill(self):
        started = time.monotonic()
        victim, survivor = "worker1", "worker2"
        suffix = f":{self.cluster.ports[victim]}-"
        sale = self.new_sale("worker-kill", stock=1500)
        survivor_log_before = len(self.cluster.log_text(survivor))
        load = self.load(sale, "d2", duration=40)
        redis = self.cluster.redis()
        pending_at_kill = 0
        deadline = time.monotonic() + 8
        try:
            # Kill the worker while it holds read but unacknowledged entries: inside a batch. A batch
            # takes milliseconds, so the worker is frozen (SIGSTOP) before its entries are counted
            # again: only a count it can no longer change proves it died holding them. SIGSTOP does
            # not stop a command already in the socket (a settle sent a moment before), so the
            # count is taken after Redis has had time to run it.
            def held_by_victim():
                # XPENDING summary: [count, first id, last id, [[consumer, count], ...]]
                summary = redis.call("XPENDING", sale.key("orders"), GROUP)
                owners = (summary[3] or []) if summary and summary[0] else []
                return sum(int(n) for consumer, n in owners if suffix in consumer)

            while time.monotonic() < deadline:
                if held_by_victim():
                    pid = self.cluster.pid(victim)
                    os.kill(pid, signal.SIGSTOP)
                    time.sleep(0.3)
                    held = held_by_victim()
                    if held:
                        os.kill(pid, signal.SIGKILL)
                        pending_at_kill = held
                        break
                    os.kill(pid, signal.SIGCONT)
        finally:
            redis.close()
        killed_at = load.elapsed()
        if not pending_at_kill:
            os.kill(self.cluster.pid(victim), signal.SIGKILL)
        log(f"drill 2: SIGKILL {victim} at {killed_at:.1f}s holding {pending_at_kill} pending entries")
        # The load goes on until the item is sold out in Redis, and a second more.
        redis = self.cluster.redis()
        try:
            while load.proc.poll() is None and int(redis.call("HGET", sale.key("stock"), sale.item)) > 0:
                time.sleep(0.2)
        finally:
            redis.close()
        sold_out_at = load.elapsed()
        time.sleep(1)
        load.stop()
        result = load.wait()
        drained = self.wait_drained(sale)
        claimed = sum(int(n) for n in re.findall(r"Claimed (\d+) abandoned entries",
                                                   self.cluster.log_text(survivor)[survivor_log_before:]))
        self.restart_in_background(victim)
        _, errors = self.error_figures(result)
        figures, problems = self.check(sale, result["tickets"], result["purchase_errors"])
        problems += self.flow_problems(result)
        orders = int(self.cluster.sql(f"SELECT count(*) FROM orders WHERE item_id = {sale.item}")[0][0])
        if orders != sale.stock:
            problems.append(f"sold {orders}, not exactly the stock {sale.stock}")
        if pending_at_kill and claimed < 1:
            problems.append("the dead worker's entries were not claimed by the other")
        if not pending_at_kill:
            problems.append("could not catch the worker inside a batch")
        self.verdict(2, "kill -9 a worker mid-batch", started,
                     f"{errors} killed={victim}@{killed_at:.1f}s pending_at_kill={pending_at_kill} "
                     f"sold_out@{sold_out_at:.1f}s "
                     f"claimed_by_{survivor}={claimed} drain={drained:.1f}s {figures}", problems)

    # -- 3: kill the Redis primary (Sentinel failover) --

    def redis_failover(self):
        started = time.monotonic()
        if not self.cluster.sentinels:
            raise RuntimeError("the Redis drill needs a cluster started with --ha")
        sale = self.new_sale("redis-failover", stock=60000)
        old = self.cluster.primary()
        prober = Prober(self.http, sale, self.probe_tokens, "d3")
        load = self.load(sale, "d3", duration=18)
        prober.start()
        time.sleep(5)
        victim = self.cluster.service_at(old[1])
        os.kill(self.cluster.pid(victim), signal.SIGKILL)
        killed_mono = time.monotonic()
        killed_at = load.elapsed()
        log(f"drill 3: SIGKILL Redis primary {victim} ({old[0]}:{old[1]}) at {killed_at:.1f}s")
        promoted = seconds_until(killed_mono, 30, 0.1, lambda: self.cluster.primary() != old)
        result = load.wait()
        prober.stop()
        drained = self.wait_drained(sale)
        outage = prober.outage(killed_mono)
        tickets = result["tickets"] + prober.tickets()
        probe_errors = prober.errors()
        _, errors = self.error_figures(result)
        figures, problems = self.check(sale, tickets, result["purchase_errors"] + probe_errors)
        problems += self.flow_problems(result)
        if promoted is None:
            problems.append("Sentinel did not promote the replica within 30s")
        if outage and outage[1] is None:
            problems.append("purchases did not resume")
        elif outage and outage[1] > 20:
            problems.append(f"purchases resumed only after {outage[1]:.1f}s")
        switch = ("no failed request" if not outage else
                  f"first failure +{outage[0]:.1f}s, resumed +{outage[1]:.1f}s, {outage[2]} failed probes")
        self.verdict(3, "kill the Redis primary", started,
                     f"{errors} promoted_after={promoted if promoted is None else round(promoted, 1)}s "
                     f"switch=[{switch}] drain={drained:.1f}s {figures}", problems)

    # -- 3c: kill the primary of the sale's shard on a Redis Cluster (its replica takes the slots over) --

    def shard_failover(self):
        started = time.monotonic()
        if not self.cluster.redis_cluster:
            raise RuntimeError("the shard drill needs a cluster started with --redis cluster")
        sale = self.new_sale("shard-failover", stock=60000)
        key = sale.key("stock")
        old = self.cluster.primary(key)
        others = {tuple(p) for p in self.shard_primaries()} - {old}
        prober = Prober(self.http, sale, self.probe_tokens, "d3c")
        load = self.load(sale, "d3c", duration=18)
        prober.start()
        time.sleep(5)
        victim = self.cluster.service_at(old[1])
        os.kill(self.cluster.pid(victim), signal.SIGKILL)
        killed_mono = time.monotonic()
        log(f"drill 3c: SIGKILL the sale's shard primary {victim} ({old[0]}:{old[1]}) at {load.elapsed():.1f}s")
        promoted = seconds_until(killed_mono, 30, 0.1, lambda: self.cluster.primary(key) != old)
        result = load.wait()
        prober.stop()
        drained = self.wait_drained(sale)
        outage = prober.outage(killed_mono)
        tickets = result["tickets"] + prober.tickets()
        _, errors = self.error_figures(result)
        figures, problems = self.check(sale, tickets, result["purchase_errors"] + prober.errors())
        problems += self.flow_problems(result)
        if promoted is None:
            problems.append("the cluster did not promote the shard's replica within 30s")
        moved = others - {tuple(p) for p in self.shard_primaries()}
        if moved:
            problems.append(f"the other shards' primaries changed: {sorted(moved)}")
        if outage and outage[1] is None:
            problems.append("purchases did not resume")
        elif outage and outage[1] > 20:
            problems.append(f"purchases resumed only after {outage[1]:.1f}s")
        switch = ("no failed request" if not outage else
                  f"first failure +{outage[0]:.1f}s, resumed +{outage[1]:.1f}s, {outage[2]} failed probes")
        self.verdict("3c", "kill the sale's shard primary (Redis Cluster)", started,
                     f"{errors} promoted_after={promoted if promoted is None else round(promoted, 1)}s "
                     f"switch=[{switch}] drain={drained:.1f}s {figures}", problems)

    def shard_primaries(self):
        """(host, port) of every shard's primary, as the first server that answers sees them."""
        for port in self.cluster.redis_ports:
            try:
                r = Redis("127.0.0.1", port, timeout=1)
            except (OSError, ConnectionError, RedisError):
                continue
            try:
                return [(entry[2][0] or "127.0.0.1", int(entry[2][1])) for entry in r.call("CLUSTER", "SLOTS")]
            except (OSError, ConnectionError, RedisError, TypeError, ValueError, IndexError):
                continue
            finally:
                r.close()
        return []

    # -- 4: stop and restart PostgreSQL mid-sale --

    def pg_restart(self):
        started = time.monotonic()
        if self.cluster.env.get("PG_MODE") != "own":
            raise RuntimeError("the PostgreSQL drill needs the cluster's own server (--pg own)")
        sale = self.new_sale("pg-restart", stock=60000)
        load = self.load(sale, "d4", duration=18)
        time.sleep(3)
        redis = self.cluster.redis()
        self.cluster.sh("pg", "stop", quiet=True)
        stopped_at = load.elapsed()
        stock_at_stop = int(redis.call("HGET", sale.key("stock"), sale.item))
        log(f"drill 4: PostgreSQL stopped at {stopped_at:.1f}s")
        time.sleep(6)
        stock_at_start = int(redis.call("HGET", sale.key("stock"), sale.item))
        backlog = redis.call("XLEN", sale.key("orders"))
        self.cluster.sh("pg", "start", quiet=True)
        restarted_at = load.elapsed()
        restarted_mono = time.monotonic()
        log(f"drill 4: PostgreSQL back at {restarted_at:.1f}s, backlog {backlog}")
        redis.close()
        result = load.wait()
        drained_mono = time.monotonic() + self.wait_drained(sale)
        admitted_in_outage = stock_at_stop - stock_at_start
        _, errors = self.error_figures(result)
        figures, problems = self.check(sale, result["tickets"], result["purchase_errors"])
        problems += self.flow_problems(result)
        rate = 100.0 * result["errors"] / max(1, result["requests"])
        if admitted_in_outage <= 0:
            problems.append("no purchase admitted while the database was down")
        if rate > 0.1:
            problems.append(f"client-visible errors {rate:.3f}% > 0.1%")
        self.verdict(4, "stop and restart PostgreSQL", started,
                     f"{errors} down={stopped_at:.1f}s..{restarted_at:.1f}s admitted_while_down={admitted_in_outage} "
                     f"backlog_at_restart={backlog} drained_after_restart={drained_mono - restarted_mono:.1f}s "
                     f"{figures}", problems)

    # -- 5: one API node removed and re-added under load --

    def rebalance(self, balancer, number):
        started = time.monotonic()
        with open(os.path.join(self.cluster.state, "lb.kind")) as f:
            current = f.read().strip()
        if current != balancer:
            self.cluster.sh("lb", balancer, quiet=True)
            log(f"drill 5: balancer switched to {balancer}")
        api = [n for n in sorted(self.cluster.ports) if n.startswith("api")]
        victim = api[-1]
        sale = self.new_sale(f"rebalance-{balancer}", stock=1000000)
        # Paced below saturation (at most ~1,200 requests/s, half of them purchases, the other half their
        # purchase tokens): balance is about where requests go, and
        # a saturated 2-core machine would mostly measure how long the re-added JVM takes to compile
        # its hot path.
        load = self.load(sale, f"d5{balancer[0]}", duration=300, pause_ms=20)

        def shares(d):
            return "/".join(f"{d.get(n, 0):.0%}" for n in api)

        def window(seconds):
            before = {n: node_admissions(self.cluster.addr(n), self.cluster.management_ports[n]) for n in api}
            time.sleep(seconds)
            after = {n: node_admissions(self.cluster.addr(n), self.cluster.management_ports[n]) for n in api}
            counts = {n: (after[n] or 0) - (before[n] or 0) for n in api}
            total = sum(counts.values()) or 1
            return {n: counts[n] / total for n in api}

        time.sleep(3)
        before = window(4)
        self.cluster.sh("node", "stop", victim, quiet=True)
        stopped_at = load.elapsed()
        without = window(3)
        self.cluster.sh("node", "start", victim, quiet=True)
        ready_at = load.elapsed()
        # nginx probes a failed node again after fail_timeout (5 s); HAProxy needs rise 2 checks and
        # ramps the weight up over slowstart (5 s); and a fresh JVM is slow until the hot path is
        # compiled, which least-connections balancing answers by sending it less. Balanced: the
        # re-added node gets at least half its fair share over a 3 s window.
        fair = 1.0 / len(api)
        after, rebalanced = {}, None
        while load.elapsed() - ready_at < 90:
            after = window(3)
            if after[victim] >= 0.5 * fair:
                rebalanced = load.elapsed() - ready_at
                break
        load.stop()
        result = load.wait()
        drained = self.wait_drained(sale)
        rate, errors = self.error_figures(result)
        figures, problems = self.check(sale, result["tickets"], result["purchase_errors"])
        problems += self.flow_problems(result)
        if rate > 0.1:
            problems.append(f"client-visible errors {rate:.3f}% > 0.1%")
        if without.get(victim, 0) > 0.01:
            problems.append(f"{victim} still got {without[victim]:.0%} of the traffic after it stopped")
        if rebalanced is None:
            problems.append(f"not balanced 90 s after the re-add: {shares(after)}")

        self.verdict(f"5{balancer[0]}", f"remove and re-add an API node ({balancer})", started,
                     f"{errors} shares {'/'.join(api)}: before={shares(before)} without_{victim}={shares(without)} "
                     f"after={shares(after)} stopped@{stopped_at:.0f}s ready@{ready_at:.0f}s "
                     f"rebalanced={'never' if rebalanced is None else f'+{rebalanced:.0f}s'} drain={drained:.1f}s "
                     f"{figures}", problems)

    # -- a: the Redis primary cut off from its replicas and Sentinels, one API node still with it --

    def partition_primary(self):
        started = time.monotonic()
        self.require_hosts()
        sale = self.new_sale("partition-primary", stock=200000)
        old = self.cluster.primary()
        victim = self.cluster.service_at(old[1])
        others = [r for r in self.cluster.env["REDIS_NAMES"].split() if r != victim]
        api = sorted(n for n in self.cluster.ports if n.startswith("api"))
        workers = sorted(n for n in self.cluster.ports if n.startswith("worker"))
        kept = api[0]
        load = self.load(sale, "da", duration=32)
        time.sleep(5)
        # The victim's host (the primary and its Sentinel) keeps only the balancer's side and one API
        # node; that node loses the other Redis hosts (their replicas and Sentinels) and so keeps the
        # old primary as its only Redis. The majority of Sentinels promotes a replica meanwhile.
        self.cluster.sh("cut", victim, *others, *api[1:], *workers, quiet=True)
        self.cluster.sh("cut", kept, *others, quiet=True)
        cut_at = load.elapsed()
        cut_mono = time.monotonic()
        log(f"drill a: {victim} ({old[0]}:{old[1]}) cut off with {kept} at {cut_at:.1f}s")
        promoted = seconds_until(cut_mono, 30, 0.2, lambda: self.cluster.primary() != old)
        time.sleep(max(0.0, 12 - (time.monotonic() - cut_mono)))
        self.cluster.sh("heal", quiet=True)
        healed_at = load.elapsed()
        log(f"drill a: healed at {healed_at:.1f}s")
        result = load.wait()
        # Healed, the old primary learns of the newer configuration and becomes a replica of the new
        # one, dropping what it took alone: purchases only it had are gone.
        demoted = seconds_until(time.monotonic(), 30, 0.2, lambda: self.role(old) == "slave")
        drained = self.wait_drained(sale)
        rate, errors = self.error_figures(result)
        figures, problems = self.check(sale, result["tickets"], result["purchase_errors"])
        problems += self.flow_problems(result)
        if promoted is None:
            problems.append("the Sentinels did not promote a replica within 30 s of the cut")
        if demoted is None:
            problems.append(f"{victim} was not made a replica within 30 s of the heal")
        acks = self.cluster.env.get("REPLICA_ACKS", "0")
        self.verdict("a", f"cut off the Redis primary with one API node (replica acks {acks})", started,
                     f"{errors} cut@{cut_at:.0f}s promoted_after={promoted if promoted is None else round(promoted, 1)}s "
                     f"healed@{healed_at:.0f}s demoted_after={demoted if demoted is None else round(demoted, 1)}s "
                     f"drain={drained:.1f}s {figures}", problems)

    @staticmethod
    def role(address):
        """ROLE of the Redis at `address`: master, slave (a replica) or sentinel."""
        r = Redis(*address, timeout=1)
        try:
            return r.call("ROLE")[0]
        finally:
            r.close()

    def require_hosts(self):
        if self.cluster.env.get("HOSTS") != "1":
            raise RuntimeError("the partition drills need a cluster started with --hosts")

    def buy_directly(self, node, sale):
        """The ticket of a purchase `node` itself (not through the balancer) admits now, or None."""
        direct = Http(self.cluster.addr(node), self.cluster.ports[node])
        token = self.probe_tokens[int(time.monotonic() * 1000) % len(self.probe_tokens)]
        try:
            status, body = direct.request("POST", sale.token_path, token=token, timeout=3)
            if status != 201 or not body:
                return None
            status, body = direct.request("POST", sale.path, token=token, timeout=3,
                                          headers={"Idempotency-Key": f"direct-{node}-{time.monotonic_ns()}",
                                                   "Purchase-Token": body["token"]})
            return body.get("ticket") if status == 202 and body else None
        except (OSError, http.client.HTTPException):
            return None

    # -- c: one API node cut off from every Redis host --

    def partition_api(self):
        started = time.monotonic()
        self.require_hosts()
        sale = self.new_sale("partition-api", stock=200000)
        api = sorted(n for n in self.cluster.ports if n.startswith("api"))
        victim = api[-1]
        redis_hosts = self.cluster.env["REDIS_NAMES"].split()
        load = self.load(sale, "dc", duration=30)
        time.sleep(5)
        self.cluster.sh("cut", victim, *redis_hosts, quiet=True)
        cut_at = load.elapsed()
        log(f"drill c: {victim} cut off from {' '.join(redis_hosts)} at {cut_at:.1f}s")
        time.sleep(10)
        self.cluster.sh("heal", quiet=True)
        healed_mono = time.monotonic()
        healed_at = load.elapsed()
        # Back in the sale once its Redis connections are: a purchase sent to it directly is admitted.
        resumed, direct_ticket, direct_errors = None, None, 0
        while time.monotonic() - healed_mono < 30:
            direct_ticket = self.buy_directly(victim, sale)
            if direct_ticket:
                resumed = time.monotonic() - healed_mono
                break
            direct_errors += 1
            time.sleep(0.5)
        load.stop()
        result = load.wait()
        drained = self.wait_drained(sale)
        _, errors = self.error_figures(result)
        # The direct purchase is answered to the drill: its ticket was seen (a failed try may have been
        # admitted all the same, like any failed request).
        tickets = result["tickets"] + ([direct_ticket] if direct_ticket else [])
        figures, problems = self.check(sale, tickets, result["purchase_errors"] + direct_errors)
        problems += self.flow_problems(result)
        if resumed is None:
            problems.append(f"{victim} admitted nothing within 30 s of the heal")
        self.verdict("c", "cut one API node off from Redis", started,
                     f"{errors} cut={victim}@{cut_at:.0f}s healed@{healed_at:.0f}s "
                     f"resumed_after={resumed if resumed is None else round(resumed, 1)}s drain={drained:.1f}s {figures}",
                     problems)

    # -- d: a worker cut off from the database for 10 s --

    def partition_worker(self):
        started = time.monotonic()
        self.require_hosts()
        sale = self.new_sale("partition-worker", stock=200000)
        workers = sorted(n for n in self.cluster.ports if n.startswith("worker"))
        victim = workers[0]
        load = self.load(sale, "dd", duration=25)
        time.sleep(5)
        self.cluster.sh("cut", victim, "db1", quiet=True)
        cut_at = load.elapsed()
        log(f"drill d: {victim} cut off from db1 at {cut_at:.1f}s")
        time.sleep(10)
        self.cluster.sh("heal", quiet=True)
        healed_at = load.elapsed()
        result = load.wait()
        drained = self.wait_drained(sale)
        rate, errors = self.error_figures(result)
        figures, problems = self.check(sale, result["tickets"], result["purchase_errors"])
        problems += self.flow_problems(result)
        # The API nodes still reach Redis and the database: buying is not affected by the cut.
        if rate > 0.1:
            problems.append(f"client-visible errors {rate:.3f}% > 0.1%")
        self.verdict("d", "cut a worker off from the database for 10 s", started,
                     f"{errors} cut={victim}@{cut_at:.0f}s healed@{healed_at:.0f}s drain={drained:.1f}s {figures}",
                     problems)

    # -- e: the balancer host holding the virtual address dies --

    def vip_holder(self):
        for host in ("lb1", "lb2"):
            out = subprocess.run(["ip", "-n", f"sk-{host}", "-o", "addr", "show", "dev", "eth0"],
                                 text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
            if f" {self.cluster.env['VIP']}/" in out:
                return host
        return None

    def balancer_host_dies(self):
        started = time.monotonic()
        self.require_hosts()
        if not self.cluster.env.get("VIP"):
            raise RuntimeError("the balancer drill needs a cluster started with --hosts --vip")
        sale = self.new_sale("balancer-host", stock=200000)
        prober = Prober(self.http, sale, self.probe_tokens, "de")
        load = self.load(sale, "de", duration=25)
        prober.start()
        time.sleep(5)
        victim = self.vip_holder()
        if victim is None:
            raise RuntimeError("neither lb1 nor lb2 holds the virtual address")
        self.cluster.sh("host-kill", victim, quiet=True)
        killed_mono = time.monotonic()
        killed_at = load.elapsed()
        log(f"drill e: host {victim} (holding {self.cluster.env['VIP']}) killed at {killed_at:.1f}s")
        moved = seconds_until(killed_mono, 20, 0.1, lambda: self.vip_holder() not in (None, victim))
        result = load.wait()
        prober.stop()
        drained = self.wait_drained(sale)
        outage = prober.outage(killed_mono)
        rate, errors = self.error_figures(result)
        tickets = result["tickets"] + prober.tickets()
        probe_errors = prober.errors()
        figures, problems = self.check(sale, tickets, result["purchase_errors"] + probe_errors)
        problems += self.flow_problems(result)
        if moved is None:
            problems.append(f"the virtual address did not leave {victim} within 20 s")
        if rate > 1.0:
            problems.append(f"client-visible errors {rate:.3f}% > 1%")
        # The host back (as after a reboot): it stays the backup (nopreempt), the sale goes on.
        self.cluster.sh("host-revive", victim, quiet=True)
        switch = ("no failed probe" if not outage else
                  f"first failure +{outage[0]:.1f}s, resumed +{outage[1]:.1f}s, {outage[2]} failed probes"
                  if outage[1] is not None else f"first failure +{outage[0]:.1f}s, not resumed")
        self.verdict("e", "the balancer host holding the virtual address dies", started,
                     f"{errors} killed={victim}@{killed_at:.0f}s moved_after={moved if moved is None else round(moved, 1)}s "
                     f"switch=[{switch}] drain={drained:.1f}s {figures}", problems)

    # -- f: an API node's clock 2 s ahead --

    def node_clock_offset(self, node):
        """How far `node`'s answers (GET /api/v1/time) are ahead of this machine's clock (ms)."""
        direct = Http(self.cluster.addr(node), self.cluster.ports[node])
        before = time.time() * 1000
        status, body = direct.request("GET", "/api/v1/time", timeout=3)
        after = time.time() * 1000
        if status != 200:
            raise RuntimeError(f"{node} /api/v1/time: {status}")
        return body["now"] - (before + after) / 2

    def clock_skew(self):
        started = time.monotonic()
        self.require_hosts()
        api = sorted(n for n in self.cluster.ports if n.startswith("api"))
        victim = api[-1]
        self.cluster.sh("node", "skew", victim, "+2s", quiet=True)
        try:
            # Its own clock is 2 s ahead; it measures that against Redis's (the gauge) and tells
            # Redis's time, which decides the sale window.
            correction = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                correction = node_metric(self.cluster.addr(victim), self.cluster.management_ports[victim],
                                         "seckill_clock_offset_milliseconds")
                if correction is not None and correction < -1500:
                    break
                time.sleep(0.5)
            offset = self.node_clock_offset(victim)
            log(f"drill f: {victim} restarted with its clock 2 s ahead: corrected by {correction} ms, "
                f"tells the time {offset / 1000:+.3f}s off")
            # The sale opens 8 s from now: the load starts before the opening, so a node that trusted
            # its own clock would admit purchases up to 2 s early.
            sale = self.new_sale("clock-skew", stock=200000, starts_in=8)
            wall = time.time() - time.monotonic()
            prober = Prober(self.http, sale, self.probe_tokens, "df")
            load = self.load(sale, "df", duration=20)
            prober.start()
            result = load.wait()
            prober.stop()
        finally:
            self.cluster.sh("node", "skew", victim, "0", quiet=True)
        drained = self.wait_drained(sale)
        rate, errors = self.error_figures(result)
        tickets = result["tickets"] + prober.tickets()
        probe_errors = prober.errors()
        figures, problems = self.check(sale, tickets, result["purchase_errors"] + probe_errors)
        problems += self.flow_problems(result)
        admitted = sorted(wall + t for t, s, _ in prober.samples if s == 202)
        early = [t for t in admitted if t < sale.starts_at - 0.05]
        first = (admitted[0] - sale.starts_at) if admitted else None
        # What the prober got between the opening and its first admission (the time it took).
        waiting = {}
        for t, status, _ in prober.samples:
            if sale.starts_at <= wall + t < (admitted[0] if admitted else float("inf")):
                waiting[status] = waiting.get(status, 0) + 1
        if correction is None or not -2500 < correction < -1500:
            problems.append(f"{victim} measured its clock {correction} ms off Redis's, not about -2000: "
                            "the skew or the correction did not take")
        if abs(offset) > 200:
            problems.append(f"{victim} tells the time {offset:.0f} ms off")
        # A token handed out before the opening (by a node trusting its own clock) gets its purchase
        # refused NOT_STARTED.
        not_started = result["codes"].get("409:NOT_STARTED", 0)
        if not_started:
            problems.append(f"{not_started} purchases refused NOT_STARTED: their tokens came before the opening")
        if early:
            problems.append(f"{len(early)} purchases admitted before the sale opened")
        if first is None:
            problems.append("nothing admitted after the opening")
        # The skewed node was restarted just before the load: a cold JVM's first seconds time out a
        # few requests (0.01-0.1 % here); the drill is about the clock, so the bound is looser.
        if rate > 1.0:
            problems.append(f"client-visible errors {rate:.3f}% > 1%")
        self.verdict("f", "an API node's clock 2 s ahead", started,
                     f"{errors} skewed={victim} correction={correction}ms told_offset={offset:.0f}ms "
                     f"purchases_not_started={result['codes'].get('409:NOT_STARTED', 0)} "
                     f"first_admission={'none' if first is None else f'{first:+.2f}s'} after the opening "
                     f"(probes before it: {waiting}) "
                     f"early={len(early)} drain={drained:.1f}s {figures}", problems)


    # -- g: TLS at the edge, on both balancers --

    def tls_edge(self):
        """HTTPS through nginx and then HAProxy with the certificate cluster.sh made: HTTP/2 by ALPN,
        HSTS, nothing older than TLS 1.2, a purchase that ends in an order, and the client address the
        node counts its per-IP limits under (the one the balancer saw, not one the client wrote)."""
        started = time.monotonic()
        problems, figures = [], []
        with open(os.path.join(self.cluster.state, "lb.kind")) as f:
            original = f.read().strip()
        current = original
        try:
            for kind in (original, "haproxy" if original == "nginx" else "nginx"):
                if kind != current:
                    self.cluster.sh("lb", kind, quiet=True)
                    current = kind
                figures.append(self._tls_through(kind, problems))
        finally:
            if current != original:
                self.cluster.sh("lb", original, quiet=True)
        self.verdict("g", "TLS at the edge (nginx, HAProxy)", started, " ".join(figures), problems)

    def _tls_through(self, kind, problems):
        host, port, cert = self.cluster.addr("lb"), int(self.cluster.env["TLS_PORT"]), self.cluster.env["TLS_CERT"]
        url = f"https://{host}:{port}/api/v1/time"

        def curl(*options):
            run = subprocess.run(["curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-D", "-",
                                  "-w", "%{http_version}", *options, url], text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            return run.returncode, run.stdout

        code, out = curl("--cacert", cert)
        version = out.strip().splitlines()[-1] if out.strip() else "none"
        if code != 0 or version != "2":
            problems.append(f"{kind}: HTTPS with the cluster's certificate gave curl exit {code}, HTTP version {version} (want 0, 2)")
        if "strict-transport-security: max-age=" not in out.lower():
            problems.append(f"{kind}: no Strict-Transport-Security header over TLS")
        untrusted, _ = curl()
        if untrusted != 60:
            problems.append(f"{kind}: curl without the cluster's CA exited {untrusted}, not 60 (certificate not verified)")
        # TLS 1.1 offered for real (OpenSSL 3 offers nothing below 1.2 at its default security
        # level, so curl's --tls-max 1.1 would fail on the client's side whatever the balancer
        # does): the balancer must answer with a protocol_version alert.
        old = subprocess.run(["openssl", "s_client", "-connect", f"{host}:{port}", "-tls1_1",
                              "-cipher", "DEFAULT@SECLEVEL=0"], input="", text=True, timeout=10,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if "alert protocol version" not in old.stdout:
            problems.append(f"{kind}: TLS 1.1 was not refused with a protocol_version alert: "
                            f"{old.stdout.strip()[-300:]}")

        # On one machine the client speaks from 127.0.0.2, an address of its own: the balancer and the
        # drills' other clients are on 127.0.0.1 (every 127/8 address is the loopback's).
        source = "127.0.0.2" if host == "127.0.0.1" else None
        https = Http(host, port, tls=ssl.create_default_context(cafile=cert), source=source)
        name = f"tls-{kind}-{os.getpid() % 100000}"
        credentials = {"username": name, "password": PASSWORD}
        status, body = https.request("POST", "/api/v1/users", body=credentials)
        if status != 201:
            raise RuntimeError(f"register {name} over TLS: {status} {body}")
        client = source or local_address_towards(host)
        forged = "203.0.113.9"
        redis = self.cluster.redis()
        try:
            before = int(redis.call("GET", f"sk:{{accounts}}:login-ip:{client}") or 0)
            status, body = https.request("POST", "/api/v1/sessions", body=credentials,
                                         headers={"X-Forwarded-For": forged})
            if status != 200:
                raise RuntimeError(f"login {name} over TLS: {status} {body}")
            shopper = body["token"]
            after = int(redis.call("GET", f"sk:{{accounts}}:login-ip:{client}") or 0)
            counted_forged = redis.call("GET", f"sk:{{accounts}}:login-ip:{forged}")
        finally:
            redis.close()
        if after != before + 1:
            problems.append(f"{kind}: the login was not counted under the client's address {client} "
                            f"({before} -> {after})")
        if counted_forged is not None:
            problems.append(f"{kind}: the login was counted under the address the client wrote ({forged})")

        sale = self.new_sale(f"tls-{kind}", stock=5, limit=1)
        status, body = https.request("POST", sale.token_path, token=shopper)
        if status != 201:
            raise RuntimeError(f"purchase token over TLS: {status} {body}")
        status, body = https.request("POST", sale.path, token=shopper,
                                     headers={"Idempotency-Key": f"{name}-1", "Purchase-Token": body["token"]})
        if status != 202:
            raise RuntimeError(f"purchase over TLS: {status} {body}")
        ticket = body["ticket"]
        state, deadline = None, time.monotonic() + 30
        while time.monotonic() < deadline:
            status, body = https.request("GET", f"/api/v1/purchases/{ticket}", token=shopper)
            state = body.get("status") if status == 200 and body else None
            if state in ("SUCCESS", "FAILED"):
                break
            time.sleep(0.2)
        self.wait_drained(sale)
        checked, invariants = self.check(sale, [ticket], 0, in_flight=0)
        problems += [f"{kind}: {p}" for p in invariants]
        if state != "SUCCESS":
            problems.append(f"{kind}: the purchase over TLS ended {state}, not SUCCESS")
        return f"{kind}: http_version={version} client={client} counted={after - before} ticket={state} {checked};"

    # -- h: the dashboard's queries and the alert rules on a real Prometheus, during a sale --

    def dashboard(self):
        """A sale under load while the cluster's Prometheus (cluster.sh up --prometheus) scrapes every
        node: every query of deploy/grafana/seckill-dashboard.json returns numbers, the sale's traffic,
        latency and write panels show it, every alert rule evaluates without error and none fires."""
        started = time.monotonic()
        prometheus = self.cluster.env.get("PROMETHEUS_URL")
        if not prometheus:
            raise RuntimeError("the drills' cluster runs without --prometheus")
        sale = self.new_sale("dashboard", stock=200000)
        load = self.load(sale, "dh", duration=14)
        # Past the first 30 s rate window's two samples: the panels read the load itself.
        time.sleep(9)
        check = subprocess.run([sys.executable, os.path.join(ROOT, "deploy", "grafana", "check_dashboard.py"),
                                "--prometheus", prometheus, "--during-sale"],
                               text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        with urllib.request.urlopen(prometheus + "/api/v1/rules", timeout=10) as response:
            rules = [r for g in json.load(response)["data"]["groups"] for r in g["rules"]]
        with urllib.request.urlopen(prometheus + "/api/v1/alerts", timeout=10) as response:
            firing = sorted({a["labels"]["alertname"] for a in json.load(response)["data"]["alerts"]
                             if a["state"] == "firing"})
        result = load.wait()
        drained = self.wait_drained(sale)
        rate, errors = self.error_figures(result)
        figures, problems = self.check(sale, result["tickets"], result["purchase_errors"])
        problems += self.flow_problems(result)
        if check.returncode != 0:
            problems.append("dashboard: " + "; ".join(line.strip() for line in check.stdout.splitlines()
                                                       if "FAIL" in line or line.startswith("dashboard:")))
        broken = [r["name"] for r in rules if r.get("health") == "err"]
        if broken:
            problems.append(f"alert rules that fail to evaluate: {broken}")
        if not rules:
            problems.append("Prometheus has no alert rules loaded")
        if firing:
            problems.append(f"alerts firing during a healthy sale: {firing}")
        if rate > 0.1:
            problems.append(f"client-visible errors {rate:.3f}% > 0.1%")
        summary = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else "no output"
        self.verdict("h", "the dashboard and the alert rules on a real Prometheus", started,
                     f"{errors} [{summary}] rules={len(rules)} firing={firing or 'none'} drain={drained:.1f}s {figures}",
                     problems)


DRILLS = {
    # First: it wants a healthy cluster (no alert firing).
    "dashboard": lambda d: d.dashboard(),
    "api-kill": lambda d: d.api_kill(),
    "worker-kill": lambda d: d.worker_kill(),
    "pg-restart": lambda d: d.pg_restart(),
    "rebalance-nginx": lambda d: d.rebalance("nginx", 5),
    "rebalance-haproxy": lambda d: d.rebalance("haproxy", 5),
    "tls-edge": lambda d: d.tls_edge(),
    # Last: it leaves the cluster on the promoted replica, without a replica of its own.
    "redis-failover": lambda d: d.redis_failover(),
}
# Drills that need the cluster on a Redis Cluster (--redis-cluster: cluster.sh up --redis cluster).
REDIS_CLUSTER_DRILLS = {
    "shard-failover": lambda d: d.shard_failover(),
}
# Drills that need the cluster on separate hosts (--hosts): they cut links between hosts.
HOST_DRILLS = {
    "partition-primary": lambda d: d.partition_primary(),
    "partition-api": lambda d: d.partition_api(),
    "partition-worker": lambda d: d.partition_worker(),
    "clock-skew": lambda d: d.clock_skew(),
    "balancer-host": lambda d: d.balancer_host_dies(),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("drills", nargs="+",
                        help="'all' or drill names: " + ", ".join([*DRILLS, *REDIS_CLUSTER_DRILLS, *HOST_DRILLS]))
    parser.add_argument("--hosts", action="store_true",
                        help="start the cluster with every process on a host of its own (cluster.sh up --hosts; "
                             "root); 'all' then includes the partition drills")
    parser.add_argument("--redis-cluster", action="store_true",
                        help="start the cluster on a Redis Cluster of 3 primaries and 3 replicas (cluster.sh up "
                             "--redis cluster) instead of Sentinel; 'all' is then the shard drill")
    parser.add_argument("--cluster-dir", help="where to start the drills' cluster (default: a temporary directory)")
    parser.add_argument("--running", help="state directory of a running cluster (started with --ha --pg own "
                        "--ip-rate 100000 and the drills' --app-arg settings) to use instead of starting one")
    parser.add_argument("--db", choices=["postgresql", "mariadb"], default="postgresql",
                        help="the database of the drills' cluster: its own throwaway PostgreSQL, or a database of its "
                             "own on the machine's MariaDB (127.0.0.1:3306; the PostgreSQL restart drill then fails)")
    parser.add_argument("--users", type=int, default=600, help="shoppers for the load (limit 100 each)")
    parser.add_argument("--keep-logs", help="copy the cluster's logs here before it stops")
    args = parser.parse_args()
    known = {**DRILLS, **REDIS_CLUSTER_DRILLS, **HOST_DRILLS}
    # On hosts the host drills go first: drill 3 leaves the killed Redis down, and with one replica
    # fewer the partition drill would cut the new primary off from writes altogether. The dashboard
    # drill goes before them all: it wants a cluster with no alert firing.
    names = (["dashboard", *(HOST_DRILLS if args.hosts else {}), *(d for d in DRILLS if d != "dashboard")]
             if args.drills == ["all"] else args.drills)
    if args.redis_cluster and args.drills == ["all"]:
        names = list(REDIS_CLUSTER_DRILLS)
    if args.redis_cluster and args.hosts:
        parser.error("--redis-cluster runs on loopback (not with --hosts)")
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown drills {unknown}")

    workdir = tempfile.mkdtemp(prefix="seckill-drills-")
    # The throwaway PostgreSQL runs as the postgres user when started as root: it must reach its
    # data directory under this one (mkdtemp makes it 700).
    os.chmod(workdir, 0o755)
    own_cluster = args.running is None
    state = args.running or args.cluster_dir or os.path.join(workdir, "cluster")
    cluster = Cluster(state)
    began = time.monotonic()
    drills = Drills(cluster, workdir, args.users)
    interrupted = []
    signal.signal(signal.SIGTERM, lambda *_: (interrupted.append(1), sys.exit(143)))
    try:
        if own_cluster:
            log(f"starting a cluster under {state}")
            database = (["--pg", "own"] if args.db == "postgresql"
                        else ["--db", "mariadb", "--db-name", f"seckill_drills_{os.getpid()}"])
            if args.hosts:
                database = ["--hosts", "--vip", "--latency", os.environ.get("SECKILL_DRILLS_LATENCY", "1ms 0.5ms")]
            # One replica acknowledgement per batch, as --ha sets up (SECKILL_DRILLS_REPLICA_ACKS=0
            # runs the drills without, for a comparison).
            acks = os.environ.get("SECKILL_DRILLS_REPLICA_ACKS", "1")
            redis = ["--redis", "cluster"] if args.redis_cluster else ["--ha", "--replica-acks", acks]
            cluster.sh("up", *redis, *database, "--port", "auto", "--tls-port", "auto", "--prometheus", "--no-demo", "--password-strength", "4",
                       "--ip-rate", "100000", "--app-arg", "--seckill.purchase.rate-limit=0",
                       # Every purchase now takes a token request first. wrk rotates over 600 shoppers,
                       # so at the drills' 1-3k requests/s a shopper asks 1-3 tokens a second, close to
                       # the default 5 per second: the drills test failures, not that limit.
                       "--app-arg", "--seckill.purchase-token.rate-limit=100",
                       "--app-arg", "--seckill.worker.claim-after=3s", "--app-arg", "--seckill.worker.claim-interval=1s",
                       # Logins counted per client address (drill g reads whose address counted one);
                       # the bound is far above the logins the drills make.
                       "--app-arg", "--seckill.security.login.ip-rate-limit=1000000",
                       quiet=True)
            log(f"cluster up after {time.monotonic() - began:.0f}s")
        drills.prepare()
        for name in names:
            if name.startswith("rebalance"):
                drills.join_background()
            try:
                known[name](drills)
            except Exception as ex:
                line = f"DRILL {name}: FAIL -- {type(ex).__name__}: {ex}"
                print(line, flush=True)
                drills.verdicts.append((name, False, line))
    finally:
        drills.join_background()
        if args.keep_logs:
            shutil.rmtree(args.keep_logs, ignore_errors=True)
            # A failed `up` keeps its logs beside the state directory (cluster.sh: <state>.failed-logs).
            for logs in (os.path.join(state, "logs"), state + ".failed-logs"):
                if os.path.isdir(logs):
                    shutil.copytree(logs, args.keep_logs, dirs_exist_ok=True)
        if own_cluster:
            cluster.sh("down", check=False, quiet=True)
        shutil.rmtree(workdir, ignore_errors=True)
    passed = sum(1 for _, ok, _ in drills.verdicts if ok)
    failed = len(drills.verdicts) - passed
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"drills took {time.monotonic() - began:.0f}s in all (load average now {load} on {os.cpu_count()} cores)")
    print(f"drills: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == len(names) else 1


if __name__ == "__main__":
    sys.exit(main())

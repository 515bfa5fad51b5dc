#!/usr/bin/env python3
"""The OCI image, run the way a user runs it: loaded into podman, started against this machine's
PostgreSQL and Redis in production mode (its secrets from a podman secret, as a file only the node's
user reads; started with no settings it must refuse, naming what is missing), then one purchase from a new sale until its order is in the database, and a picture
challenge drawn (Java2D in the image). Prints the image's size and the node's start time; stops the
container (SIGTERM, a clean exit) and removes everything it made: the container, the secret, the
image, its database and its Redis keys.

  python3 deploy/image/test_image.py [--tar target/seckill-image.tar] [--keep-image]

Builds the image first when the tar is missing (./mvnw -Pimage -DskipTests package). Exit status 0
when every check passed, 1 when one failed, 3 when podman cannot run a container on this machine
(the reason is printed). Traffic goes to 127.0.0.1 only. Standard library only.
"""

import argparse
import base64
import datetime
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
IMAGE = "localhost/seckill:0.1.0-SNAPSHOT"
PG = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)


def log(message):
    print(f"[image {time.strftime('%H:%M:%S')}] {message}", flush=True)


def hybrid_cgroups():
    """True where cgroup v1 and v2 are mounted side by side (crun refuses that layout)."""
    with open("/proc/mounts") as f:
        return any(line.split()[1:3] == ["/sys/fs/cgroup/unified", "cgroup2"] for line in f)


def podman(*args, check=True, capture=True, timeout=300):
    """podman with what this kind of machine needs: no cgroup v2 mount beside v1 (in a private mount
    namespace of its own, the host keeps it), and limits the sandbox lets a process set (it may not
    raise them: no CAP_SYS_RESOURCE)."""
    command = ["podman", *args]
    if hybrid_cgroups():
        command = ["unshare", "-m", "sh", "-c", 'umount /sys/fs/cgroup/unified && exec "$@"', "sh", *command]
    result = subprocess.run(command, text=True, timeout=timeout,
                            stdout=subprocess.PIPE if capture else None, stderr=subprocess.STDOUT if capture else None)
    if check and result.returncode != 0:
        raise RuntimeError(f"podman {' '.join(args[:2])} failed ({result.returncode}): {(result.stdout or '').strip()[-600:]}")
    return result


RUN_LIMITS = ["--cgroups=disabled", "--ulimit", "nofile=16384:16384", "--ulimit", "nproc=4096:4096"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, port, path, token=None, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


def expect(status, body, wanted, what):
    if status != wanted:
        raise RuntimeError(f"{what}: {status} {body} (wanted {wanted})")
    return body


def psql(sql, database="postgres"):
    return subprocess.run(["psql", "-h", PG[0], "-p", str(PG[1]), "-U", "postgres", "-d", database, "-X", "-q",
                           "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, text=True, stdout=subprocess.PIPE).stdout.strip()


def redis_delete_prefix(prefix):
    keys = subprocess.run(["redis-cli", "-h", REDIS[0], "-p", str(REDIS[1]), "--scan", "--pattern", prefix + "*"],
                          text=True, stdout=subprocess.PIPE).stdout.split()
    for i in range(0, len(keys), 500):
        subprocess.run(["redis-cli", "-h", REDIS[0], "-p", str(REDIS[1]), "UNLINK", *keys[i:i + 500]],
                       stdout=subprocess.DEVNULL)
    return len(keys)


def iso(offset_seconds):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_seconds)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tar", default=os.path.join(ROOT, "target", "seckill-image.tar"))
    parser.add_argument("--keep-image", action="store_true", help="leave the image loaded in podman")
    args = parser.parse_args()

    if subprocess.run(["sh", "-c", "command -v podman"], stdout=subprocess.DEVNULL).returncode != 0:
        print("podman is not installed (apt-get install podman)")
        return 3
    if not os.path.exists(args.tar):
        log("building the image (./mvnw -Pimage -DskipTests package)")
        subprocess.run([os.path.join(ROOT, "mvnw"), "-q", "-B", "-ntp", "-Pimage", "-DskipTests", "-DskipITs", "package"],
                       cwd=ROOT, check=True)

    run = f"{os.getpid()}"
    name = f"seckill-image-test-{run}"
    database = f"seckill_image_{run}"
    prefix = f"seckill-image-{run}:"
    work = tempfile.mkdtemp(prefix="seckill-image-")
    problems = []
    figures = {}
    created = {"db": False, "secret": False, "container": False, "image": False}
    try:
        started = time.monotonic()
        podman("load", "-q", "-i", args.tar)
        created["image"] = True
        figures["load_s"] = round(time.monotonic() - started, 1)
        size = podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip()
        figures["image_mb"] = round(int(size) / 1e6)
        figures["tar_mb"] = round(os.path.getsize(args.tar) / 1e6)

        # Can this machine run a container at all? The image's own Java answers.
        probe = podman("run", "--rm", *RUN_LIMITS, "--entrypoint", "/opt/java/bin/java", IMAGE, "-version", check=False)
        if probe.returncode != 0:
            print(f"podman cannot run a container here: {probe.stdout.strip()[-400:]}")
            return 3
        figures["java"] = probe.stdout.strip().splitlines()[0]

        # Started with no settings it refuses at once, with the one line that says what is missing.
        bare = podman("run", "--rm", "--network", "host", *RUN_LIMITS, "-e", f"SERVER_PORT={free_port()}",
                      "-e", f"MANAGEMENT_SERVER_PORT={free_port()}", IMAGE, check=False, timeout=120)
        if bare.returncode == 0 or "Refused setting seckill.embedded (SECKILL_EMBEDDED)" not in bare.stdout:
            problems.append(f"started with no settings it exited {bare.returncode} without refusing: {bare.stdout[-600:]}")

        psql(f"CREATE DATABASE {database}")
        created["db"] = True
        port, management = free_port(), free_port()
        admin_password = secrets.token_urlsafe(18)
        secret_file = os.path.join(work, "secrets.properties")
        with open(os.open(secret_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(f"seckill.security.token-secret={base64.b64encode(secrets.token_bytes(32)).decode()}\n"
                    f"seckill.security.bootstrap-admin.password={admin_password}\n")
        podman("secret", "create", name, secret_file)
        created["secret"] = True
        os.unlink(secret_file)

        started = time.monotonic()
        podman("run", "-d", "--name", name, "--network", "host", *RUN_LIMITS,
               # Read by the node's user (10001) only, as a file: never in the environment.
               "--secret", f"{name},target=/run/secrets/seckill.properties,uid=10001,mode=0400",
               "-e", "SPRING_CONFIG_IMPORT=file:/run/secrets/seckill.properties",
               "-e", f"SPRING_DATA_REDIS_URL=redis://{REDIS[0]}:{REDIS[1]}",
               "-e", f"SPRING_DATASOURCE_URL=jdbc:postgresql://{PG[0]}:{PG[1]}/{database}?user=postgres",
               "-e", f"SECKILL_REDIS_KEY_PREFIX={prefix}", "-e", f"SERVER_PORT={port}",
               "-e", f"MANAGEMENT_SERVER_PORT={management}", "-e", "JAVA_TOOL_OPTIONS=-Xmx512m",
               IMAGE)
        created["container"] = True
        ready = None
        while time.monotonic() - started < 180:
            try:
                status, _ = call("GET", management, "/actuator/health/readiness", timeout=2)
                if status == 200:
                    ready = time.monotonic() - started
                    break
            except OSError:
                pass
            state = podman("inspect", "--format", "{{.State.Status}}", name).stdout.strip()
            if state not in ("running", "created", "configured"):
                raise RuntimeError(f"the container is {state}: {podman('logs', name).stdout[-1500:]}")
            time.sleep(0.25)
        if ready is None:
            raise RuntimeError(f"not ready after 180 s: {podman('logs', name).stdout[-1500:]}")
        logs = podman("logs", name).stdout
        started_line = next((line for line in logs.splitlines() if "Started SeckillApplication" in line), "")
        figures["ready_s"] = round(ready, 1)
        figures["spring_started"] = started_line.split("Started SeckillApplication", 1)[-1].strip()
        pid = podman("inspect", "--format", "{{.State.Pid}}", name).stdout.strip()
        with open(f"/proc/{pid}/status") as f:
            uid = next(line.split()[1] for line in f if line.startswith("Uid:"))
        if uid != "10001":
            problems.append(f"the node runs as uid {uid}, not 10001")
        log(f"ready after {ready:.1f}s ({figures['spring_started']}) as uid {uid}")

        admin = expect(*call("POST", port, "/api/v1/sessions", body={"username": "admin", "password": admin_password}),
                       200, "admin login")["token"]
        # The published demo password must not work outside the demo.
        status, _ = call("POST", port, "/api/v1/sessions", body={"username": "admin", "password": "admin-demo-password"})
        if status != 401:
            problems.append(f"the demo's admin password answered {status}, not 401")
        sale = expect(*call("POST", port, "/api/v1/admin/activities", token=admin, body={
            "name": "image test", "startsAt": iso(-5), "endsAt": iso(3600), "minLevel": 0,
            "items": [{"name": "image test item", "price": 1.00, "stock": 3, "limit": 1}]}), 201, "create sale")
        activity, item = sale["id"], sale["items"][0]["id"]
        expect(*call("POST", port, f"/api/v1/admin/activities/{activity}/publish", token=admin), 200, "publish")
        shopper_credentials = {"username": f"image-{run}", "password": secrets.token_urlsafe(12)}
        expect(*call("POST", port, "/api/v1/users", body=shopper_credentials), 201, "register")
        shopper = expect(*call("POST", port, "/api/v1/sessions", body=shopper_credentials), 200, "login")["token"]
        token = expect(*call("POST", port, f"/api/v1/activities/{activity}/items/{item}/purchase-tokens", token=shopper),
                       201, "purchase token")["token"]
        ticket = expect(*call("POST", port, f"/api/v1/activities/{activity}/items/{item}/purchases", token=shopper,
                              headers={"Idempotency-Key": f"image-{run}-1", "Purchase-Token": token}),
                        202, "purchase")["ticket"]
        state, deadline = None, time.monotonic() + 30
        while time.monotonic() < deadline:
            status, body = call("GET", port, f"/api/v1/purchases/{ticket}", token=shopper)
            state = body.get("status") if status == 200 and body else None
            if state in ("SUCCESS", "FAILED"):
                break
            time.sleep(0.2)
        orders = int(psql(f"SELECT count(*) FROM orders WHERE item_id = {item}", database))
        remaining = int(psql(f"SELECT remaining FROM items WHERE id = {item}", database))
        figures["purchase"] = state
        if state != "SUCCESS" or orders != 1 or remaining != 2:
            problems.append(f"the purchase ended {state} with {orders} orders and {remaining} units left (wanted SUCCESS, 1, 2)")

        challenged = expect(*call("POST", port, "/api/v1/admin/activities", token=admin, body={
            "name": "image challenge", "startsAt": iso(-5), "endsAt": iso(3600), "minLevel": 0, "challenge": True,
            "items": [{"name": "image challenge item", "price": 1.00, "stock": 1, "limit": 1}]}), 201, "create sale")
        expect(*call("POST", port, f"/api/v1/admin/activities/{challenged['id']}/publish", token=admin), 200, "publish")
        challenge = expect(*call("POST", port, f"/api/v1/activities/{challenged['id']}/challenges", token=shopper),
                           201, "challenge")
        png = base64.b64decode(challenge["image"].split(",", 1)[1])
        figures["challenge_png_bytes"] = len(png)
        if not png.startswith(b"\x89PNG"):
            problems.append("the challenge image is not a PNG")

        stopping = time.monotonic()
        podman("stop", "-t", "30", name)
        code = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        figures["stop_s"] = round(time.monotonic() - stopping, 1)
        figures["exit"] = code
        if code not in ("0", "143"):
            problems.append(f"the node exited {code} on SIGTERM: {podman('logs', name).stdout[-800:]}")
        lines = podman("logs", name).stdout.splitlines()
        errors = [i for i, line in enumerate(lines) if " ERROR " in line]
        if errors:
            print("\n".join(lines[errors[0]:errors[0] + 25]))
            problems.append(f"{len(errors)} ERROR lines in the node's log, e.g. {lines[errors[0]][:300]}")
    except Exception as ex:  # a failed step is a failed test, with what it said
        problems.append(f"{type(ex).__name__}: {ex}")
    finally:
        if created["container"]:
            podman("rm", "-f", name, check=False)
        if created["secret"]:
            podman("secret", "rm", name, check=False)
        if created["image"] and not args.keep_image:
            podman("rmi", "-f", IMAGE, check=False)
        if created["db"]:
            try:
                psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            except subprocess.CalledProcessError as ex:
                problems.append(f"could not drop {database}: {ex}")
        redis_delete_prefix(prefix)
        for leftover in os.listdir(work):
            os.unlink(os.path.join(work, leftover))
        os.rmdir(work)
    line = " ".join(f"{k}={v}" for k, v in figures.items())
    print(f"IMAGE TEST: {'PASS' if not problems else 'FAIL'} {line}" + (" -- " + "; ".join(problems) if problems else ""))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())

"""Set-up through the application's HTTP API: shoppers (registered and logged in), activities."""

import concurrent.futures
import datetime
import http.client
import json
import threading
import time

from .util import log

PASSWORD = "bench-password-1"


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


class Api:
    """Mixin of Bench: users and activities, created through node A's API."""

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

        def call(what, path, name, expected, field):
            """One POST with the name's credentials, retried twice on a connection error."""
            for attempt in range(3):
                try:
                    status, body = api.call("POST", path, {"username": name, "password": PASSWORD})
                    if status == expected:
                        return body[field]
                    raise RuntimeError(f"{what} {name}: {status} {body}")
                except OSError:
                    if attempt == 2:
                        raise

        def register(name):
            return call("register", "/api/v1/users", name, 201, "id")

        def login(name):
            return call("login", "/api/v1/sessions", name, 200, "token")

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

    def create_activity(self, name, stock, items=1, limit=100, starts_in=None, waiting_room=None, node="A"):
        """A published sale, open since a minute (or opening `starts_in` from now), with a waiting room
        ({opensBefore, admitPerSecond, passTtl}) when one is given; published through `node` (an admin
        node: its Redis gets the sale)."""
        admin = self.admin_token()
        api = Http(self.nodes[node]["port"])
        now = datetime.datetime.now(datetime.timezone.utc)
        start = now + (starts_in if starts_in is not None else -datetime.timedelta(minutes=1))
        draft = {"name": name, "startsAt": start.isoformat(),
                 "endsAt": (now + datetime.timedelta(hours=3)).isoformat(), "minLevel": 0,
                 "items": [{"name": f"{name}-item{i + 1}", "price": 1.00, "stock": stock, "limit": limit}
                           for i in range(items)]}
        if waiting_room:
            draft["waitingRoom"] = waiting_room
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

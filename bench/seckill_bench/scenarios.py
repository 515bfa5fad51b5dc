"""The scenarios: the standard suite, one custom sale, and the writer drain alone on one or more
databases."""

import atexit
import datetime
import os
import re
import time

from .api import Http
from .bench import Bench
from .line_audit import audit
from .load import queued_of
from .stores import redis_cli
from .util import HERE, log, run
from .warmup import rule, warm_up

# Nodes that measure the admission path alone (admission, sold-out storms, load balancer) take purchases
# without a purchase token, as before the token contract; node T requires one (the default).
TOKENS_OFF = "--seckill.purchase-token.required=false"


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

    # Warm-up (not recorded) until each path's throughput is stable: JIT, connection pools, caches.
    warm = bench.create_activity("warm-up", 10_000_000, items, 100)
    warm_paths = bench.purchase_paths(warm)

    def count_warm(result):
        count(warm, result)

    log(f"warm-up until stable, {rule(a)} (ping, then purchases)")
    warm_up(bench, "ping on node A", node_a, "GET", "/api/v1/ping")
    warm_up(bench, "purchases on node A", node_a, "POST", warm_paths, count=count_warm)
    if variant:
        warm_up(bench, "purchases on node V", bench.nodes["V"]["port"], "POST", warm_paths, count=count_warm)
    if a.login_flood:
        warm_up(bench, "purchases on node L", bench.nodes["L"]["port"], "POST", warm_paths, count=count_warm)
    if a.lb:  # node B too, through the load balancer
        warm_up(bench, "purchases through nginx -> 2 nodes", bench.nginx["port_lb"], "POST", warm_paths,
                count=count_warm)
    for t in (["T", "TV"] if token_variant else ["T"]) if a.tokens else []:
        # Token nodes: ping, refusals without a token, the two-step flow.
        node_t = bench.nodes[t]["port"]
        warm_up(bench, f"ping on node {t}", node_t, "GET", "/api/v1/ping")
        warm_up(bench, f"forged-token purchases on node {t}", node_t, "POST", warm_paths, ptoken="forged")
        warm_up(bench, f"token + purchase flow on node {t}", node_t, "POST", warm_paths, count=count_warm, flow=True)

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


def add_queued(queued, activity_id, result):
    """Adds a load run's 202s to queued[activity_id] = (202s the clients saw, wrk invocations)."""
    count, runs = queued.get(activity_id, (0, 0))
    queued[activity_id] = (count + queued_of(result), runs + 1)


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
    log(f"warm-up until stable, {rule(a)}")
    queued = {}
    warm_up(bench, "purchases on node A", node_a, "POST", bench.purchase_paths(warm),
            count=lambda result: add_queued(queued, warm["id"], result))
    result = bench.wrk("sale", node_a, "POST", bench.purchase_paths(activity), a.duration, scenario="sale",
                       iteration=1, activity=activity["id"])
    queued[activity["id"]] = (queued_of(result), 1)
    bench.drain(1, consumers=a.drain_consumers, batch_size=a.drain_batch)
    bench.audit(queued, full_ticket_scan=True)


def line(bench):
    """The waiting room (issue 16): a join storm of --users shoppers at the opening, then their status polls
    while the draw is open and once it is closed (the ranks cold, then kept by the node), each next to ping
    on the same node in the same run, with the Redis commands per request (INFO commandstats)."""
    a = bench.args
    bench.environment()
    bench.setup()
    bench.start_node("A", "api,admin,worker")  # the worker holds the cluster duties: the admitter
    bench.create_users(a.users)
    node_a = bench.nodes["A"]["port"]
    room = {"opensBefore": "PT2H", "admitPerSecond": a.line_rate, "passTtl": "PT2M"}

    def path(activity):
        return f"/api/v1/activities/{activity['id']}/waiting-room"

    log(f"warm-up until stable, {rule(a)} (ping, then joins and polls of a warm-up line)")
    warm_up(bench, "ping on node A", node_a, "GET", "/api/v1/ping", keys=False)
    warm = bench.create_activity("line-warm", a.stock, 1, 1, starts_in=datetime.timedelta(hours=1),
                                 waiting_room=room)
    bench.wrk(None, node_a, "POST", path(warm), 5, record=False, probe=False, keys=False)  # in line first
    warm_up(bench, "waiting-room polls on node A", node_a, "GET", path(warm), keys=False)
    rows = []
    for i in range(1, a.runs + 1):
        log(f"===== run {i} of {a.runs} =====")
        ping = bench.wrk("ping", node_a, "GET", "/api/v1/ping", a.duration, scenario="line-ping", iteration=i,
                         keys=False)
        # A new line per run: every shopper joins it for the first time (201) until the tokens wrap.
        drawn = bench.create_activity(f"line-{i}", a.stock, 1, 1, starts_in=datetime.timedelta(hours=1),
                                      waiting_room=room)
        join = bench.wrk("join storm", node_a, "POST", path(drawn), a.duration, scenario="line-join", iteration=i,
                         keys=False)
        everyone_joins(bench, drawn, path(drawn))
        open_polls = bench.wrk("polls, draw open", node_a, "GET", path(drawn), a.duration,
                               scenario="line-poll-open", iteration=i, keys=False)
        # A line whose draw closes 3 s after it is made: those who join before are drawn, the rest queue by
        # arrival (one admitted a second; places the stock cannot reach answer SOLD_OUT); the first pass of
        # polls reads each rank once, the next ones are answered from memory.
        closed = bench.create_activity(f"line-closed-{i}", a.stock, 1, 1, starts_in=datetime.timedelta(seconds=3),
                                       waiting_room=room)
        everyone_joins(bench, closed, path(closed))
        cold = bench.wrk("polls, draw closed, first pass", node_a, "GET", path(closed), a.duration,
                         scenario="line-poll-cold", iteration=i, keys=False)
        warm_polls = bench.wrk("polls, draw closed, ranks kept", node_a, "GET", path(closed), a.duration,
                               scenario="line-poll-warm", iteration=i, keys=False)
        rows.append((ping, join, open_polls, cold, warm_polls))
        line_audit(bench, drawn, room, started=False)
        line_audit(bench, closed, room, started=True)
    for i, (ping, *others) in enumerate(rows, 1):
        for result in others:
            calls = sum(c["calls"] for c in result["redis_commands"].values())
            result["redis_commands_per_request"] = round(calls / max(1, result["requests"]), 4)
            result["vs_ping"] = round(result["rps"] / ping["rps"], 3) if ping["rps"] else None
            lat = result["latency_us"]["percentiles"]
            log(f"run {i}: {result['label']}: {result['rps']:,.0f} req/s = {result['vs_ping']:.2f}x ping "
                f"({ping['rps']:,.0f}), p99 {lat['99'] / 1000:.2f} ms, Redis commands/request "
                f"{result['redis_commands_per_request']}, outcomes {result['outcomes']}")


def shards(bench):
    """Admission of one hot item (tokens off, as the suite's admission line) on one Redis, on a Redis Cluster
    of 1 primary and on one of 3 primaries, each through its own node in the same run; then on the 3-shard
    cluster the load spread over 3 sales whose slots are on 3 different primaries (issue 19, item 5). On
    this machine every process shares 2 cores: the per-process CPU says which one was the limit."""
    a = bench.args
    bench.environment()
    bench.setup()
    bench.start_node("A", "api,admin", extra=[TOKENS_OFF])
    clusters = {"C1": bench.start_redis_cluster("redis-1-shard", 1),
                "C3": bench.start_redis_cluster("redis-3-shards", 3)}
    for node, ports in clusters.items():
        nodes = ",".join(f"127.0.0.1:{p}" for p in ports)
        bench.start_node(node, "api,admin", extra=[TOKENS_OFF, f"--spring.data.redis.cluster.nodes={nodes}"])
    bench.create_users(a.users)
    hot = {node: bench.create_activity(f"hot-{node}", 10_000_000, 1, 100, node=node)
           for node in ("A", "C1", "C3")}
    spread = sales_on_every_shard(bench, clusters["C3"])
    log(f"warm-up until stable, {rule(a)} (admissions on each node)")
    for node in ("A", "C1", "C3"):
        warm_up(bench, f"admissions on node {node}", bench.nodes[node]["port"], "POST", bench.purchase_paths(hot[node]))
    rows = []
    for i in range(1, a.runs + 1):
        log(f"===== run {i} of {a.runs} =====")
        row = {}
        for node, label in (("A", "one hot item, one Redis"), ("C1", "one hot item, Redis Cluster of 1 shard"),
                            ("C3", "one hot item, Redis Cluster of 3 shards")):
            row[label] = bench.wrk(label, bench.nodes[node]["port"], "POST", bench.purchase_paths(hot[node]),
                                   a.duration, scenario=f"shards-{node}", iteration=i, activity=hot[node]["id"])
        paths = ",".join(bench.purchase_paths(sale) for sale in spread)
        row["three sales on the 3 shards"] = bench.wrk("three sales on the 3 shards", bench.nodes["C3"]["port"],
                                                       "POST", paths, a.duration, scenario="shards-C3-spread",
                                                       iteration=i)
        rows.append(row)
    for i, row in enumerate(rows, 1):
        base = row["one hot item, one Redis"]["rps"]
        for label, result in row.items():
            lat = result["latency_us"]["percentiles"]
            ratio = result["rps"] / base if base else 0
            log(f"run {i}: {label}: {result['rps']:,.0f} admissions/s = {ratio:.2f}x one Redis, p99 "
                f"{lat['99'] / 1000:.2f} ms, outcomes {result['outcomes']}, cpu {result['cpu_pct_of_one_core']}")


def sales_on_every_shard(bench, ports):
    """Sales (made through node C3) until one sits on each primary of the cluster on `ports`: a sale's keys
    share the hash tag {id}, so its slot, and with it its shard, follows from its id."""
    owners, ranges = {}, []
    for line in redis_cli_at(ports[0], "CLUSTER", "NODES").splitlines():
        fields = line.split()  # id, ip:port@bus, flags, primary, ping, pong, epoch, link, slot ranges...
        if len(fields) > 8 and "master" in fields[2]:
            port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
            for part in fields[8:]:
                if part[0].isdigit():
                    first, _, last = part.partition("-")
                    ranges.append((int(first), int(last or first), port))
    for n in range(30):
        sale = bench.create_activity(f"spread-{n}", 10_000_000, 1, 100, node="C3")
        slot = int(redis_cli_at(ports[0], "CLUSTER", "KEYSLOT", f"{{{sale['id']}}}"))
        primary = next(port for start, end, port in ranges if start <= slot <= end)
        owners.setdefault(primary, sale)
        if len(owners) == len(ports):
            log(f"three sales on three primaries: {[(p, s['id']) for p, s in sorted(owners.items())]}")
            return list(owners.values())
    raise RuntimeError(f"no sale on every shard after 30 tries: {sorted(owners)}")


def redis_cli_at(port, *args):
    return run(["redis-cli", "-p", str(port), "--raw", *map(str, args)], timeout=30).strip()


def everyone_joins(bench, activity, path):
    """Unrecorded join runs until every shopper is in the line (at most 6 of 10 s), so that the polls that
    follow are all shoppers in line."""
    key = f"{bench.prefix}sk:{{{activity['id']}}}:wr:"
    for _ in range(6):
        joined = int(redis_cli("ZCARD", key + "drawn") or 0) + int(redis_cli("ZCARD", key + "late") or 0)
        if joined >= bench.args.users:
            return
        bench.wrk(None, bench.nodes["A"]["port"], "POST", path, 10, record=False, probe=False, keys=False)
    log(f"WARNING: not every shopper joined {activity['name']}")


def line_audit(bench, activity, room, started):
    """The waiting room's own invariants (line_audit.audit), from Redis and the admin API: nobody in both
    parts of the line; the passes exactly the line's first places (in order, nobody twice, nobody skipped);
    nobody admitted before the start or beyond the rate; every unit held back by its pass; once the draw is
    closed, the seed hashing to the commitment shown before and every early arrival at its seed's place.
    Raises when one fails."""
    key = f"{bench.prefix}sk:{{{activity['id']}}}:"

    def pairs(*command):
        flat = redis_cli(*command, timeout=120).splitlines()
        if len(flat) % 2:  # an error line, or a reply cut short: not a line to judge
            raise RuntimeError(f"redis-cli {' '.join(map(str, command[:2]))}: {flat[:3]}")
        return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]

    def scored(name):
        return [(member, int(float(score))) for member, score in pairs("ZRANGE", key + name, 0, -1, "WITHSCORES")]

    def cursor():
        return int(redis_cli("HGET", key + "wr:state", "cursor") or 0)

    # The admitter may run a round between two reads: read the passes until the cursor around them held.
    for _ in range(10):
        before = cursor()
        passes = {member: int(expiry) for member, expiry in pairs("HGETALL", key + "wr:passes")}
        outstanding = dict(scored("wr:outstanding"))
        if cursor() == before:
            break
    else:
        raise RuntimeError(f"the line of {activity['name']} kept moving during its audit")

    status, draw = Http(bench.nodes["A"]["port"]).call(
        "GET", f"/api/v1/admin/activities/{activity['id']}/waiting-room?places=0", token=bench.admin_token())
    if status != 200:
        raise RuntimeError(f"the draw of {activity['name']}: {status} {draw}")
    ttl_ms = iso_seconds(room["passTtl"]) * 1000
    ok, checks = audit(scored("wr:drawn"), scored("wr:late"), before, passes, outstanding, draw.get("seed"),
                       draw["commitment"], int(redis_cli("HGET", key + "meta", "start") or 0), room["admitPerSecond"],
                       ttl_ms, joined=bench.args.users, started=started)
    bench.results.setdefault("line_audits", []).append({"activity": activity["id"], "ok": ok, **checks})
    log(f"waiting-room audit of {activity['name']}: {'ok' if ok else 'FAILED'} {checks}")
    if not ok:
        raise RuntimeError(f"waiting-room audit failed for {activity['name']}: {checks}")


def iso_seconds(text):
    """Seconds of an ISO-8601 duration of whole hours, minutes and seconds (PT2M, PT1H30S)."""
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text)
    if not match:
        raise ValueError(f"not a PT..H..M..S duration: {text}")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


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
        log(f"{bench.vendor}: warm-up until stable, {rule(args)}")
        warm_up(bench, "purchases on node A", bench.nodes["A"]["port"], "POST", bench.purchase_paths(warm),
                count=lambda result, b=bench, w=warm: add_queued(queued[b.vendor], w["id"], result))
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

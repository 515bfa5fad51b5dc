"""The invariant audit, read straight from the database and Redis after the queue drained."""

import time

from .stores import redis_cli
from .util import log


class Audit:
    """Mixin of Bench: the stream backlog, orders in the database, the invariants."""

    def stream_backlog(self):
        script = ("local total = 0 for _, s in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
                  "total = total + redis.call('XLEN', s) end return total")
        return int(redis_cli("EVAL", script, 1, self.prefix + "sk:order-streams"))

    def sold_in_db(self):
        return int(self.sql("SELECT coalesce(sum(stock - remaining), 0) FROM items") or 0)

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

"""Writes seckill-dashboard.json (the Grafana dashboard) from the panel list below: edit here, run
`python3 deploy/grafana/make_dashboard.py`, then `python3 deploy/grafana/check_dashboard.py`."""

import json
import os
R = "$__rate_interval"
panels_spec = [
    # (title, type, unit, description, [(expr, legend)])
    ("Purchases per second, by answer", "timeseries", "reqps",
     "What the sale's purchase requests were answered, summed over the API nodes: QUEUED at the opening, then SOLD_OUT; UNAVAILABLE should stay near 0 (SeckillPurchasesUnavailable).",
     [(f"sum by (outcome) (rate(seckill_admissions_total[{R}]))", "{{outcome}}")]),
    ("Admitted purchases per second, by sale", "timeseries", "reqps",
     "QUEUED answers per sale (the activity id), summed over the API nodes; each node tags at most 100 sales at a time.",
     [(f'sum by (activity) (rate(seckill_sale_requests_total{{kind="admission",outcome="QUEUED"}}[{R}]))', "sale {{activity}}")]),
    ("Purchase-token requests per second, by answer", "timeseries", "reqps",
     "The first step of a purchase, summed over the API nodes.",
     [(f"sum by (outcome) (rate(seckill_purchase_tokens_total[{R}]))", "{{outcome}}")]),
    ("Purchase latency", "timeseries", "s",
     "From the request to its answer on the node, over all API nodes (histogram).",
     [(f"histogram_quantile(0.5, sum by (le) (rate(seckill_purchase_latency_seconds_bucket[{R}])))", "p50"),
      (f"histogram_quantile(0.99, sum by (le) (rate(seckill_purchase_latency_seconds_bucket[{R}])))", "p99")]),
    ("Admitted, not yet written (queue)", "timeseries", "short",
     "Purchases answered QUEUED whose order the workers have not written yet. One worker at a time reports it (the holder of the cluster duties).",
     [("max(seckill_queue_length)", "queued")]),
    ("Oldest purchase waiting for the database", "timeseries", "s",
     "Over 30 s for a minute pages (SeckillQueueLag).",
     [("max(seckill_queue_lag_seconds)", "lag")]),
    ("Orders written per second, by outcome", "timeseries", "ops",
     "What the workers did with the queued purchases, summed over the workers; dead-lettered ones need an admin (console, Dead letters).",
     [(f"sum by (outcome) (rate(seckill_writer_orders_total[{R}]))", "{{outcome}}")]),
    ("Writer batch latency", "timeseries", "s",
     "One database transaction of up to batch-size orders, p99 over the workers.",
     [(f"histogram_quantile(0.99, sum by (le) (rate(seckill_writer_batch_latency_seconds_bucket[{R}])))", "p99")]),
    ("HTTP answers per second, by status", "timeseries", "reqps",
     "Every request of every node (http.server.requests).",
     [(f"sum by (status) (rate(http_server_requests_seconds_count[{R}]))", "{{status}}")]),
    ("Share of 5xx answers", "stat", "percentunit",
     "Over 1 % for a minute pages (SeckillServerErrors).",
     [(f"sum(rate(http_server_requests_seconds_count{{status=~\"5..\"}}[{R}])) / clamp_min(sum(rate(http_server_requests_seconds_count[{R}])), 1e-9)", "5xx")]),
    ("Dead letters waiting", "stat", "short",
     "Purchases the database refused for good, waiting for a replay or a discard (SeckillDeadLettersWaiting).",
     [("max(seckill_dead_letters)", "waiting")]),
    ("Redis replicas in sync (fewest any node sees)", "stat", "short",
     "-1: a node cannot read INFO replication (on a Redis Cluster: per shard, the shard's primary failing). 0 with replica acknowledgements on: every purchase answers 503.",
     [("min(seckill_redis_replicas)", "replicas")]),
    ("Redis replication lag", "timeseries", "bytes",
     "How far the furthest replica is behind the primary (SeckillRedisReplicationLag pages at 64 MiB).",
     [("max(seckill_redis_replication_lag_bytes)", "lag")]),
    ("Nodes answering, by role", "stat", "short",
     "Scrape targets up (SeckillNodeDown fires after 30 s of silence).",
     [('sum by (roles) (up{job="seckill"})', "{{roles}}")]),
    ("Clock offset to Redis, per node", "timeseries", "ms",
     "Corrected up to 5 s; over 1 s for 5 minutes warns (SeckillClockOffset).",
     [("max by (instance) (abs(seckill_clock_offset_milliseconds))", "{{instance}}")]),
    ("CPU per node", "timeseries", "percentunit",
     "The JVM's share of the host's CPU (1 = every core).",
     [('max by (instance) (process_cpu_usage{job="seckill"})', "{{instance}}")]),
    ("Heap used per node", "timeseries", "bytes",
     "After the opening spike it should fall back; a staircase is a leak.",
     [('sum by (instance) (jvm_memory_used_bytes{job="seckill",area="heap"})', "{{instance}}")]),
    ("Alerts firing", "stat", "short",
     "Rules of deploy/prometheus/seckill-alerts.yml firing now (0 when none).",
     [('count(ALERTS{alertstate="firing"}) or vector(0)', "firing")]),
]
panels = []
x = y = 0
for i, (title, kind, unit, description, targets) in enumerate(panels_spec, 1):
    w, h = (12, 8) if kind == "timeseries" else (6, 5)
    if x + w > 24:
        x = 0
        y += 8
    panel = {
        "id": i, "type": kind, "title": title, "description": description,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}} if kind == "timeseries"
        else {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}, "colorMode": "value", "graphMode": "area"},
        "targets": [{"refId": chr(65 + j), "expr": expr, "legendFormat": legend,
                     "datasource": {"type": "prometheus", "uid": "${datasource}"}} for j, (expr, legend) in enumerate(targets)],
    }
    panels.append(panel)
    x += w
dashboard = {
    "title": "seckill: a sale across the cluster",
    "uid": "seckill-cluster",
    "description": "Every node of a seckill cluster, summed or maxed across nodes as each panel says (a Prometheus scraping every node's management port as job seckill: docs/operations.md). Each panel's query is checked against a Prometheus scraping a running cluster during a sale (deploy/grafana/check_dashboard.py, drill dashboard).",
    "tags": ["seckill"],
    "timezone": "utc",
    "schemaVersion": 39,
    "version": 1,
    "editable": True,
    "refresh": "5s",
    "time": {"from": "now-15m", "to": "now"},
    "templating": {"list": [{"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
                             "current": {}, "hide": 0, "refresh": 1}]},
    "annotations": {"list": []},
    "panels": panels,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "seckill-dashboard.json"), "w") as f:
    json.dump(dashboard, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(len(panels), "panels")

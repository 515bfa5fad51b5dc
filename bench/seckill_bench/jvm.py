"""What the nodes' JVMs tell: stop-the-world pauses from their GC logs, JFR profiles."""

import datetime
import os
import re
import shutil
import time

from .util import log, run


class Jvm:
    """Mixin of Bench: GC pauses and JFR profiles of its nodes."""

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

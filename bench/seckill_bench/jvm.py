"""What the nodes' JVMs tell: stop-the-world pauses from their GC logs, JFR profiles."""

import datetime
import os
import re
import shutil
import time

from .util import log, run


# The layers a request crosses, by the package of a stack frame (the first pattern that matches names it).
# JDK frames (java., jdk., sun.) belong to whoever called them, except the socket calls.
LAYERS = [
    ("socket I/O (epoll, read/write)", r"(io\.netty\.channel\.(epoll|unix)\.|sun\.nio\.ch\.)"),
    ("HTTP codec (Netty)", r"io\.netty\.handler\.codec\."),
    ("Netty pipeline, buffers, event loop", r"io\.netty\."),
    ("Reactor Netty (HTTP server)", r"reactor\.netty\."),
    ("Spring Security", r"org\.springframework\.security\."),
    ("observations and metrics (Micrometer)", r"(io\.micrometer\.|org\.springframework\.web\.filter\.reactive\."
                                              r"ServerHttpObservationFilter)"),
    ("JSON (Jackson)", r"(tools\.jackson\.|com\.fasterxml\.jackson\.)"),
    ("JWT (Nimbus)", r"com\.nimbusds\."),
    ("caches (Caffeine)", r"com\.github\.benmanes\."),
    ("Lettuce (Redis client)", r"io\.lettuce\."),
    ("Spring Data Redis", r"org\.springframework\.data\.redis\."),
    ("WebFlux (dispatch, routing, codecs)", r"org\.springframework\.(web|http)\."),
    ("Reactor core (operators, context)", r"reactor\.(core|util)\."),
    ("Spring, other", r"org\.springframework\."),
    ("the application (io.seckill)", r"io\.seckill\."),
]
STACK_DEPTH = 512
# A web filter's frame (its class, less the method): classes named ...Filter (WebFlux's, Spring Security's,
# the application's), the filter chains, and the application's traffic gate; not logback's or Micrometer's.
FILTER_FRAME = re.compile(r"((?:org\.springframework\.|io\.seckill\.)(?:\w+\.)+"
                          r"(?:\w*Filter|\w*FilterChain\w*|FilteringWebHandler|TrafficGate))(?:\$[\w$]+)?\.[\w$<>]+$")
JDK_FRAME = re.compile(r"(java|javax|jdk|sun|com\.sun)\.")
LAYER_PATTERNS = [(name, re.compile(pattern)) for name, pattern in LAYERS]


def frame_layer(frame):
    for name, pattern in LAYER_PATTERNS:
        if pattern.match(frame):
            return name
    return None


def sample_layer(frames):
    """The layer a sample's time is spent in: that of its innermost frame outside the JDK (the JDK's own
    code counts to its caller); "JDK, other" when no frame names one."""
    for frame in frames:
        layer = frame_layer(frame)
        if layer:
            return layer
        if not JDK_FRAME.match(frame):
            return "other libraries"
    return "JDK, other"


def layer_shares(stacks):
    """{layer: [self %, inclusive %]} over sampled stacks (innermost frame first): self, where each sample's
    time is spent (sample_layer, summing to 100); inclusive, the samples with the layer anywhere on the
    stack (a layer's callees included)."""
    own, anywhere = {}, {}
    for frames in stacks:
        layer = sample_layer(frames)
        own[layer] = own.get(layer, 0) + 1
        for name in {frame_layer(frame) for frame in frames} - {None}:
            anywhere[name] = anywhere.get(name, 0) + 1
    total = max(1, len(stacks))
    return {name: [round(100 * own.get(name, 0) / total, 1), round(100 * anywhere.get(name, 0) / total, 1)]
            for name in sorted(set(own) | set(anywhere), key=lambda n: -own.get(n, 0))}


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
        # Reactive stacks run past JFR's default depth of 64 frames: without more, the outer layers (the
        # HTTP server, the filters) would be missing from the deeper samples.
        run([self.jdk_tool("jcmd"), str(self.nodes[node]["proc"].pid), "JFR.configure", f"stackdepth={STACK_DEPTH}"],
            check=False)
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
        text = run([self.jdk_tool("jfr"), "print", "--events", "jdk.ExecutionSample", "--stack-depth", str(STACK_DEPTH), path],
                   timeout=300)
        threads, top, inclusive, filters = {}, {}, {}, {}
        stacks = []
        samples = 0
        for event in text.split("jdk.ExecutionSample {")[1:]:
            thread = re.search(r'sampledThread = "([^"]*)"', event)
            frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
            if not frames:
                continue
            samples += 1
            stacks.append(frames)
            group = re.sub(r"\d+", "N", thread.group(1) if thread else "?")
            threads[group] = threads.get(group, 0) + 1
            top[frames[0]] = top.get(frames[0], 0) + 1
            on_stack = {m.group(1) for m in map(FILTER_FRAME.match, frames) if m}
            for web_filter in on_stack:
                if not web_filter.startswith("reactor."):  # operators such as FluxFilter are no web filters
                    filters[web_filter] = filters.get(web_filter, 0) + 1
            for frame in set(frames):
                if re.match(r"(io\.seckill|io\.lettuce|org\.springframework|io\.micrometer|com\.fasterxml|"
                            r"com\.nimbusds|com\.github\.benmanes|reactor\.netty|io\.netty\.handler\.codec)", frame):
                    inclusive[frame] = inclusive.get(frame, 0) + 1

        def ranked(counter, n):
            return [[k, v, round(100 * v / samples, 1)] for k, v in sorted(counter.items(), key=lambda kv: -kv[1])[:n]]

        profile = {"jfr": os.path.basename(path), "samples": samples, "threads": ranked(threads, 12),
                   "layers": layer_shares(stacks), "filters": ranked(filters, 20), "top_self": ranked(top, 30), "inclusive": ranked(inclusive, 60)}
        self.results.setdefault("profiles", {})[name] = profile
        lines = [f"{name}: {samples} samples", "threads:"] + [f"  {p:5.1f}%  {k}" for k, _, p in profile["threads"]] + \
                ["layers (self %, inclusive %; Java code only: time in the kernel's calls is not sampled):"] + \
                [f"  {own:5.1f}%  {every:5.1f}%  {name}" for name, (own, every) in profile["layers"].items()] + \
                ["web filters (inclusive: the samples with the filter on the stack):"] + \
                [f"  {p:5.1f}%  {k}" for k, _, p in profile["filters"]] + \
                ["top frames (self):"] + [f"  {p:5.1f}%  {k}" for k, _, p in profile["top_self"]] + \
                ["inclusive (selected packages):"] + [f"  {p:5.1f}%  {k}" for k, _, p in profile["inclusive"]]
        with open(os.path.join(self.out, f"profile-{name}.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        log(f"profile {name}: {samples} samples; threads " +
            ", ".join(f"{k} {p}%" for k, _, p in profile["threads"][:4]))
        return profile

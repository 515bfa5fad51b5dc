"""Warm-up until the throughput is stable, not for a fixed time: a fresh JVM's JIT may need over a minute
of load on a slow machine, and a figure taken before that measures the compiler, not the code.

Each warmed path gets windows of --warmup-window seconds of load (run, not recorded), until two
consecutive windows' rates are within --warmup-tolerance % of each other (settled), or until the next
whole window would pass the cap, --warmup seconds (not settled: logged as a warning and kept in
results.json under "warmup", with every window's rate, so a reader knows the figures may be from a cold
JVM)."""

from .util import log


def settled(rates, tolerance_pct):
    """True when the last two rates are within tolerance_pct % of the larger one (and not both zero)."""
    if len(rates) < 2:
        return False
    a, b = rates[-2], rates[-1]
    high = max(a, b)
    return high > 0 and abs(a - b) <= high * tolerance_pct / 100


def warm_until_stable(measure, window, cap, tolerance_pct, label="", say=log):
    """Calls measure(seconds) -> rate for windows of `window` seconds (shortened to `cap` when the cap is
    shorter) until settled() or until another whole window would pass `cap` seconds. Returns the record
    kept in results.json: settled, the windows' rates, the seconds of load given, and the rule's settings."""
    window = max(1, min(window, cap)) if cap > 0 else window
    rates, seconds = [], 0
    while cap > 0 and seconds + window <= cap:
        rate = measure(window)
        rates.append(rate)
        seconds += window
        say(f"warm-up {label}: window {len(rates)} ({window} s) {rate:,.0f} req/s")
        if settled(rates, tolerance_pct):
            break
    ok = settled(rates, tolerance_pct)
    record = {"settled": ok, "windows": [round(r, 1) for r in rates], "seconds": seconds, "window_s": window,
              "cap_s": cap, "tolerance_pct": tolerance_pct}
    if ok:
        say(f"warm-up {label}: settled after {seconds} s ({rates[-2]:,.0f} then {rates[-1]:,.0f} req/s, "
            f"within {tolerance_pct:g} %)")
    else:
        say(f"WARNING: warm-up {label} did not settle within {cap} s (windows: "
            + (", ".join(f"{r:,.0f}" for r in rates) or "none") + " req/s): its figures may be from a cold JVM")
    return record


def warm_up(bench, label, port, method, paths, count=None, **kwargs):
    """Warms one path of one node (wrk, unrecorded, no probe) until its throughput is stable; the record
    goes to bench.results["warmup"][label]. count(result) is called with each window's wrk result (the
    202s the clients saw, for the audit)."""
    a = bench.args

    def measure(seconds):
        result = bench.wrk(None, port, method, paths, seconds, record=False, probe=False, **kwargs)
        if count:
            count(result)
        return result["rps"]

    record = warm_until_stable(measure, a.warmup_window, a.warmup, a.warmup_tolerance, label)
    bench.results.setdefault("warmup", {})[label] = record
    return record


def rule(args):
    """The rule in words, for the log."""
    return (f"windows of {args.warmup_window} s until two in a row are within {args.warmup_tolerance:g} %, "
            f"at most {args.warmup} s per path")


def unsettled(results):
    """The warmed paths whose throughput did not settle within the cap."""
    return {label: w for label, w in (results.get("warmup") or {}).items() if not w["settled"]}


def warmup_lines(results, prefix="warm-up"):
    """A summary line naming the paths that did not settle, or none when every path did."""
    cold = unsettled(results)
    if not cold:
        return []
    return [f"{prefix} did not settle, figures may be from a cold JVM: " + "; ".join(
        f"{label} ({', '.join(f'{r:,.0f}' for r in w['windows']) or 'no'} req/s in {w['seconds']} s, "
        f"cap {w['cap_s']} s)" for label, w in cold.items())]

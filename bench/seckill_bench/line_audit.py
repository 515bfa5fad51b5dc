"""The waiting room's own invariants (issue 16), checked from what Redis holds once a line has run, with the
draw recomputed from the seed the admin API reveals after the start. Pure functions over plain data, so that
bench/tests can feed them a made-up line and see each check fail; scenarios.line_audit reads the data."""

import hashlib
import hmac


def draw_score(seed_hex, user_id):
    """The draw's place of one early arrival, as anyone can recompute it: HMAC-SHA256(seed, user id), first
    52 bits (lower is earlier). The same as WaitingRoomDraw.score."""
    digest = hmac.new(bytes.fromhex(seed_hex), str(user_id).encode("ascii"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 12


def admission_rounds(passes, pass_ttl_ms):
    """{admitted at (ms, Redis's clock): how many} from the passes (shopper -> expiry ms): a round gives all
    its passes the same expiry, its time plus the pass's life."""
    rounds = {}
    for expiry in passes.values():
        at = int(expiry) - pass_ttl_ms
        rounds[at] = rounds.get(at, 0) + 1
    return rounds


def rate_excess(rounds, rate):
    """The most admitted beyond the rate in any stretch of rounds: the script earns `rate` a second of
    credit, at most one second's worth, so from round i to round j at most rate * (1 + (t_j - t_i) / 1000)
    places. 0 when the rate held."""
    times = sorted(rounds)
    worst = 0.0
    for i, first in enumerate(times):
        admitted = 0
        for last in times[i:]:
            admitted += rounds[last]
            worst = max(worst, admitted - rate * (1 + (last - first) / 1000))
    return max(0.0, worst)


def ahead_of_start(rounds, rate, start_ms):
    """The most admitted beyond what the rate allows since the start: the script's credit accrues from the
    start on, so by round j at most rate * (t_j - start) / 1000 places in all. 0 when it held."""
    admitted, worst = 0, 0.0
    for at in sorted(rounds):
        admitted += rounds[at]
        worst = max(worst, admitted - rate * max(0, at - start_ms) / 1000)
    return max(0.0, worst)


def audit(drawn, late, cursor, passes, outstanding, seed, commitment, start_ms, rate, pass_ttl_ms,
          joined=0, started=False):
    """The checks and whether they all hold. `drawn` and `late`: [(shopper, score)] in the line's order;
    `passes`: shopper -> expiry ms; `outstanding`: shopper -> expiry ms of the passes not used yet; `seed`
    None while the draw is open (the draw's checks then wait); `joined`: how many the caller knows joined
    (the line must hold them); `started`: the line has been admitting for a while (so someone must be)."""
    drawn_ids = [member for member, _ in drawn]
    late_ids = [member for member, _ in late]
    line = drawn_ids + late_ids
    rounds = admission_rounds(passes, pass_ttl_ms)
    head_expiries = [int(passes[member]) for member in line[:cursor] if member in passes]
    checks = {
        "drawn": len(drawn),
        "late": len(late),
        "in both parts": len(set(drawn_ids) & set(late_ids)),
        "admitted (cursor)": cursor,
        "passes": len(passes),
        # Admitted in the line's order: the passes are exactly the first `cursor` places.
        "passes not the head of the line": len(set(passes) ^ set(line[:cursor])),
        # ... and in its order: a round admits the next places, so expiries never go down the line.
        "admitted out of the line's order": sum(1 for a, b in zip(head_expiries, head_expiries[1:]) if b < a),
        "fewer in line than joined": max(0, joined - len(line)),
        "nobody admitted after the start": int(started and cursor == 0),
        "late arrivals sharing a number": len(late) - len({score for _, score in late}),
        "admitted before the start": sum(count for at, count in rounds.items() if at < start_ms),
        "admitted beyond the rate": round(rate_excess(rounds, rate), 3),
        "admitted ahead of the rate since the start": round(ahead_of_start(rounds, rate, start_ms), 3),
        "outstanding without its pass": sum(1 for member, expiry in outstanding.items()
                                            if int(passes.get(member, -1)) != int(expiry)),
    }
    if seed is not None:
        checks["seed matches the commitment"] = hashlib.sha256(bytes.fromhex(seed)).hexdigest() == commitment
        checks["drawn off their seed's place"] = sum(1 for member, score in drawn
                                                    if int(score) != draw_score(seed, member))
    ok = (checks["in both parts"] == 0 and checks["passes not the head of the line"] == 0
          and checks["admitted out of the line's order"] == 0 and checks["fewer in line than joined"] == 0
          and checks["nobody admitted after the start"] == 0
          and cursor <= len(line) and checks["late arrivals sharing a number"] == 0
          and checks["admitted before the start"] == 0 and checks["admitted beyond the rate"] == 0
          and checks["admitted ahead of the rate since the start"] == 0
          and checks["outstanding without its pass"] == 0
          and checks.get("seed matches the commitment", True) and checks.get("drawn off their seed's place", 0) == 0)
    return ok, checks

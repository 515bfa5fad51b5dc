"""The waiting room's audit (seckill_bench.line_audit) on made-up lines, each check seen failing:
python3 -m unittest discover bench/tests"""

import hashlib
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from seckill_bench.line_audit import audit, draw_score, rate_excess  # noqa: E402

SEED = "5e" * 32
COMMITMENT = hashlib.sha256(bytes.fromhex(SEED)).hexdigest()
START = 1_000_000
TTL = 60_000
RATE = 2


def a_line(early=6, late=4, rounds=3):
    """Early arrivals at their seed's place, late ones by arrival, and `rounds` rounds a second apart from the
    start admitting RATE each: what a line that kept every rule holds."""
    drawn = sorted(((str(user), draw_score(SEED, user)) for user in range(100, 100 + early)), key=lambda e: e[1])
    late_ = [(str(user), n) for n, user in enumerate(range(500, 500 + late), 1)]
    line = [member for member, _ in drawn + late_]
    passes = {}
    for r in range(rounds):
        for member in line[r * RATE:(r + 1) * RATE]:
            passes[member] = START + (r + 1) * 1000 + TTL  # round r, r + 1 seconds after the start
    return {"drawn": drawn, "late": late_, "cursor": len(passes), "passes": passes,
            "outstanding": dict(passes), "seed": SEED, "commitment": COMMITMENT, "start_ms": START,
            "rate": RATE, "pass_ttl_ms": TTL}


class LineAudit(unittest.TestCase):
    def test_a_line_that_kept_the_rules_passes(self):
        ok, checks = audit(**a_line())
        self.assertTrue(ok, checks)
        self.assertTrue(checks["seed matches the commitment"])
        self.assertEqual(checks["admitted (cursor)"], 6)

    def test_the_draw_checks_wait_for_the_seed(self):
        ok, checks = audit(**{**a_line(), "seed": None})
        self.assertTrue(ok, checks)
        self.assertNotIn("drawn off their seed's place", checks)

    def test_a_skipped_place_fails(self):
        line = a_line()
        skipped = line["drawn"][1][0]
        line["passes"][line["late"][0][0]] = line["passes"].pop(skipped)
        line["outstanding"] = dict(line["passes"])
        ok, checks = audit(**line)
        self.assertFalse(ok)
        self.assertEqual(checks["passes not the head of the line"], 2)

    def test_the_head_admitted_out_of_its_order_fails(self):
        line = a_line()
        first, second = line["drawn"][0][0], line["drawn"][2][0]  # rounds 0 and 1: swapped
        line["passes"][first], line["passes"][second] = line["passes"][second], line["passes"][first]
        line["outstanding"] = dict(line["passes"])
        ok, checks = audit(**line)
        self.assertFalse(ok)
        self.assertGreater(checks["admitted out of the line's order"], 0)

    def test_a_line_missing_who_joined_fails(self):
        ok, checks = audit(**{**a_line(), "joined": 11})
        self.assertFalse(ok)
        self.assertEqual(checks["fewer in line than joined"], 1)

    def test_a_started_line_that_admitted_nobody_fails(self):
        ok, checks = audit(**{**a_line(rounds=0), "started": True})
        self.assertFalse(ok)
        self.assertEqual(checks["nobody admitted after the start"], 1)
        self.assertTrue(audit(**{**a_line(rounds=0), "started": False})[0])

    def test_someone_in_both_parts_fails(self):
        line = a_line()
        line["late"][0] = (line["drawn"][0][0], line["late"][0][1])
        ok, checks = audit(**line)
        self.assertFalse(ok)
        self.assertEqual(checks["in both parts"], 1)

    def test_a_burst_beyond_the_rate_fails(self):
        line = a_line()
        for member in list(line["passes"])[:RATE * 2]:  # two rounds' worth in the first round
            line["passes"][member] = START + 1000 + TTL
        line["outstanding"] = dict(line["passes"])
        ok, checks = audit(**line)
        self.assertFalse(ok)
        self.assertEqual(checks["admitted beyond the rate"], RATE)

    def test_a_burst_right_at_the_start_fails(self):
        line = a_line(rounds=1)
        for member in line["passes"]:  # the first round's places 100 ms after the start: credit for 0.2
            line["passes"][member] = START + 100 + TTL
        line["outstanding"] = dict(line["passes"])
        ok, checks = audit(**line)
        self.assertFalse(ok)
        self.assertAlmostEqual(checks["admitted ahead of the rate since the start"], RATE - 0.2)

    def test_an_admission_before_the_start_fails(self):
        ok, checks = audit(**{**a_line(), "start_ms": START + 1001})
        self.assertFalse(ok)
        self.assertEqual(checks["admitted before the start"], RATE)

    def test_an_early_arrival_off_its_seeds_place_fails(self):
        line = a_line()
        member, score = line["drawn"][0]
        line["drawn"][0] = (member, score - 1)
        ok, checks = audit(**line)
        self.assertFalse(ok)
        self.assertEqual(checks["drawn off their seed's place"], 1)

    def test_a_seed_other_than_the_committed_one_fails(self):
        ok, checks = audit(**{**a_line(), "commitment": "00" * 32})
        self.assertFalse(ok)
        self.assertFalse(checks["seed matches the commitment"])

    def test_a_unit_held_back_without_its_pass_fails(self):
        line = a_line()
        line["outstanding"]["999"] = START + TTL
        ok, checks = audit(**line)
        self.assertFalse(ok)
        self.assertEqual(checks["outstanding without its pass"], 1)

    def test_two_late_arrivals_with_one_number_fail(self):
        line = a_line()
        line["late"][1] = (line["late"][1][0], line["late"][0][1])
        ok, checks = audit(**line)
        self.assertFalse(ok)
        self.assertEqual(checks["late arrivals sharing a number"], 1)

    def test_the_rate_allows_one_second_of_credit_and_no_more(self):
        self.assertEqual(rate_excess({0: 10, 1000: 10, 2000: 10}, 10), 0)
        self.assertEqual(rate_excess({0: 10, 500: 5}, 10), 0)
        self.assertEqual(rate_excess({0: 10, 500: 6}, 10), 1)

    def test_the_score_is_the_one_the_application_draws(self):
        # WaitingRoomDraw.score("5e" * 32, 42), run in Java (io.seckill.purchase.internal).
        self.assertEqual(draw_score(SEED, 42), 4002318064451706)

if __name__ == "__main__":
    unittest.main()

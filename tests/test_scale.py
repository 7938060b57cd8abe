"""durable_rules at scale (issue 6): 20,000 candidates in one process, with ids built to collide.

durable_rules finds a session by a 32-bit FNV-1a hash of its id, so two
candidates whose ids collide would share facts if the engine keyed sessions by
candidate (DESIGN §8).  The test brute-forces two pairs of ids with equal
FNV-1a state and extends each by common suffixes (a streaming hash stays equal
after equal suffixes), which gives 10,000 colliding pairs; it shows that
durable_rules itself joins the facts of such a pair, then evaluates the 20,000
candidates in one process, each pair one after the other with different
histories, and checks:

* every determination equals an evaluation of the same candidate alone (a fresh
  compiled ruleset, a neutral id), apart from the id;
* the facts asserted to durable_rules equal, in number, the outcomes the
  engine's rules recorded (no fact lost to a false duplicate);
* memory stays flat between candidate 5,000 and 20,000 (no session left behind).

Each candidate is built from a few shapes per class, so the evaluations alone
are cheap: one per shape.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re

import pytest
from durable.engine import Ruleset

from eligibility import engine as engine_module
from eligibility import evaluate, load_rules, parse_candidates

from conftest import RULES, ROOT

N = 20_000
FNV_OFFSET, FNV_PRIME = 0x811C9DC5, 0x01000193
NODE_LINE = re.compile(r"^\S+: (met|short|review|not_met)$")


def fnv1a32(text: str) -> int:
    h = FNV_OFFSET
    for byte in text.encode():
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return h


def colliding_pairs(n: int) -> list[tuple[str, str]]:
    """``n`` pairs of distinct ids whose 32-bit FNV-1a hashes are equal."""
    seen: dict[int, str] = {}
    base: list[tuple[str, str]] = []
    for i in itertools.count():
        text = f"APP-{i:x}"
        h = fnv1a32(text)
        if h in seen:
            base.append((seen[h], text))
            if len(base) == 2:
                break
        else:
            seen[h] = text
    return [(f"{a}-{k:05d}", f"{b}-{k:05d}") for k, (a, b) in ((k, base[k % 2]) for k in range(n))]


PAIRS = colliding_pairs(N // 2)


def test_the_ids_collide():
    ids = [i for pair in PAIRS for i in pair]
    assert len(set(ids)) == N
    assert all(fnv1a32(a) == fnv1a32(b) for a, b in PAIRS)


@pytest.mark.parametrize("pair", [PAIRS[0], PAIRS[1], PAIRS[4_321], PAIRS[-1]])
def test_durable_rules_joins_the_facts_of_a_colliding_pair(pair):
    """The ids are a real trap: in raw durable_rules the facts of one join the facts of the other."""
    joined = []
    rs = Ruleset(f"scale-raw-{os.getpid()}-{pair[0]}", None,
                 {"join": {"all": [{"a": {"t": "x"}}, {"b": {"t": "y"}}],
                           "run": lambda c: joined.append((c.a.sid, c.b.sid))}})
    for sid, kind in zip(pair, "xy"):
        rs.do_actions(rs.assert_fact({"sid": sid, "t": kind}), lambda error, state: None)
    assert joined == [pair]


# ------------------------------------------------------------------ shapes of candidates

BOOK = load_rules(RULES)
TEST_BOOK = load_rules(ROOT / "tests" / "data" / "rules_test")


def _csr(months: int, as_of: dt.date, current: bool = True, **extra) -> dict:
    first = as_of.year * 12 + as_of.month - 1 - months + 1
    job = {"employer": "City of Los Angeles", "department": "Department of Water and Power",
           "title": "Customer Service Representative", "start": f"{first // 12}-{first % 12 + 1:02d}-01", **extra}
    if not current:
        job["end"] = (as_of.replace(day=1) - dt.timedelta(days=1)).isoformat()  # left a month ago
    return job


def shapes():
    """(class, as-of date, candidate without id): histories that qualify, may file, need review or fail."""
    la, pdx, multi = BOOK.classes["la-1213"], BOOK.classes["pdx-30000445"], TEST_BOOK.classes["multi"]
    d1, d2, d3 = dt.date(2024, 6, 30), dt.date(2024, 6, 30), dt.date(2022, 1, 1)
    out = []
    for months in (6, 19, 21, 23, 24, 30, 60):
        out.append((la, d1, {"employment": [_csr(months, d1)]}))
        out.append((la, d1, {"employment": [_csr(months, d1, current=False, hours_per_week=30)]}))
    undated = {"employer": "City of Los Angeles", "title": "Customer Service Representative"}
    out.append((la, d1, {"employment": [_csr(12, d1), undated]}))  # a job without dates: review
    for months in (12, 48, 61, 90):
        out.append((pdx, d2, {"education": [{"level": "high_school"}], "employment": [
            {"employer": "Portland Water Bureau", "title": "Customer Service Representative",
             "start": f"{2024 - months // 12}-01-01", "experience": ["customer service", "billing"]},
            {"employer": "Portland Water Bureau", "title": "Customer Service Lead", "supervision": "lead",
             "start": "2010-01-01", "end": "2011-06-30", "experience": ["customer service"]}]}))
        out.append((pdx, d2, {"employment": [{"employer": "Fred Meyer", "title": "Cashier",
                                              "start": f"{2024 - months // 12}-03-01", "hours_per_week": 20}]}))
    for start in ("2019-01-01", "2021-03-01", "2021-11-15"):
        out.append((multi, d3, {"employment": [{"employer": "Testland", "title": "Clerk", "start": start,
                                                "experience": ["billing"]}], "education": [{"level": "ged"}]}))
        out.append((multi, d3, {"employment": [{"employer": "Acme", "title": "Agent", "start": start,
                                                "experience": ["customer service"], "hours_per_week": 25}],
                                "training": [{"subject": "Bookkeeping", "hours": 40}]}))
    return out


SHAPES = shapes()


def dump(d, cid: str) -> dict:
    data = d.model_dump(mode="json")
    assert data.pop("candidate_id") == cid
    return data


@pytest.fixture(scope="module")
def alone(monkeypatch_module) -> list[dict]:
    """Each shape evaluated on its own, with a freshly compiled ruleset and a neutral id."""
    out = []
    for loaded, day, data in SHAPES:
        monkeypatch_module.setattr(engine_module, "_COMPILED", {})
        out.append(dump(evaluate(parse_candidates({"id": "ALONE", **data})[0], loaded, day), "ALONE"))
    monkeypatch_module.setattr(engine_module, "_COMPILED", {})
    return out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads memory from /proc")
def test_twenty_thousand_colliding_candidates_in_one_process(alone, monkeypatch):
    # pair k: shapes s and s + half, which differ (and differ in class only when the halves do)
    half = len(SHAPES) // 2
    statuses = {a["status"] for a in alone}
    assert {"qualified", "conditional", "not_qualified", "review"} <= statuses
    asserted = [0]
    real = Ruleset.assert_facts
    monkeypatch.setattr(Ruleset, "assert_facts", lambda self, facts: asserted.__setitem__(0, asserted[0] + len(facts))
                        or real(self, facts))
    processed = requirements = 0
    marks = {}
    for k, pair in enumerate(PAIRS):
        first = k % len(SHAPES)
        for n, (cid, s) in enumerate(zip(pair, (first, (first + half) % len(SHAPES)))):
            loaded, day, data = SHAPES[s]
            d = evaluate(parse_candidates({"id": cid, **data})[0], loaded, day)
            got = dump(d, cid)
            assert got == alone[s], f"{cid} (shape {s}) differs from its evaluation alone"
            processed += sum(1 for line in d.trace if NODE_LINE.match(line))
            requirements += sum(len(p.requirements) for p in d.paths)
            done = 2 * k + n + 1
            if done in (5_000, N):
                marks[done] = _rss_mb()
    assert asserted[0] == processed == requirements  # every fact asserted got its outcome
    assert processed > 2 * N
    assert marks[N] - marks[5_000] < 40, f"memory grew {marks[N] - marks[5_000]:.1f} MB over 15,000 candidates"

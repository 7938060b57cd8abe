"""Property tests for crediting (DESIGN §9): order never matters, splitting a job changes
nothing, adding a job never lowers credited time, credited time never exceeds calendar
time and is never negative.

Checked twice: on credit_intervals() (against a day-by-day reference count) and on
credit()/evaluate() with the real rule rules/la-1213.yaml and random work histories.
"""

import datetime as dt
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from eligibility import evaluate, load_rules, parse_candidates
from eligibility.credit import credit, credit_intervals
from eligibility.dates import days_in_month, months_between

from conftest import RULES

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOL = 1e-6
COUNTINGS = ["exact", "fifteen_days", "whole_months"]
FIRST, LAST = dt.date(2000, 1, 1), dt.date(2024, 12, 31)

# ------------------------------------------------------------ strategies

dates = st.dates(min_value=FIRST, max_value=LAST)
rates = st.integers(min_value=1, max_value=80).map(lambda h: min(1.0, h / 40))


@st.composite
def intervals(draw, max_days=3000):
    start = draw(dates)
    end = min(LAST, start + dt.timedelta(days=draw(st.integers(0, max_days))))
    return start, end, draw(rates)


interval_lists = st.lists(intervals(), min_size=0, max_size=8)


def split_interval(ivs, k, offset):
    """Split interval k into two consecutive pieces after ``offset`` days."""
    s, e, r = ivs[k]
    d = s + dt.timedelta(days=offset % (e - s).days)
    return ivs[:k] + [(s, d, r), (d + dt.timedelta(days=1), e, r)] + ivs[k + 1:]


def reference(ivs, counting="exact"):
    """Day by day: each day's rate is the sum of its jobs' rates capped at 1."""
    daily: dict[dt.date, float] = defaultdict(float)
    for s, e, r in ivs:
        for n in range((e - s).days + 1):
            daily[s + dt.timedelta(days=n)] += r
    if counting == "exact":
        return sum(min(1.0, v) / days_in_month(d.year, d.month) for d, v in daily.items())
    per_month: dict[tuple, float] = defaultdict(float)
    for d, v in daily.items():
        per_month[(d.year, d.month)] += min(1.0, v)
    if counting == "fifteen_days":
        return float(sum(1 for v in per_month.values() if v >= 15 - 1e-9))
    return float(sum(1 for (y, m), v in per_month.items() if v >= days_in_month(y, m) - 1e-9))


# ------------------------------------------------- credit_intervals level

@SETTINGS
@given(interval_lists, st.sampled_from(COUNTINGS))
def test_intervals_match_day_by_day_reference(ivs, counting):
    total, shares = credit_intervals(ivs, counting)
    assert total == pytest.approx(reference(ivs, counting), abs=TOL)
    assert sum(shares) == pytest.approx(total, abs=TOL)
    assert all(s >= -TOL for s in shares)


@SETTINGS
@given(interval_lists, st.randoms(use_true_random=False), st.sampled_from(COUNTINGS))
def test_intervals_order_never_matters(ivs, rnd, counting):
    order = list(range(len(ivs)))
    rnd.shuffle(order)
    total, shares = credit_intervals(ivs, counting)
    total2, shares2 = credit_intervals([ivs[i] for i in order], counting)
    assert total2 == pytest.approx(total, abs=TOL)
    assert shares2 == pytest.approx([shares[i] for i in order], abs=TOL)


@SETTINGS
@given(interval_lists, st.integers(min_value=0), st.integers(min_value=0), st.sampled_from(COUNTINGS))
def test_intervals_splitting_changes_nothing(ivs, which, offset, counting):
    candidates = [k for k, (s, e, _) in enumerate(ivs) if e > s]
    assume(candidates)
    k = candidates[which % len(candidates)]
    assert credit_intervals(split_interval(ivs, k, offset), counting)[0] == \
        pytest.approx(credit_intervals(ivs, counting)[0], abs=TOL)


@SETTINGS
@given(interval_lists, intervals(), st.sampled_from(COUNTINGS))
def test_intervals_adding_never_lowers(ivs, extra, counting):
    assert credit_intervals(ivs + [extra], counting)[0] >= credit_intervals(ivs, counting)[0] - TOL


@SETTINGS
@given(interval_lists, st.sampled_from(["exact", "whole_months"]))
def test_intervals_never_exceed_calendar_time(ivs, counting):
    total, _ = credit_intervals(ivs, counting)
    assert total >= 0
    if ivs:
        span = months_between(min(s for s, _, _ in ivs), max(e for _, e, _ in ivs))
        assert total <= span + TOL
        # nor the calendar time actually covered by some job
        assert total <= reference([(s, e, 1.0) for s, e, _ in ivs]) + TOL


@SETTINGS
@given(interval_lists)
def test_fifteen_day_months_never_exceed_months_touched(ivs):
    total, _ = credit_intervals(ivs, "fifteen_days")
    touched = {(s + dt.timedelta(days=n)).replace(day=1) for s, e, _ in ivs for n in range((e - s).days + 1)}
    assert 0 <= total <= len(touched)


# -------------------------------------------- credit() / evaluate() level
#
# rules/la-1213.yaml has dated versions (2008: 24 months of listed City service;
# 2017: the same, for current City employees, with a may-file window).  The
# properties hold for every experience requirement of whichever version is in
# force on the generated as-of date.

BOOK = load_rules(RULES)
LA1213 = BOOK.get("la-1213")
FIRST_IN_FORCE = min(v.effective_from for v in LA1213.spec.versions)
EMPLOYERS = ["City of Los Angeles", "LADWP", "Department of Water and Power", "County of Los Angeles", "Acme Corp"]
TITLES = ["Customer Service Representative", "Sr. Commercial Field Rep", "Water Service Representative",
          "Electric Service Representative", "Senior Clerk Typist", "Cashier", "Customer Service Supervisor"]


@st.composite
def jobs(draw):
    start = draw(dates)
    end = draw(st.one_of(st.none(), st.integers(0, 4000).map(lambda n: min(LAST, start + dt.timedelta(days=n)))))
    job = {"employer": draw(st.sampled_from(EMPLOYERS)), "title": draw(st.sampled_from(TITLES)),
           "start": start.isoformat(), "end": end.isoformat() if end else None,
           "hours_per_week": draw(st.one_of(st.integers(1, 80), st.just(None))) if draw(st.booleans())
           else draw(st.integers(1, 80)),
           "paid": draw(st.sampled_from([True, True, True, False]))}
    if draw(st.integers(0, 19)) == 0:
        job["start"] = None  # now and then a job with no start date
    return job


job_lists = st.lists(jobs(), min_size=0, max_size=6)
as_of_dates = st.dates(min_value=FIRST_IN_FORCE, max_value=dt.date(2025, 6, 30)).filter(
    lambda day: any(v.in_force(day) for v in LA1213.spec.versions))
policies = st.sampled_from(COUNTINGS).map(lambda c: LA1213.policy.model_copy(update={"month_counting": c}))


def candidate(job_list, cid="P-1"):
    return parse_candidates({"id": cid, "employment": job_list})[0]


def measure(job_list, as_of, policy=None):
    """{experience node: (credited months, potential months)} on ``as_of``."""
    version = LA1213.version_for(as_of)
    facts = credit(candidate(job_list), version, policy or LA1213.policy, LA1213.vocabulary, as_of)
    found = {n.node: (n.value, n.potential) for n in facts.nodes if n.kind == "experience"}
    assert found, "la-1213 has an experience requirement"
    return found


def assert_same(a, b):
    assert a.keys() == b.keys()
    for node in a:
        assert b[node] == pytest.approx(a[node], abs=TOL), node


def split_job(job_list, which, offset):
    """Split one dated job into two consecutive entries; None if no job can be split."""
    splittable = []
    for k, job in enumerate(job_list):
        if job["start"]:
            start = dt.date.fromisoformat(job["start"])
            end = dt.date.fromisoformat(job["end"]) if job["end"] else LAST
            if end > start:
                splittable.append((k, start, end))
    if not splittable:
        return None
    k, start, end = splittable[which % len(splittable)]
    cut = start + dt.timedelta(days=offset % (end - start).days)
    first = dict(job_list[k], end=cut.isoformat())
    second = dict(job_list[k], start=(cut + dt.timedelta(days=1)).isoformat())
    return job_list[:k] + [first, second] + job_list[k + 1:]


@SETTINGS
@given(job_lists, as_of_dates, st.randoms(use_true_random=False), policies)
def test_credit_order_never_matters(job_list, as_of, rnd, policy):
    shuffled = list(job_list)
    rnd.shuffle(shuffled)
    assert_same(measure(job_list, as_of, policy), measure(shuffled, as_of, policy))


@SETTINGS
@given(job_lists, as_of_dates, st.integers(min_value=0), st.integers(min_value=0), policies)
def test_credit_splitting_a_job_changes_nothing(job_list, as_of, which, offset, policy):
    split = split_job(job_list, which, offset)
    assume(split is not None)
    assert_same(measure(job_list, as_of, policy), measure(split, as_of, policy))


@SETTINGS
@given(job_lists, jobs(), as_of_dates, policies)
def test_credit_adding_a_job_never_lowers(job_list, extra, as_of, policy):
    before = measure(job_list, as_of, policy)
    after = measure(job_list + [extra], as_of, policy)
    for node, (value, potential) in before.items():
        assert after[node][0] >= value - TOL
        assert after[node][1] >= potential - TOL


@SETTINGS
@given(job_lists, as_of_dates, st.sampled_from(["exact", "whole_months"]))
def test_credit_never_exceeds_calendar_time_and_is_never_negative(job_list, as_of, counting):
    policy = LA1213.policy.model_copy(update={"month_counting": counting})
    starts = [dt.date.fromisoformat(j["start"]) for j in job_list if j["start"]]
    calendar = months_between(min(starts), as_of) if starts else 0.0
    for value, potential in measure(job_list, as_of, policy).values():
        assert value >= 0
        assert potential >= value - TOL
        assert value <= calendar + TOL


# evaluate(): the determination carries the same numbers, and the status follows them

# a node's outcome only moves up as credited time grows, so the status does too
STATUS_ORDER = {"not_qualified": 0, "review": 1, "conditional": 2, "qualified": 3}


def judge(job_list, as_of):
    d = evaluate(candidate(job_list), LA1213, as_of)
    found = {r.node: r.found for p in d.paths for r in p.requirements if r.type == "experience"}
    return d.status, found


@SETTINGS
@given(job_lists, as_of_dates, st.randoms(use_true_random=False))
def test_evaluate_order_never_matters(job_list, as_of, rnd):
    shuffled = list(job_list)
    rnd.shuffle(shuffled)
    status, found = judge(job_list, as_of)
    status2, found2 = judge(shuffled, as_of)
    assert status2 == status
    assert found2 == pytest.approx(found, abs=1e-3)
    assert found == pytest.approx({node: v for node, (v, _) in measure(job_list, as_of).items()}, abs=1e-3)


@SETTINGS
@given(job_lists, as_of_dates, st.integers(min_value=0), st.integers(min_value=0))
def test_evaluate_splitting_a_job_changes_nothing(job_list, as_of, which, offset):
    split = split_job(job_list, which, offset)
    assume(split is not None)
    status, found = judge(job_list, as_of)
    status2, found2 = judge(split, as_of)
    assert status2 == status
    assert found2 == pytest.approx(found, abs=1e-3)


@SETTINGS
@given(job_lists, jobs(), as_of_dates)
def test_evaluate_adding_a_job_never_lowers(job_list, extra, as_of):
    status, found = judge(job_list, as_of)
    status2, found2 = judge(job_list + [extra], as_of)
    assert STATUS_ORDER[status2] >= STATUS_ORDER[status]
    for node, months in found.items():
        assert found2[node] >= months - 1e-3


@SETTINGS
@given(job_lists, as_of_dates)
def test_evaluate_credited_time_is_bounded(job_list, as_of):
    _, found = judge(job_list, as_of)
    starts = [dt.date.fromisoformat(j["start"]) for j in job_list if j["start"]]
    calendar = months_between(min(starts), as_of) if starts else 0.0
    for months in found.values():
        assert 0 <= months <= calendar + 1e-3

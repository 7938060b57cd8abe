"""Crediting experience (DESIGN §6): the arithmetic, and the same rules seen through evaluate().

The evaluate() cases are candidate files in tests/data/candidates/crediting/
with their expected results in expected.yaml, run against rules/la-1213 at
as-of dates where its 2008 version is in force (24 months of City of Los
Angeles experience in listed titles, no may-file window).
"""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from eligibility import evaluate, explain, load_file, load_rules, parse_candidates
from eligibility.credit import credit, credit_intervals
from eligibility.dates import date_at_coord, month_coord, months_between

from conftest import RULES

D = dt.date
CREDITING = Path(__file__).resolve().parent / "data" / "candidates" / "crediting"
EXPECTED = yaml.safe_load((CREDITING / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def la1213():
    return load_rules(RULES).get("la-1213")


def experience(d):
    """The one top-level experience requirement of la-1213."""
    (req,) = [r for p in d.paths for r in p.requirements if r.type == "experience" and r.parent is None]
    return req


def job_evidence(req, label: str):
    hits = [e for e in req.evidence if e.item.startswith(label + ":")]
    assert len(hits) == 1, [e.item for e in req.evidence]
    return hits[0]


# ------------------------------------------------------- credit_intervals

def test_a_calendar_year_is_exactly_twelve_months():
    assert credit_intervals([(D(2023, 1, 1), D(2023, 12, 31), 1.0)])[0] == pytest.approx(12, abs=1e-9)


@pytest.mark.parametrize("start,end,months", [
    (D(2023, 2, 1), D(2023, 2, 28), 1),
    (D(2024, 2, 1), D(2024, 2, 29), 1),        # leap February is still one month
    (D(2023, 1, 15), D(2023, 2, 14), 17 / 31 + 14 / 28),  # not one month: days are fractions of their month
    (D(2023, 3, 1), D(2023, 3, 1), 1 / 31),    # one day, inclusive
    (D(2021, 3, 1), D(2023, 2, 28), 24),
    (D(2023, 1, 1), D(2023, 1, 16), 16 / 31),
])
def test_calendar_durations(start, end, months):
    assert credit_intervals([(start, end, 1.0)])[0] == pytest.approx(months, abs=1e-9)
    assert months_between(start, end) == pytest.approx(months, abs=1e-9)


def test_part_time_is_pro_rata():
    assert credit_intervals([(D(2023, 1, 1), D(2023, 12, 31), 0.5)])[0] == pytest.approx(6)


def test_overlapping_full_time_jobs_count_calendar_time_once():
    total, shares = credit_intervals([(D(2014, 1, 1), D(2015, 12, 31), 1.0), (D(2015, 1, 1), D(2016, 6, 30), 1.0)])
    assert total == pytest.approx(30)
    assert sum(shares) == pytest.approx(total)
    assert shares == pytest.approx([18, 12])  # the shared year is split evenly


def test_identical_full_time_jobs_count_once():
    iv = (D(2020, 1, 1), D(2020, 12, 31), 1.0)
    assert credit_intervals([iv, iv, iv])[0] == pytest.approx(12)


def test_two_half_time_jobs_side_by_side_are_full_time():
    total, shares = credit_intervals([(D(2020, 1, 1), D(2020, 12, 31), 0.5), (D(2020, 1, 1), D(2020, 12, 31), 0.5)])
    assert total == pytest.approx(12)
    assert shares == pytest.approx([6, 6])


def test_concurrent_part_time_hours_add_up_and_are_capped():
    year = (D(2020, 1, 1), D(2020, 12, 31))
    assert credit_intervals([(*year, 0.5), (*year, 0.25)])[0] == pytest.approx(9)
    assert credit_intervals([(*year, 0.75), (*year, 0.75)])[0] == pytest.approx(12)


def test_partial_overlap_of_part_time_jobs():
    # Jan–Jun half time alone, Jul–Dec half + half = full, next Jan–Jun half time alone
    total, shares = credit_intervals([(D(2020, 1, 1), D(2020, 12, 31), 0.5), (D(2020, 7, 1), D(2021, 6, 30), 0.5)])
    assert total == pytest.approx(3 + 6 + 3)
    assert shares == pytest.approx([6, 6])


def test_gaps_are_not_credited():
    total, _ = credit_intervals([(D(2020, 1, 1), D(2020, 3, 31), 1.0), (D(2021, 1, 1), D(2021, 3, 31), 1.0)])
    assert total == pytest.approx(6)


def test_no_intervals():
    assert credit_intervals([]) == (0.0, [])


def test_fifteen_day_months():
    # 15 days worked in January count a month; 14 days in February do not
    total, shares = credit_intervals([(D(2023, 1, 17), D(2023, 1, 31), 1.0), (D(2023, 2, 1), D(2023, 2, 14), 1.0)],
                                     "fifteen_days")
    assert total == 1
    assert sum(shares) == pytest.approx(total)
    # two half-time jobs make 15 full-time days together
    assert credit_intervals([(D(2023, 3, 1), D(2023, 3, 15), 0.5), (D(2023, 3, 1), D(2023, 3, 15), 0.5)],
                            "fifteen_days")[0] == 1


def test_whole_months_only():
    total, _ = credit_intervals([(D(2023, 1, 2), D(2023, 3, 31), 1.0)], "whole_months")
    assert total == 2  # January lacks a day
    assert credit_intervals([(D(2023, 1, 1), D(2023, 12, 31), 0.5)], "whole_months")[0] == 0


def test_month_axis_round_trip():
    for day in (D(2016, 12, 31), D(2024, 2, 29), D(2023, 1, 1), D(2023, 7, 15)):
        end_of_day = month_coord(day + dt.timedelta(days=1))
        assert date_at_coord(end_of_day) == day


# ----------------------------------------------------- through evaluate()

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_crediting_case(name, la1213):
    want = EXPECTED[name]
    (cand,) = load_file(CREDITING / name)
    d = evaluate(cand, la1213, want["as_of"])
    text = explain(d)
    req = experience(d)
    assert d.status == want["status"], text
    assert req.found == pytest.approx(want["found"], abs=0.005), text
    assert req.shortfall == pytest.approx(max(0, 24 - want["found"]), abs=0.005), text
    if "earliest" in want:
        assert d.earliest_qualifying_date == want["earliest"], text
    for label, fragment in want.get("not_counted", {}).items():
        ev = job_evidence(req, label)
        assert not ev.counted and fragment in ev.reason, text
        assert fragment in text
    counted_notes = " ".join(e.reason or "" for e in req.evidence if e.counted)
    for fragment in want.get("notes", []):
        assert fragment in counted_notes, text
    for fragment in want.get("checks", []):
        assert any(fragment in c for c in d.analyst_checks), text
    # the credited jobs' months add up to the total, whatever overlaps
    assert sum(e.months for e in req.evidence if e.counted) == pytest.approx(req.found, abs=0.01)


def test_every_crediting_file_has_an_expectation():
    assert {p.name for p in CREDITING.glob("*.yaml")} - {"expected.yaml"} == set(EXPECTED)


def test_earliest_qualifying_date_is_exact(la1213):
    """City CSR since 2015-01-01: 18 months on 2016-06-30, qualified on 2016-12-31 and not a day before."""
    (cand,) = load_file(CREDITING / "current-job.yaml")
    d = evaluate(cand, la1213, D(2016, 6, 30))
    assert experience(d).found == pytest.approx(18)
    assert d.earliest_qualifying_date == D(2016, 12, 31)
    assert "2016-12-31" in explain(d)
    assert evaluate(cand, la1213, D(2016, 12, 30)).status == "not_qualified"
    later = evaluate(cand, la1213, D(2016, 12, 31))
    assert later.status == "qualified" and experience(later).found == pytest.approx(24)
    assert later.earliest_qualifying_date is None


def test_earliest_date_for_part_time_is_exact(la1213):
    """Half time since 2015-01-01: 24 months are reached on 2018-12-31 (whatever version is then in force)."""
    (cand,) = load_file(CREDITING / "current-half-time.yaml")
    assert not experience(evaluate(cand, la1213, D(2018, 12, 30))).met
    assert experience(evaluate(cand, la1213, D(2018, 12, 31))).met


@pytest.mark.parametrize("end,earliest", [
    ("2016-09-30", None),                 # stops three months on: 21 months, never 24
    ("2016-12-31", D(2016, 12, 31)),      # stops the very day the 24 months are complete
    ("2018-12-31", D(2016, 12, 31)),
])
def test_projection_respects_a_stated_future_end(la1213, end, earliest):
    """A job still running on the as-of date goes on only until the end the applicant gave."""
    (cand,) = parse_candidates({"id": "F-1", "employment": [
        {"employer": "City of Los Angeles", "title": "Customer Service Representative", "start": "2015-01-01",
         "end": end}]})
    d = evaluate(cand, la1213, D(2016, 6, 30))
    assert d.earliest_qualifying_date == earliest
    if earliest:
        assert evaluate(cand, la1213, earliest).status == "qualified"


def test_no_projection_without_a_current_job(la1213):
    (cand,) = load_file(CREDITING / "full-year.yaml")
    d = evaluate(cand, la1213, D(2024, 6, 30))
    assert d.earliest_qualifying_date is None
    assert "No qualifying date can be projected" in explain(d)


def test_current_job_runs_to_the_as_of_date(la1213):
    (cand,) = load_file(CREDITING / "current-job.yaml")
    for as_of, months in [(D(2015, 1, 31), 1), (D(2015, 12, 31), 12), (D(2020, 12, 31), 72)]:
        assert experience(evaluate(cand, la1213, as_of)).found == pytest.approx(months)


def test_job_starting_on_the_as_of_date_counts_one_day(la1213):
    cand = parse_candidates({"id": "D1", "employment": [
        {"employer": "City of Los Angeles", "title": "Customer Service Representative", "start": "2016-06-30"}]})[0]
    assert experience(evaluate(cand, la1213, D(2016, 6, 30))).found == pytest.approx(1 / 30, abs=1e-4)


def test_review_reason_names_what_is_missing(la1213):
    for name, cause in [("missing-start.yaml", "no start date"), ("missing-hours.yaml", "hours per week not given")]:
        (cand,) = load_file(CREDITING / name)
        d = evaluate(cand, la1213, D(2016, 6, 30))
        assert d.status == "review"
        assert d.review_reasons and cause in d.review_reasons[0]
        assert experience(d).outcome == "review"


def test_missing_hours_potential_is_full_time(la1213):
    """An entry with unknown hours could at most be full time: that bounds the review."""
    (cand,) = load_file(CREDITING / "missing-hours-cannot-matter.yaml")
    version = la1213.version_for(D(2016, 6, 30))
    (facts,) = credit(cand, version, la1213.policy, la1213.vocabulary, D(2016, 6, 30)).nodes
    assert facts.value == pytest.approx(10)
    assert facts.potential == pytest.approx(16)


def test_rounding_is_stated_in_every_explanation(la1213):
    (cand,) = load_file(CREDITING / "half-time-year.yaml")
    d = evaluate(cand, la1213, D(2024, 6, 30))
    assert "How time is counted: Months are calendar months" in explain(d)

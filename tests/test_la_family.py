"""The City of Los Angeles customer-service family (issue 7).

Ten classes from real bulletins, two of them with dated versions; the rule
files' own examples test each path and each way to fail (test_examples.py).
Here: which version an as-of date picks, that the files quote their bulletins,
the promotion ladders of three sample employees across the family, and the
rule-language features the family needed, at the edges the examples do not
reach (projected dates, table semantics).
"""

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from eligibility import evaluate, load_file, parse_candidates
from eligibility.credit import credit
from eligibility.spec import ClassLevel

from conftest import ROOT

FAMILY = ["la-1202", "la-1213", "la-1223", "la-1229", "la-1230", "la-1358", "la-1368", "la-1600", "la-1602",
          "la-1603"]
CORPUS = ROOT.parent / "shared" / "corpus" / "la-bulletins"
LADDER = ROOT / "candidates" / "ladder"
DAY = dt.timedelta(days=1)


def one(data: dict):
    return parse_candidates(data, source="test")[0]


def job(title, start, end=None, **extra):
    return {"employer": "City of Los Angeles", "department": "Department of Water and Power", "title": title,
            "start": start, "end": end, **extra}


# ------------------------------------------------------------- versions

@pytest.mark.parametrize("class_id,last_day,old,new", [
    ("la-1230", dt.date(2018, 2, 8), "1998-06-16", "2018-02-09"),
    ("la-1213", dt.date(2017, 6, 15), "2008-03-13", "2017-06-16"),
])
def test_the_as_of_date_picks_the_version_in_force(book, class_id, last_day, old, new):
    loaded = book.get(class_id)
    assert loaded.version_for(last_day).version == old
    assert loaded.version_for(last_day + DAY).version == new
    assert loaded.version_for(dt.date(2030, 1, 1)).version == new


def test_1230_a_city_clerk_qualifies_under_1998_and_not_under_2018(book):
    clerk = one({"id": "V-1", "employment": [
        {"employer": "City of Los Angeles", "title": "Clerk Typist", "start": "2016-01-04",
         "experience": ["office clerical"]}]})
    before = evaluate(clerk, book.get("la-1230"), dt.date(2018, 2, 8))
    after = evaluate(clerk, book.get("la-1230"), dt.date(2018, 2, 9))
    assert (before.status, before.rule.version) == ("qualified", "1998-06-16")
    assert (after.status, after.rule.version) == ("not_qualified", "2018-02-09")
    assert before.rule.effective_to == dt.date(2018, 2, 8) and after.rule.effective_from == dt.date(2018, 2, 9)


def test_1230_a_call_center_agent_outside_the_city_qualifies_only_under_2018(book):
    agent = one({"id": "V-2", "employment": [
        {"employer": "Spectrum", "title": "Call Center Agent", "start": "2014-01-06",
         "experience": ["processing customer requests"]}]})
    assert evaluate(agent, book.get("la-1230"), dt.date(2018, 2, 8)).status == "not_qualified"
    assert evaluate(agent, book.get("la-1230"), dt.date(2018, 2, 9)).status == "qualified"


def test_1213_the_2017_bulletin_adds_the_may_file_window(book):
    csr = one({"id": "V-3", "employment": [job("Customer Service Representative", "2015-10-01")]})
    before = evaluate(csr, book.get("la-1213"), dt.date(2017, 6, 15))
    after = evaluate(csr, book.get("la-1213"), dt.date(2017, 6, 16))
    assert (before.status, before.appointable_from) == ("not_qualified", None)
    assert before.earliest_qualifying_date == dt.date(2017, 9, 30)
    assert (after.status, after.appointable_from) == ("conditional", dt.date(2017, 9, 30))


def test_seed_examples_stay_inside_the_seed_versions(book):
    for class_id in ("la-1213", "la-1230"):
        seed = book.get(class_id).spec.versions[0]
        assert seed.effective_to is not None
        assert seed.examples and all(seed.in_force(e.as_of) for e in seed.examples)


# ------------------------------------------------------- the bulletins

def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the bulletin corpus is not beside the project")
@pytest.mark.parametrize("class_id", FAMILY)
def test_each_version_cites_its_bulletin_and_quotes_it(book, class_id):
    spec = book.get(class_id).spec
    latest = max(spec.versions, key=lambda v: v.effective_from)
    name = latest.source.document.split("la-bulletins/", 1)[1]
    raw = (CORPUS / name).read_bytes().decode("utf-8")
    assert "\r\n" in raw  # the corpus as published, CRLF
    bulletin = _flat(raw)
    opened = re.search(r"Open Date:\s*(\d\d)-(\d\d)-(\d\d)", bulletin)
    month, day, year = (int(g) for g in opened.groups())
    assert latest.effective_from == latest.source.date == dt.date(2000 + year, month, day)
    assert f"Class Code: {spec.class_code}" in bulletin
    for paragraph in latest.mq_text.split("\n\n"):
        assert _flat(paragraph) in bulletin, paragraph
    if latest.may_file:
        assert _flat(latest.may_file.text) in bulletin


# --------------------------------------------------------------- ladders

AS_OF = dt.date(2019, 3, 29)  # every version of the family is in force

LADDERS = {
    "field-meter-reader-to-supervisor.yaml": {
        "la-1600": ("qualified", None), "la-1602": ("qualified", None),
        "la-1603": ("conditional", dt.date(2019, 6, 30)), "la-1213": ("qualified", None),
        "la-1202": ("not_qualified", None), "la-1368": ("not_qualified", None),
        "la-1358": ("not_qualified", None), "la-1223": ("not_qualified", None),
        "la-1230": ("not_qualified", None), "la-1229": ("not_qualified", dt.date(2019, 6, 30)),
    },
    "clerk-to-principal-clerk-utility.yaml": {
        "la-1358": ("qualified", None), "la-1368": ("qualified", None),
        "la-1202": ("conditional", dt.date(2019, 5, 31)), "la-1600": ("conditional", dt.date(2019, 5, 31)),
        "la-1602": ("not_qualified", None), "la-1603": ("not_qualified", None),
        "la-1213": ("not_qualified", None), "la-1223": ("not_qualified", None),
        "la-1229": ("not_qualified", None), "la-1230": ("not_qualified", None),
    },
    "csr-to-commercial-service-supervisor.yaml": {
        "la-1213": ("qualified", None), "la-1202": ("qualified", None), "la-1600": ("qualified", None),
        "la-1230": ("qualified", None), "la-1229": ("qualified", None),
        "la-1603": ("not_qualified", dt.date(2019, 12, 31)), "la-1602": ("not_qualified", None),
        "la-1368": ("not_qualified", None), "la-1358": ("not_qualified", None),
        "la-1223": ("not_qualified", None),
    },
}


@pytest.mark.parametrize("file", sorted(LADDERS))
def test_ladder_candidate_against_every_class(book, file):
    candidate = load_file(LADDER / file)[0]
    results = {cid: evaluate(candidate, loaded, AS_OF) for cid, loaded in sorted(book.classes.items())}
    assert set(FAMILY) <= set(results)
    for cid, (status, date) in LADDERS[file].items():
        d = results[cid]
        assert d.status == status, f"{cid}: {d.reason}"
        got = d.appointable_from if status == "conditional" else d.earliest_qualifying_date
        assert got == date, f"{cid}: {d.reason}"
        if status == "conditional":
            # admitted now, appointable on the date given, and not the day before
            assert evaluate(candidate, book.get(cid), date).status == "qualified"
            assert evaluate(candidate, book.get(cid), date - DAY).status == "conditional"


def test_the_field_ladder_climbs_one_rung_at_a_time(book):
    """Meter Reader -> CFR -> Senior CFR -> Commercial Field Supervisor: each rung opens in turn."""
    candidate = load_file(LADDER / "field-meter-reader-to-supervisor.yaml")[0]
    rungs = [("la-1600", "meter-reader-or-csr"), ("la-1602", "field-representative"),
             ("la-1603", "senior-field-representative")]
    for cid, path in rungs:
        d = evaluate(candidate, book.get(cid), AS_OF)
        assert d.path == path
    top = evaluate(candidate, book.get("la-1603"), dt.date(2019, 6, 30))
    assert top.status == "qualified" and top.rule.version == "2016-12-16"


# ---------------------------------------------- language at the edges

def test_hours_alternative_brings_the_projected_date_forward(book):
    """Half time toward 'six months or 960 hours': 960 hours come before six full-time months."""
    loaded = book.get("la-1229")
    cand = one({"id": "H-1", "employment": [
        {"employer": "City of Los Angeles", "department": "Office of Finance", "title": "Tax Renewal Assistant",
         "start": "2018-06-01", "hours_per_week": 20, "experience": ["business tax processing"]}],
        "training": [{"subject": "Business Tax Ordinance", "completed": "2018-05-20"}]})
    d = evaluate(cand, loaded, dt.date(2018, 11, 2))
    when = d.earliest_qualifying_date
    assert d.status == "not_qualified" and when is not None
    later = evaluate(cand, loaded, when)
    assert later.status == "qualified"
    node = next(r for p in later.paths for r in p.requirements if r.node == "office-of-finance.experience")
    assert node.found < 6 and node.found_hours >= 960
    assert evaluate(cand, loaded, when - DAY).status == "not_qualified"


def test_substituted_months_bring_the_appointable_date_forward(book):
    loaded = book.get("la-1223")
    cand = one({"id": "S-1", "employment": [
        {"employer": "Union Bank", "title": "Accounts Receivable Clerk", "start": "2017-07-01",
         "experience": ["office clerical", "clerical accounting"]}],
        "education": [{"level": "college_units", "field": "Accounting", "units": 6, "completed": "2016-06-01"}]})
    d = evaluate(cand, loaded, dt.date(2018, 8, 31))  # 14 months worked + 6 substituted = 20
    assert d.status == "conditional"
    assert d.appointable_from == dt.date(2018, 12, 31)
    assert evaluate(cand, loaded, d.appointable_from).status == "qualified"


def test_an_incomplete_class_level_table_sends_unlisted_classes_to_review(book):
    loaded = book.get("la-1202")
    table = loaded.policy.class_levels["senior-administrative-clerk"]
    assert isinstance(table, ClassLevel) and not table.complete
    cand = one({"id": "L-1", "employment": [
        {"employer": "City of Los Angeles", "title": "Payroll Clerk", "start": "2015-01-05",
         "experience": ["office clerical"]}]})
    d = evaluate(cand, loaded, dt.date(2018, 11, 2))
    assert d.status == "review"
    assert any("table of class levels does not list it" in r for r in d.review_reasons)


def _with_levels(loaded, levels):
    policy = loaded.policy.model_copy(update={"class_levels": levels})
    return dataclasses.replace(loaded, policy=policy)


def test_a_plain_list_is_a_complete_table(book):
    loaded = _with_levels(book.get("la-1202"), {"senior-administrative-clerk": ["1368", "Senior Administrative Clerk"]})
    cand = one({"id": "L-2", "employment": [
        {"employer": "City of Los Angeles", "title": "Payroll Clerk", "start": "2015-01-05",
         "experience": ["office clerical"]}]})
    version = loaded.version_for(dt.date(2018, 11, 2))
    facts = credit(cand, version, loaded.policy, loaded.vocabulary, dt.date(2018, 11, 2))
    node = next(n for n in facts.nodes if n.node == "senior-clerk.experience")
    assert node.value == 0 and node.potential == 0
    assert "is not at the level of senior administrative clerk" in node.evidence[0].reason


def test_without_a_table_the_level_goes_to_an_analyst(book):
    loaded = _with_levels(book.get("la-1202"), {})
    cand = one({"id": "L-3", "employment": [
        {"employer": "City of Los Angeles", "title": "Administrative Clerk", "class_code": "1358",
         "start": "2013-01-07", "experience": ["office clerical"]}]})
    version = loaded.version_for(dt.date(2018, 11, 2))
    facts = credit(cand, version, loaded.policy, loaded.vocabulary, dt.date(2018, 11, 2))
    node = next(n for n in facts.nodes if n.node == "senior-clerk.experience")
    assert node.value == 0 and node.potential >= 24
    assert "does not cover that level" in node.evidence[0].reason


def test_a_definite_reason_wins_over_an_open_level_question(book):
    """A class the table does not list is not sent to an analyst when the job fails another filter anyway."""
    loaded = book.get("la-1600")
    cand = one({"id": "L-4", "employment": [
        job("Accounting Clerk", "2015-03-02", class_code="1223", experience=["clerical accounting"])]})
    d = evaluate(cand, loaded, dt.date(2019, 1, 4))
    assert d.status == "not_qualified"
    node = next(r for p in d.paths for r in p.requirements if r.node == "senior-clerk-dwp.experience")
    assert node.outcome == "not_met" and "does not show" in node.evidence[0].reason


def test_desirable_requirement_is_reported_and_never_screens(book):
    loaded = book.get("la-1358")
    base = {"employment": [{"employer": "Target", "title": "Cashier", "start": "2017-01-02",
                            "experience": ["retail sales"]}]}
    without = evaluate(one({"id": "D-1", **base}), loaded, dt.date(2018, 4, 27))
    with_ged = evaluate(one({"id": "D-2", **base, "education": [{"level": "ged"}]}), loaded, dt.date(2018, 4, 27))
    assert without.status == with_ged.status == "qualified"
    assert [n.shown for n in without.desirable] == [False]
    assert [n.shown for n in with_ged.desirable] == [True]
    assert "Education 1" in with_ged.desirable[0].detail

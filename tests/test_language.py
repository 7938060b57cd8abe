"""Rule-language extensions of issue 7, on the test-only classes in tests/data/rules_test/.

Each class there demonstrates one extension with examples (run here as
rules/ examples are run by test_examples.py); the unit tests below check
what the examples cannot: validation of the new keys, and properties of the
arithmetic.
"""

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from eligibility import evaluate, load_rules, parse_candidates
from eligibility.candidate import InputError
from eligibility.credit import credit
from eligibility.render import class_structure, mq_summary
from eligibility.spec import EducationRequirement, ExperienceRequirement, Milestone

from test_examples import check

D = dt.date
TEST_RULES = Path(__file__).resolve().parent / "data" / "rules_test"
EXTENSIONS = ("professional", "graduate", "programmer")
_book = load_rules(TEST_RULES)
CASES = [
    pytest.param(cid, example, id=f"{cid}: {example.name}")
    for cid in EXTENSIONS
    for version in _book.get(cid).spec.versions
    for example in version.examples
]


@pytest.mark.parametrize("cid,example", CASES)
def test_example(cid, example):
    candidate = parse_candidates(example.candidate, source=example.name)[0]
    check(evaluate(candidate, _book.get(cid), example.as_of), example.expect)


@pytest.mark.parametrize("cid", EXTENSIONS)
def test_every_path_has_a_passing_example_and_there_is_a_failing_one(cid):
    for version in _book.get(cid).spec.versions:
        passed = {e.expect.path for e in version.examples if e.expect.status == "qualified"}
        assert passed >= {p.id for p in version.paths}
        assert any(e.expect.status == "not_qualified" for e in version.examples)


# ------------------------------------------------------------ after: a milestone

def test_a_milestone_needs_exactly_one_thing():
    with pytest.raises(ValidationError, match="exactly one of education, license or training"):
        Milestone.model_validate({})
    with pytest.raises(ValidationError, match="exactly one"):
        Milestone.model_validate({"education": {"min_level": "bachelor"}, "license": {"kind": "other"}})
    with pytest.raises(ValidationError, match="while_held"):
        Milestone.model_validate({"education": {"min_level": "bachelor"}, "while_held": True})
    with pytest.raises(ValidationError, match="extra"):
        Milestone.model_validate({"education": {"min_level": "bachelor", "year": 4}})


def test_after_is_a_key_of_every_job_filter():
    req = ExperienceRequirement.model_validate({
        "id": "x", "type": "experience", "months": 12,
        "any_of": [{"employers": ["a"]}, {"after": {"training": {"subjects": ["apprenticeship"]}}}],
        "of_which": [{"id": "y", "type": "experience", "months": 6,
                      "after": {"license": {"kind": "other", "name": "EIT"}}}]})
    assert req.any_of[1].after.training.subjects == ["apprenticeship"]
    assert req.of_which[0].after.license.name == "EIT"


def test_licence_issue_date_is_read_and_checked():
    cand = parse_candidates({"id": "L-1", "licenses": [{"kind": "other", "name": "EIT", "issued": "2020-03"}]})[0]
    assert cand.licenses[0].issued == D(2020, 3, 31)  # a partial date: the end of the month, never too early
    with pytest.raises(InputError, match="expires 2019-01-01 is before issued 2020-01-01"):
        parse_candidates({"id": "L-2", "licenses": [{"kind": "other", "issued": "2020-01-01",
                                                     "expires": "2019-01-01"}]})


def test_the_class_view_and_summary_say_when_experience_counts():
    loaded = _book.get("professional")
    shown = class_structure(loaded, D(2022, 6, 30))
    assert "counts only after a bachelor's degree (from the day it was completed" in shown
    assert "counts only while holding a Grade 2 operator certificate (from its issue date to its expiry" in shown
    summary = mq_summary(loaded.spec.versions[0], loaded.policy)
    assert "with City of Testland or after a bachelor's degree" in summary
    assert "after obtaining an EIT certificate" in summary


def test_an_of_which_part_keeps_the_milestone_of_its_whole():
    """The "of which" part is measured inside the time the whole credited, after the certificate."""
    loaded = _book.get("professional")
    cand = parse_candidates({"id": "O-1", "employment": [{"employer": "Testland", "title": "Plant Operator",
                                                          "start": "2018-01-01"}],
                             "licenses": [{"kind": "other", "name": "Grade 2 operator certificate",
                                           "issued": "2021-01-01"}]})[0]
    d = evaluate(cand, loaded, D(2022, 6, 30))
    recent = next(r for p in d.paths for r in p.requirements if r.node == "operator.recent")
    assert recent.found == pytest.approx(18)  # the window alone would allow 36
    assert "only time from 2021-01-01 counts (after the Grade 2 operator certificate was obtained)" in \
        recent.evidence[0].reason


SETTINGS = settings(max_examples=60, deadline=None)
days = st.integers(min_value=0, max_value=4000)


@st.composite
def analyst_jobs(draw):
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        start = D(2012, 1, 1) + dt.timedelta(days=draw(days))
        end = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=1500)))
        out.append({"employer": draw(st.sampled_from(["Testland", "Acme Consulting"])), "title": "Analyst",
                    "start": start.isoformat(), "end": None if draw(st.booleans()) else end.isoformat(),
                    "hours_per_week": draw(st.sampled_from([20, 40]))})
    return out


def _analyst_months(jobs, degree):
    education = [{"level": "bachelor", "completed": degree.isoformat()}] if degree else []
    cand = parse_candidates({"id": "H-1", "employment": jobs, "education": education})[0]
    loaded = _book.get("professional")
    version = loaded.version_for(D(2023, 6, 30))
    facts = credit(cand, version, loaded.policy, loaded.vocabulary, D(2023, 6, 30))
    return next(n.value for n in facts.nodes if n.node == "analyst.experience")


@SETTINGS
@given(analyst_jobs(), days, days)
def test_a_later_degree_never_credits_more(jobs, a, b):
    early, late = sorted((D(2010, 1, 1) + dt.timedelta(days=a), D(2010, 1, 1) + dt.timedelta(days=b)))
    no_degree = _analyst_months(jobs, None)
    assert _analyst_months(jobs, late) <= _analyst_months(jobs, early) + 1e-9
    assert no_degree <= _analyst_months(jobs, late) + 1e-9
    # a degree before every job lets all of it count, as if every job were with the City
    assert _analyst_months(jobs, D(2009, 12, 31)) == pytest.approx(
        _analyst_months([dict(j, employer="Testland") for j in jobs], None))


# ------------------------------------------------------------ may_file on education

def test_an_education_window_needs_months_or_units():
    base = {"id": "d", "type": "education", "min_level": "bachelor"}
    with pytest.raises(ValidationError, match="within_months or units"):
        EducationRequirement.model_validate({**base, "may_file": {"text": "may apply"}})
    with pytest.raises(ValidationError, match="a may-file window in units needs a requirement in units"):
        EducationRequirement.model_validate({**base, "may_file": {"text": "may apply", "units": 8}})
    with pytest.raises(ValidationError, match="extra"):
        EducationRequirement.model_validate({**base, "may_file": {"text": "may apply", "within_months": 6,
                                                                  "semesters": 1}})


@pytest.mark.parametrize("completed,status", [
    ("2024-12-31", "conditional"),   # the last day of the six months after 2024-06-30
    ("2025-01-01", "not_qualified"),
    ("2024-07-01", "conditional"),
    ("2024-06-30", "qualified"),     # completed on the as-of date
])
def test_the_education_window_ends_with_its_last_month(completed, status):
    cand = parse_candidates({"id": "W-1", "education": [{"level": "bachelor", "field": "Engineering",
                                                         "completed": completed}]})[0]
    d = evaluate(cand, _book.get("graduate"), D(2024, 6, 30))
    assert d.status == status
    assert d.appointable_from == (D.fromisoformat(completed) if status == "conditional" else None)


def test_without_a_window_a_future_degree_still_does_not_count():
    """Classes without an education window keep reading a future date as not yet completed."""
    cand = parse_candidates({"id": "W-2", "employment": [{"employer": "Testland", "title": "Clerk",
                                                          "start": "2020-01-01"}],
                             "education": [{"level": "high_school", "completed": "2024-08-01"}]})[0]
    d = evaluate(cand, _book.get("multi"), D(2024, 6, 30))
    school = next(r for p in d.paths for r in p.requirements if r.node == "city.school")
    assert school.outcome == "not_met" and school.earliest_date is None
    assert "completed after the as-of date 2024-06-30" in school.evidence[0].reason


def test_the_class_view_and_summary_show_education_windows():
    loaded = _book.get("graduate")
    shown = " ".join(class_structure(loaded, D(2024, 6, 30)).split())
    assert "may file (conditional, not appointable before completion) when expected to complete it within 6 " \
           "months after the as-of date or lacking 12 semester units or less" in shown
    assert "60 semester units (may file 6 mo before completion or 12 units short)" in \
        mq_summary(loaded.spec.versions[0], loaded.policy)


# ------------------------------------------------------------ or_experience: experience for education

def test_experience_for_education_is_validated():
    base = {"id": "d", "type": "education", "min_level": "bachelor"}
    ok = EducationRequirement.model_validate({**base, "or_experience": {"text": "t", "months": 12, "years": 1,
                                                                         "cap_years": 2}})
    assert ok.or_experience.partial
    for bad, message in [
        ({"years": 1, "units": 30}, "in years or in units, not both"),
        ({"cap_units": 30}, "cap_years needs a rate in years"),
        ({"years": 1, "cap_units": 30}, "cap_units a rate in units"),
        ({"additional_to": "experience", "experience": {"titles": ["Clerk"]}}, "leave out 'experience'"),
        ({"per_year": 12}, "extra"),
    ]:
        with pytest.raises(ValidationError, match=message):
            EducationRequirement.model_validate({**base, "or_experience": {"text": "t", "months": 12, **bad}})
    with pytest.raises(ValidationError, match="not for master"):
        EducationRequirement.model_validate({**base, "min_level": "master",
                                             "or_experience": {"text": "t", "months": 12, "years": 1}})
    # the whole requirement, by months alone, suits any level
    EducationRequirement.model_validate({**base, "min_level": "high_school",
                                         "or_experience": {"text": "t", "months": 48}})


@pytest.mark.parametrize("months,met", [(47, False), (48, True)])
def test_year_for_year_counts_additional_experience_only(months, met):
    """24 months are the path's own requirement; the next 48 stand for the four years of a degree."""
    year, month0 = divmod(2024 * 12 + 6 - (24 + months), 12)  # that many whole months before July 2024
    start = D(year, month0 + 1, 1)
    cand = parse_candidates({"id": "Y-1", "employment": [{"employer": "Acme", "title": "Programmer",
                                                          "start": start.isoformat()}]})[0]
    d = evaluate(cand, _book.get("programmer"), D(2024, 6, 30))
    degree = next(r for p in d.paths for r in p.requirements if r.node == "degree.degree")
    experience = next(r for p in d.paths for r in p.requirements if r.node == "degree.experience")
    assert experience.found == pytest.approx(24 + months)
    assert degree.met is met and (d.status == "qualified") is met


def test_the_class_view_and_summary_show_experience_for_education():
    loaded = _book.get("programmer")
    shown = " ".join(class_structure(loaded, D(2024, 6, 30)).split())
    assert "or experience in its place: every 12 months of experience stand for 1 year of education, making up " \
           "what the education shown lacks; experience beyond what [experience] requires" in shown
    assert "48 months of experience meet the whole requirement" in shown
    summary = mq_summary(loaded.spec.versions[0], loaded.policy)
    assert "bachelor's degree (or experience at a rate)" in summary
    assert "associate degree in information systems (or experience)" in summary

"""Candidate validation (DESIGN §4): bad input gets one clear sentence naming record, field and value.

The bad files live in tests/data/candidates/bad/ with their expected messages in
expected.yaml, and run through one parametrised test.
"""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from eligibility import InputError, load_file, load_text, parse_candidates

DATA = Path(__file__).resolve().parent / "data" / "candidates"
BAD = DATA / "bad"
GOOD = DATA / "good"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def test_every_bad_file_has_an_expectation():
    files = {p.name for p in BAD.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_candidate_file(name):
    want = EXPECTED[name]
    with pytest.raises(InputError) as info:
        load_file(BAD / name)
    err = info.value
    message = str(err)
    for fragment in want["contains"]:
        assert fragment in message, f"{fragment!r} missing from {message!r}"
    if "record" in want:
        assert err.record == want["record"], message
    assert "Traceback" not in message and "pydantic" not in message.lower(), message


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if "hours" in n or "impossible" in n or "level" in n))
def test_field_and_value_attributes(name):
    """Callers (CSV error rows) get the field and the value as data, not only inside the sentence."""
    with pytest.raises(InputError) as info:
        load_file(BAD / name)
    err = info.value
    assert err.field and err.field in str(err)
    assert err.value is not None and str(err.value) in str(err)


@pytest.mark.parametrize("hours", [0, 0.5, 80.5, 200, -5])
def test_hours_outside_range(hours):
    with pytest.raises(InputError, match=r"hours_per_week.*outside 1–80"):
        parse_candidates({"id": "H", "employment": [{"employer": "X", "start": "2020-01-01", "hours_per_week": hours}]})


@pytest.mark.parametrize("hours", [1, 20, 40, 80])
def test_hours_inside_range(hours):
    cand = parse_candidates({"id": "H", "employment": [{"employer": "X", "start": "2020-01-01",
                                                          "hours_per_week": hours}]})[0]
    assert cand.employment[0].hours_per_week == hours


def test_hours_null_means_unknown_and_absent_means_full_time():
    cand = parse_candidates({"id": "H", "employment": [
        {"employer": "X", "start": "2020-01-01", "hours_per_week": None},
        {"employer": "X", "start": "2020-01-01"},
    ]})[0]
    assert [j.hours_per_week for j in cand.employment] == [None, 40]


@pytest.mark.parametrize("text", ["2020-13-45", "2021-02-30", "2021-04-31", "2023-02-29", "2021-00", "2021-13",
                                  "March 2021", "2021/03/01", "20210301"])
@pytest.mark.parametrize("fmt", ["yaml-unquoted", "yaml-quoted", "json"])
def test_impossible_or_malformed_dates(text, fmt):
    if fmt == "json":
        doc, kind = f'{{"id": "D-1", "employment": [{{"employer": "X", "start": "{text}"}}]}}', "json"
    else:
        value = text if fmt == "yaml-unquoted" else f"'{text}'"
        doc, kind = f"id: D-1\nemployment:\n  - employer: X\n    start: {value}\n", "yaml"
    with pytest.raises(InputError) as info:
        load_text(doc, source="dates.txt", fmt=kind)
    message = str(info.value)
    assert "D-1" in message and "employment[0].start" in message and text in message, message


def test_leap_day_is_a_real_date():
    cand = load_text("id: L\nemployment:\n  - {employer: X, start: 2024-02-29}\n")[0]
    assert cand.employment[0].start == dt.date(2024, 2, 29)


def test_end_before_start_names_both_dates():
    with pytest.raises(InputError) as info:
        load_file(BAD / "end-before-start.yaml")
    assert info.value.record == "C-END"
    assert info.value.field == "employment[0].end"
    assert str(info.value.value) == "2020-01-01"
    assert "field 'employment[0].end' has value" in str(info.value)


def test_same_day_start_and_end_is_allowed():
    cand = parse_candidates({"id": "S", "employment": [{"employer": "X", "start": "2020-05-01", "end": "2020-05-01"}]})
    assert cand[0].employment[0].end == dt.date(2020, 5, 1)


def test_utf8_bom_yaml_and_json_accepted():
    y = load_file(GOOD / "bom.yaml")
    j = load_file(GOOD / "bom.json")
    assert (y[0].id, y[0].name) == ("C-BOM-Y", "Zoë Bom")
    assert (j[0].id, j[0].name) == ("C-BOM-J", "Zoë Bom")
    assert (GOOD / "bom.yaml").read_bytes().startswith(b"\xef\xbb\xbf")  # the fixture really has a BOM


def test_bom_in_text_accepted():
    assert load_text("\ufeff{\"id\": \"T\"}", fmt="json")[0].id == "T"


def test_partial_dates_start_first_and_end_last_day_of_month():
    cand = load_file(GOOD / "partial-dates.yaml")[0]
    first, second = cand.employment
    assert (first.start, first.end) == (dt.date(2021, 3, 1), dt.date(2021, 3, 31))
    assert (second.start, second.end) == (dt.date(2023, 11, 1), dt.date(2024, 2, 29))  # leap year
    assert cand.education[0].completed == dt.date(2019, 6, 30)


def test_not_utf8_is_an_input_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: X\nname: Zo\xeb\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_file(path)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot be read"):
        load_file(tmp_path / "nowhere.yaml")


def test_one_candidate_a_list_or_a_candidates_key():
    one = parse_candidates({"id": "A"})
    many = parse_candidates([{"id": "A"}, {"id": "B"}])
    wrapped = parse_candidates({"candidates": [{"id": "A"}, {"id": "B"}]})
    assert [c.id for c in one] == ["A"]
    assert [c.id for c in many] == [c.id for c in wrapped] == ["A", "B"]


def test_numeric_id_is_text_and_duplicates_across_types_are_caught():
    assert parse_candidates({"id": 1001})[0].id == "1001"
    with pytest.raises(InputError, match="duplicate id"):
        parse_candidates([{"id": 1001}, {"id": "1001"}])


def test_empty_list_has_no_candidates():
    with pytest.raises(InputError, match="no candidates found"):
        load_text("[]")


def test_message_carries_no_other_applicant_data():
    """Only the record id, the field and its value: no names, no other jobs."""
    doc = {"id": "P-1", "name": "Private Person", "employment": [
        {"employer": "Secret Employer", "title": "Spy", "start": "2020-01-01", "hours_per_week": 99}]}
    with pytest.raises(InputError) as info:
        parse_candidates(doc)
    message = str(info.value)
    assert "99" in message
    for private in ("Private Person", "Secret Employer", "Spy"):
        assert private not in message

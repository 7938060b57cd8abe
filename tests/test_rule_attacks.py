"""Rule files under attack (issue 6): every broken rule file is named with its location, nothing in
one is ever executed, examples that fail are reported, and a run with one broken class goes on.

The loader's cases (broken YAML, unknown keys, wrong types, dangling references to a policy, an
organisation or a kind of experience, a ``!!python`` tag, a key given twice, ...) are the folders of
tests/data/rules_broken, checked one by one in tests/test_rulebook.py.  Here: the same cases through the
command, code that must never run from any YAML the tool reads, rule-file examples that fail, and what
happens to `screen --class all` and `check --class all` when one class's file is broken:

* `screen --class all`: every record gets an error row for the broken class, whose reason names the
  file, the location and the problem; the other classes are screened as if the file were not there; the
  summary ends with a 'Not screened' line; exit status 1.
* `check --class all`: the table has a row 'rule file error' for the class; standard error names the file
  and the problem; exit status 1.
* `check`, `explain`, `screen` or `classes show` naming the broken class: one line naming the file and
  location, exit status 1.  `classes` lists the other classes and warns (exit 0); `classes --verify`
  lists the broken file and exits 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from eligibility import InputError, load_file, load_rules
from eligibility.cli import main
from eligibility.csvio import load_mapping
from eligibility.examples import verify_examples

from test_rulebook import BROKEN, CLASS_CASES, EXPECTED, GOOD, assemble

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2022-06-30"


def run(rules: Path, *args, cwd: Path | None = None):
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["--rules", str(rules), *map(str, args)])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def test_the_attacks_of_the_issue_each_have_a_case():
    kinds = {"broken YAML": "broken-yaml", "unknown key": "unknown-key", "wrong type": "wrong-type",
             "dangling policy": "missing-policy", "dangling organisation": "unknown-organization",
             "dangling kind of experience": "unknown-kind", "python tag": "python-tag",
             "duplicate key": "duplicate-key", "broken vocabulary": "broken-vocabulary"}
    assert set(kinds.values()) <= set(EXPECTED)


@pytest.mark.parametrize("case", CLASS_CASES)
def test_every_broken_class_file_is_named_by_the_command(case, tmp_path):
    """`classes --verify` and `check --class <it>` name the file and the location, in one line each."""
    folder = assemble(case, tmp_path)
    want = EXPECTED[case]
    where = want["file"] + (f" at {want['location']}:" if want["location"] else ":")
    verify = run(folder, "classes", "--verify")
    assert verify.exit_code == 1
    broken = [line for line in verify.stdout.splitlines() if line.startswith("broken: ")]
    assert len(broken) == 1 and broken[0].startswith("broken: " + where), verify.stdout
    person = tmp_path / "p.yaml"
    person.write_text("id: P-1\n", encoding="utf-8")
    check = run(folder, "check", person, "--class", "extra", "--as-of", AS_OF)
    assert check.exit_code == 1 and check.stdout == ""
    assert check.stderr.startswith("Error: " + where) and check.stderr.count("\n") == 1, check.stderr


# ------------------------------------------------------------------ nothing in a YAML file is ever run

PAYLOADS = ["!!python/object/apply:os.system ['touch {marker}']",
            "!!python/object/apply:subprocess.call [['touch', '{marker}']]",
            "!!python/object/new:os.system ['touch {marker}']",
            "!!python/name:os.system"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_python_tags_are_refused_everywhere_yaml_is_read(payload, tmp_path):
    marker = tmp_path / "pwned"
    tag = payload.format(marker=marker)
    # a rule file
    folder = tmp_path / "rules"
    shutil.copytree(GOOD, folder)
    (folder / "evil.yaml").write_text(f"id: evil\ntitle: {tag}\njurisdiction: testland\nversions: []\n")
    book = load_rules(folder, strict=False)
    assert [e.file for e in book.errors] == ["evil.yaml"]
    assert book.errors[0].location == "line 2, column 8" and "not valid YAML" in book.errors[0].message
    # a policy file (which every class depends on: the folder cannot be loaded at all)
    (folder / "evil.yaml").unlink()
    policy = folder / "policies" / "testland.yaml"
    policy.write_text(policy.read_text() + f"evil: {tag}\n")
    listing = run(folder, "classes")
    assert listing.exit_code == 1 and listing.stderr.startswith("Error: testland.yaml at line ")
    # a candidate file, and a column mapping
    person = tmp_path / "p.yaml"
    person.write_text(f"id: P-1\nname: {tag}\n", encoding="utf-8")
    with pytest.raises(InputError, match="p.yaml: not valid YAML"):
        load_file(person)
    mapping = tmp_path / "map.yaml"
    mapping.write_text(f"id: {tag}\n", encoding="utf-8")
    with pytest.raises(InputError, match="map.yaml: not valid YAML"):
        load_mapping(mapping)
    assert not marker.exists()


def test_a_key_given_twice_is_refused_in_a_column_mapping(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("id: Applicant No.\nstart: From\nid: Other\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"map.yaml: not valid YAML \(line 3\)"):
        load_mapping(mapping)


# ------------------------------------------------------------------ examples that fail

EXAMPLED = """\
id: exampled
title: A class whose examples are checked
jurisdiction: testland
versions:
  - version: "2018"
    effective_from: 2018-01-01
    source: {document: tests/test_rule_attacks.py}
    mq_text: One year of experience.
    paths:
      - id: one
        label: One year
        requirements:
          - {id: experience, type: experience, months: 12}
    examples:
      - name: two years qualify
        as_of: 2022-06-30
        candidate: {id: E-1, employment: [{employer: Acme, start: 2020-01-01}]}
        expect: {status: qualified, path: one}
      - name: six months are said to qualify
        as_of: 2022-06-30
        candidate: {id: E-2, employment: [{employer: Acme, start: 2022-01-01}]}
        expect:
          status: qualified
          requirements: {experience: {found: 12}}
      - name: a candidate that is not valid
        as_of: 2022-06-30
        candidate: {id: E-3, employment: [{employer: Acme, start: 2022-02-30}]}
        expect: {status: not_qualified}
"""


@pytest.fixture
def exampled(tmp_path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(GOOD, folder)
    (folder / "exampled.yaml").write_text(EXAMPLED, encoding="utf-8")
    return folder


def test_failing_examples_are_reported_with_file_location_name_and_difference(exampled):
    book = load_rules(exampled)  # examples are not run on loading: the class is usable
    results = {r.name: r for r in verify_examples(book, ["exampled"])}
    assert results["two years qualify"].passed
    wrong = results["six months are said to qualify"]
    assert (wrong.file, wrong.location) == ("exampled.yaml", "versions.0.examples.1")
    assert wrong.problems == ["status: expected qualified, got not_qualified",
                              "experience.found: expected 12, got 6"]
    assert str(wrong) == ("exampled.yaml at versions.0.examples.1 (example 'six months are said to qualify'): "
                          "status: expected qualified, got not_qualified; experience.found: expected 12, got 6")
    invalid = results["a candidate that is not valid"]
    assert invalid.location == "versions.0.examples.2"
    assert invalid.problems[0].startswith("its candidate cannot be read: Record E-3: field "
                                          "'employment[0].start' has value '2022-02-30'")


def test_classes_verify(exampled):
    result = run(exampled, "classes", "--verify")
    assert result.exit_code == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("failed: ")]
    assert failed == [
        "failed: exampled.yaml at versions.0.examples.1 (example 'six months are said to qualify'): status: "
        "expected qualified, got not_qualified; experience.found: expected 12, got 6",
        "failed: exampled.yaml at versions.0.examples.2 (example 'a candidate that is not valid'): its candidate "
        "cannot be read: Record E-3: field 'employment[0].start' has value '2022-02-30': '2022-02-30' is not a "
        "real date: February 2022 has no day 30.",
    ]
    total = sum(len(v.examples) for c in load_rules(exampled).classes.values() for v in c.spec.versions)
    assert result.stdout.splitlines()[-1] == (f"{total} examples in 6 classes: {total - 2} passed, 2 failed; "
                                              f"0 rule files could not be loaded.")


def test_the_shipped_rules_verify():
    result = run(ROOT / "rules", "classes", "--verify")
    assert result.exit_code == 0, result.stdout
    assert " 0 failed; 0 rule files could not be loaded." in result.stdout


# ------------------------------------------------------------------ one broken class in a run

def _broken_folder(tmp_path: Path) -> Path:
    """The shipped rules, with the test class 'zz-broken' whose file dangles (an unknown organisation)."""
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    shutil.copytree(ROOT / "candidates", tmp_path / "candidates")  # the files some examples name
    text = (ROOT / "rules" / "la-1213.yaml").read_text(encoding="utf-8")
    (folder / "zz-broken.yaml").write_text(text.replace("id: la-1213", "id: zz-broken", 1)
                                           .replace("employers: [city-of-los-angeles]",
                                                    "employers: [city-of-atlantis]", 1), encoding="utf-8")
    assert load_rules(folder, strict=False).errors[0].file == "zz-broken.yaml"
    return folder


def test_screen_all_with_a_broken_class(tmp_path):
    folder = _broken_folder(tmp_path)
    data = ROOT / "tests" / "screen_cases" / "long" / "applicants.csv"
    good = run(ROOT / "rules", "screen", data, "--class", "all", "--as-of", "2024-06-30", "--out", tmp_path / "a.csv")
    bad = run(folder, "screen", data, "--class", "all", "--as-of", "2024-06-30", "--out", tmp_path / "b.csv")
    assert good.exit_code == 0 and bad.exit_code == 1
    rows = list(csv.DictReader((tmp_path / "b.csv").open(encoding="utf-8")))
    ok = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    assert [r for r in rows if r["class_id"] != "zz-broken"] == ok  # the other classes, as if it were not there
    broken = [r for r in rows if r["class_id"] == "zz-broken"]
    assert [r["id"] for r in broken] == [r["id"] for r in ok if r["class_id"] == "la-1213"]  # one per record
    for r in broken:
        assert r["status"] == "error"
        assert r["reason"].startswith("Class zz-broken could not be screened: its rule file is broken: "
                                      "zz-broken.yaml at versions.")
        assert "'city-of-atlantis'" in r["reason"]
    assert "Warning: zz-broken is not screened, its rule file is broken: zz-broken.yaml at" in bad.stderr
    assert "0 records could not be screened" in bad.stdout  # the records are fine; the class is not
    assert bad.stdout.rstrip().splitlines()[-1].startswith("Not screened: zz-broken, its rule file is broken: ")
    table = [line.split() for line in bad.stdout.splitlines() if line.startswith("zz-broken ")]
    assert table == [["zz-broken", "0", "0", "0", "0", str(len(broken)), str(len(broken))]]


def test_screen_all_with_a_broken_class_jsonl(tmp_path):
    folder = _broken_folder(tmp_path)
    data = ROOT / "tests" / "screen_cases" / "long" / "applicants.csv"
    out = tmp_path / "r.jsonl"
    result = run(folder, "screen", data, "--class", "all", "--as-of", "2024-06-30", "--out", out, "--workers", "2")
    assert result.exit_code == 1
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    broken = [x for x in lines if x["class_id"] == "zz-broken"]
    assert broken and all(x["status"] == "error" and "zz-broken.yaml" in x["error"] for x in broken)


def test_screen_naming_the_broken_class_stops_at_once(tmp_path):
    folder = _broken_folder(tmp_path)
    data = ROOT / "tests" / "screen_cases" / "long" / "applicants.csv"
    result = run(folder, "screen", data, "--class", "la-1213", "--class", "zz-broken", "--as-of", "2024-06-30")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: zz-broken.yaml at versions.") and result.stderr.count("\n") == 1


def test_check_all_with_a_broken_class(tmp_path):
    folder = _broken_folder(tmp_path)
    person = ROOT / "candidates" / "la-1213-csr-23-months.yaml"
    result = run(folder, "check", person, "--class", "all", "--as-of", "2016-06-30")
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if line.startswith("zz-broken "))
    assert "rule file error" in row
    assert result.stderr.startswith("Error: zz-broken was not checked: its rule file is broken: zz-broken.yaml at")
    assert sum(line.startswith("la-1213 ") for line in result.stdout.splitlines()) == 1

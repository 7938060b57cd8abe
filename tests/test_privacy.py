"""Privacy (issue 6): what the tool writes beside its results names the record, the field and the
offending value, and nothing else of the applicant.

Standard error (and the summary, which goes to standard output when the results go to a file) carries
error lines and counts; the applicants' names, employers, titles and duties appear only in the results
themselves.  Nothing is logged: the package has no logger, and a run with logging at DEBUG records
nothing.  Control characters from an input file reach the terminal only as escapes.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from eligibility.cli import main

from conftest import ROOT, RULES

# what an applicant's record says about them, and must never appear on standard error
PRIVATE = {"name": "Zelda Quillfeather", "employer": "Hollowbrook Mercantile", "title": "Assistant Reeve",
           "duties": "Counts the granary tithes by lantern", "department": "Office of Whispers"}
GOOD = {"employer": "LADWP", "title": "Customer Service Representative", "start": "2020-01-06",
        "hours_per_week": "40", "duties": PRIVATE["duties"]}
# (offending column, value): each becomes one applicant whose other cells are private
BAD_CELLS = [("start", "2020-13-45"), ("end", "2019-02-30"), ("hours_per_week", "200"), ("hours_per_week", "forty"),
             ("paid", "maybe"), ("supervision", "boss"), ("education", "phd:Physics"), ("licenses", "boat:CA:1:2"),
             ("training", "Bookkeeping:lots"), ("end", "2001-01-01")]
COLUMNS = ["id", "name", "education", "training", "licenses", "employer", "department", "title", "start", "end",
           "hours_per_week", "paid", "supervision", "duties"]


def export(tmp_path: Path) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = [{**PRIVATE, **GOOD, "id": "P-ok"}]
    for k, (column, value) in enumerate(BAD_CELLS):
        row = {**PRIVATE, **GOOD, "id": f"P-{k}", "name": f"{PRIVATE['name']} {k}", column: value}
        rows.append(row)
    rows.append({**PRIVATE, **GOOD, "id": "P-ok"})                                  # an id used twice
    rows.append({**PRIVATE, **GOOD, "id": "P-short"} | {"supervision": None})     # a row cut short
    for row in rows:
        cells = [row.get(c, "") for c in COLUMNS]
        writer.writerow(cells if row.get("supervision", "") is not None else cells[:-3])
    path = tmp_path / "a.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def leaks(text: str) -> list[str]:
    return [v for v in PRIVATE.values() if v in text] + [w for w in ("Quillfeather", "granary") if w in text]


def run(*args, cwd=None):
    result = CliRunner().invoke(main, ["--rules", str(RULES), *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_screen_errors_name_record_field_and_value_only(tmp_path):
    result = run("screen", export(tmp_path), "--class", "la-1213", "--class", "pdx-30000445", "--as-of",
                 "2024-06-30", "--out", tmp_path / "r.csv")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(BAD_CELLS) + 3
    assert leaks(result.stderr) == [] and leaks(result.stdout) == []  # the summary is on standard output
    for k, (column, value) in enumerate(BAD_CELLS):
        line = next(e for e in errors if e.startswith(f"error: Record P-{k}, "))
        assert f"column '{column}'" in line or column == "end", line
        assert value in line or value.split(":")[0] in line, line
    # the results file is where the applicants are named
    assert PRIVATE["name"] in (tmp_path / "r.csv").read_text(encoding="utf-8")


def test_screen_to_standard_output_keeps_private_text_off_standard_error(tmp_path):
    result = run("screen", export(tmp_path), "--class", "la-1213", "--as-of", "2024-06-30")
    assert result.exit_code == 1
    assert leaks(result.stderr) == []
    assert PRIVATE["name"] in result.stdout  # the results


@pytest.mark.parametrize("mutation,fragments", [
    ({"start": "2020-13-45"}, ["Record C-9", "employment[0].start", "'2020-13-45'"]),
    ({"end": "2019-01-01"}, ["Record C-9", "employment[0].end", "2019-01-01"]),
    ({"hours_per_week": 99}, ["Record C-9", "employment[0].hours_per_week", "99"]),
    ({"supervision": "boss"}, ["Record C-9", "employment[0].supervision", "'boss'"]),
    ({"salary": 50000}, ["Record C-9", "employment[0].salary", "50000"]),
])
@pytest.mark.parametrize("command", ["check", "explain"])
def test_check_and_explain_errors_name_record_field_and_value_only(command, mutation, fragments, tmp_path):
    job = {"employer": PRIVATE["employer"], "department": PRIVATE["department"], "title": PRIVATE["title"],
           "duties": PRIVATE["duties"], "start": "2020-01-06", **mutation}
    person = tmp_path / "c.yaml"
    import yaml

    person.write_text(yaml.safe_dump({"id": "C-9", "name": PRIVATE["name"], "employment": [job]}), encoding="utf-8")
    result = run(command, person, "--class", "la-1213", "--as-of", "2024-06-30")
    assert result.exit_code == 1 and result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert leaks(result.stderr) == []


def test_no_notice_message_names_no_one(tmp_path):
    person = tmp_path / "c.yaml"
    person.write_text(f"id: C-10\nname: {PRIVATE['name']}\nemployment:\n  - {{employer: LADWP, title: Customer "
                      f"Service Representative, start: 2015-01-05, duties: {PRIVATE['duties']}}}\n", encoding="utf-8")
    result = run("explain", person, "--class", "la-1213", "--as-of", "2024-06-30", "--notice")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.startswith("No disqualification notice: C-10 is qualified")
    assert leaks(result.stderr) == []


def test_nothing_is_logged(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    run("screen", export(tmp_path), "--class", "la-1213", "--as-of", "2024-06-30", "--out", tmp_path / "r.csv",
        "--workers", "2")
    run("check", ROOT / "candidates" / "la-1213-csr-23-months.yaml", "--class", "all", "--as-of", "2024-06-30")
    assert [r for r in caplog.records if r.name.startswith("eligibility")] == []
    package = ROOT / "eligibility"
    for source in package.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "import logging" not in text and "print(" not in text, source.name


def test_control_characters_reach_the_terminal_only_as_escapes(tmp_path):
    data = tmp_path / "a.csv"
    data.write_text('id,name,employer,start\n"E-1\x1b]0;owned\x07\x1b[2J",Ann,LADWP,2020-13-01\n', encoding="utf-8")
    result = run("screen", data, "--class", "la-1213", "--as-of", "2024-06-30", "--out", tmp_path / "r.csv")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "error: Record E-1\\x1b]0;owned\\x07\\x1b[2J, a.csv line 2: column 'start'" in result.stderr
    person = tmp_path / "c.yaml"
    person.write_text('id: "C-\\e[31m1"\nemployment:\n  - {employer: X, start: 2020-13-01}\n', encoding="utf-8")
    check = run("check", person, "--class", "la-1213", "--as-of", "2024-06-30")
    assert check.exit_code == 1 and "\x1b" not in check.stderr and "C-\\x1b[31m1" in check.stderr

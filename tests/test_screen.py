"""The screen command and the screening library.

Data-driven cases live in tests/screen_cases/<case>/: the input files, a
case.yaml (command-line arguments, expected exit status) and expected.csv,
the results file the command must write.  In expected.csv a cell '*' matches
anything: the reason sentence of a determination is evaluate's wording, not
this feature's, so only error messages are compared word for word.

To re-create the expected files after a deliberate change, run
``UPDATE_SCREEN_CASES=1 python -m pytest tests/test_screen.py`` and review the diff.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from eligibility import load_rules
from eligibility.candidate import candidate_from_dict
from eligibility.cli import main
from eligibility.csvio import ApplicantReader, OUTPUT_COLUMNS
from eligibility.screen import Summary, screen

from conftest import RULES, ROOT

CASES = Path(__file__).parent / "screen_cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "case.yaml").is_file())
AS_OF = dt.date(2024, 6, 30)
SEED_CLASSES = ["la-1213", "la-1230", "pdx-30000445", "senior-customer-services-clerk",
                "customer-relations-billing-supervisor"]
SEED_ARGS = [arg for cid in SEED_CLASSES for arg in ("--class", cid)]


def run_cli(args: list[str], cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, ["--rules", str(RULES), *args], catch_exceptions=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, ["--rules", str(RULES), *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def masked(rows: list[dict]) -> list[dict]:
    return [{**r, "reason": r["reason"] if r["status"] == "error" else "*"} for r in rows]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_screen_case(name, tmp_path):
    folder = CASES / name
    case = yaml.safe_load((folder / "case.yaml").read_text())
    out = tmp_path / "results.csv"
    result = run_cli(["screen", *case["inputs"], *case["args"], "--out", str(out)], cwd=folder)
    assert result.exit_code == case["exit"], result.output
    got = out.read_text(encoding="utf-8")
    expected_file = folder / "expected.csv"
    if os.environ.get("UPDATE_SCREEN_CASES"):
        buf = io.StringIO()
        writer = csv.DictWriter(buf, OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(masked(rows_of(got)))
        expected_file.write_text(buf.getvalue(), encoding="utf-8")
    expected = rows_of(expected_file.read_text(encoding="utf-8"))
    actual = rows_of(got)
    assert len(actual) == len(expected), got
    for want, have in zip(expected, actual):
        for column, value in want.items():
            if value != "*":
                assert have[column] == value, f"{column} of {want['id']}/{want['class_id']}:\n{have}"
    # the summary says how many records were errors, and exit 1 goes with errors
    errors = {r["id"] + r["name"] for r in actual if r["status"] == "error"}
    assert (case["exit"] == 1) == bool(errors)


def test_two_files_give_the_same_results_as_one_long_file(tmp_path):
    long = run_cli(["screen", "applicants.csv", "--class", "all", "--as-of", "2024-06-30", "-q"],
                   cwd=CASES / "long")
    two = run_cli(["screen", "applicants.csv", "employment.csv", "--class", "all", "--as-of", "2024-06-30", "-q"],
                  cwd=CASES / "two-files")
    assert long.exit_code == two.exit_code == 0
    assert long.stdout == two.stdout


def test_every_applicant_appears_once_per_class():
    result = run_cli(["screen", "applicants.csv", "--class", "all", "--as-of", "2024-06-30", "-q"],
                     cwd=CASES / "broken")
    rows = rows_of(result.stdout)
    classes = sorted({r["class_id"] for r in rows})
    per_record = [rows[i:i + len(classes)] for i in range(0, len(rows), len(classes))]
    assert len(classes) >= 5
    assert len(per_record) == 15  # 15 groups of rows in the file, valid or not
    for group in per_record:
        assert sorted(r["class_id"] for r in group) == classes
        assert len({(r["id"], r["name"]) for r in group}) == 1


def test_sample_data_in_both_formats_screens_the_same(tmp_path):
    """The README's sample: long file and two files give the same determinations; APP-1005, an id two
    applicants share, is an error for both in both formats."""
    folder = ROOT / "candidates"
    long = run_cli(["screen", str(folder / "applicants-long.csv"), "--class", "all", "--as-of", "2024-06-30",
                    "-q"])
    two = run_cli(["screen", str(folder / "applicants.csv"), str(folder / "employment.csv"), "--class", "all",
                   "--as-of", "2024-06-30", "-q"])
    assert long.exit_code == two.exit_code == 1
    a, b = rows_of(long.stdout), rows_of(two.stdout)
    assert len(a) == len(b) >= 30 * 5
    assert {r["id"] for r in a} == {r["id"] for r in b}
    assert {r["status"] for r in a + b if r["id"] == "APP-1005"} == {"error"}
    same = [(x, y) for x, y in zip(sorted(a, key=_key), sorted(b, key=_key)) if x["id"] != "APP-1005"]
    for x, y in same:
        assert (x["status"], x["path"], x["shortfall"]) == (y["status"], y["path"], y["shortfall"]), (x, y)
    statuses = {r["status"] for r in a}
    assert {"qualified", "not_qualified", "review", "error"} <= statuses


def test_agency_export_matches_the_long_sample():
    folder = ROOT / "candidates"
    mapped = run_cli(["screen", str(folder / "agency-export.csv"), "--map", str(folder / "agency-mapping.yaml"),
                      "--class", "all", "--as-of", "2024-06-30", "-q"])
    long = run_cli(["screen", str(folder / "applicants-long.csv"), "--class", "all", "--as-of", "2024-06-30", "-q"])
    assert mapped.exit_code == 0, mapped.output
    # APP-1005 is used by two applicants in the long sample (an error for both), by one in the export
    first = {(r["id"], r["class_id"]): r for r in rows_of(long.stdout) if r["id"] != "APP-1005"}
    for row in rows_of(mapped.stdout):
        if row["id"] != "APP-1005":
            assert row == first[(row["id"], row["class_id"])]


def _key(r):
    return (r["id"], r["name"], r["class_id"])


# ------------------------------------------------------------------ output shape, workers, order

def _generated(tmp_path: Path, n: int, invalid: float = 0.05) -> Path:
    path = tmp_path / "generated.csv"
    subprocess.run([sys.executable, str(ROOT / "candidates" / "generate.py"), "--n", str(n), "--seed", "11",
                    "--out", str(path), "--invalid", str(invalid)], check=True)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_output_is_byte_identical_for_any_number_of_workers(tmp_path, suffix):
    data = _generated(tmp_path, 250)
    outputs = []
    for workers in (1, 2, 3):
        out = tmp_path / f"w{workers}{suffix}"
        result = run_cli(["screen", str(data), *SEED_ARGS, "--as-of", "2024-06-30", "--workers",
                          str(workers), "--out", str(out), "-q"])
        assert result.exit_code == 1, result.output  # the generated file has broken records
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    if suffix == ".jsonl":
        lines = [json.loads(line) for line in outputs[0].decode().splitlines()]
        assert all(("determination" in x) != (x["status"] == "error") for x in lines)
        assert {"paths", "trace", "rule"} <= set(next(x for x in lines if x["status"] != "error")["determination"])


def test_library_keeps_input_order_with_workers(tmp_path):
    book = load_rules(RULES)
    classes = [book.classes["la-1213"], book.classes["pdx-30000445"]]
    with ApplicantReader(_generated(tmp_path, 120, invalid=0.1)) as reader:
        outcomes = list(screen(reader, classes, AS_OF, workers=2, chunk_size=7))
    seqs = [o.seq for o in outcomes]
    assert seqs == sorted(seqs) and seqs[-1] == len(outcomes) // 2 - 1
    assert [o.class_id for o in outcomes[:4]] == ["la-1213", "pdx-30000445"] * 2


def test_library_accepts_candidates_and_streams():
    """screen() takes Candidate objects too, and pulls its input lazily: an endless input can be cut short."""
    book = load_rules(RULES)

    def endless():
        for i in itertools.count():
            yield candidate_from_dict({"id": f"C-{i}", "employment": [
                {"employer": "LADWP", "title": "Customer Service Representative", "start": "2021-01-04"}]})

    for workers in (1, 2):
        got = list(itertools.islice(screen(endless(), [book.classes["la-1213"]], AS_OF, workers=workers,
                                           chunk_size=10), 95))
        assert [o.id for o in got] == [f"C-{i}" for i in range(95)]
        assert {o.status for o in got} == {"qualified"}


def test_summary_counts_and_reasons():
    book = load_rules(RULES)
    people = [candidate_from_dict({"id": f"S-{i}", "employment": [
        {"employer": "County of Los Angeles", "title": "Clerk", "start": "2015-01-05"}]}) for i in range(3)]
    summary = Summary(["la-1213"])
    for o in screen(people, [book.classes["la-1213"]], AS_OF):
        summary.add(o)
    text = summary.text(AS_OF)
    assert summary.records == 3 and summary.error_records == 0
    assert summary.counts["la-1213"]["not_qualified"] == 3
    assert "Most frequent reasons for not qualifying" in text and "      3  " in text


# ------------------------------------------------------------------ command-line behaviour

def test_summary_goes_to_stderr_when_results_go_to_stdout():
    result = run_cli(["screen", "applicants.csv", "--class", "la-1213", "--as-of", "2024-06-30"],
                     cwd=CASES / "long")
    assert result.stdout.startswith(",".join(OUTPUT_COLUMNS))
    assert "Screened 6 applicant records against 1 class" in result.stderr
    assert "Screened" not in result.stdout
    assert "Screening" not in result.stderr  # no progress bar when standard error is not a terminal


def test_summary_goes_to_stdout_with_out(tmp_path):
    result = run_cli(["screen", "applicants.csv", "--class", "la-1213", "--as-of", "2024-06-30",
                      "--out", str(tmp_path / "r.csv")], cwd=CASES / "broken")
    assert result.exit_code == 1
    assert "13 records could not be screened (status error)" in result.stdout
    # each error on standard error names the record id, line and column, never the applicant's name
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 13
    assert not any("Bad Date" in line or "Missing Id" in line for line in errors)
    assert any("line 3" in line and "'start'" in line and "2020-13-45" in line for line in errors)


def test_quiet_hides_error_lines(tmp_path):
    result = run_cli(["screen", "applicants.csv", "--class", "la-1213", "--as-of", "2024-06-30", "-q",
                      "--out", str(tmp_path / "r.csv")], cwd=CASES / "broken")
    assert result.exit_code == 1
    assert "error:" not in result.stderr
    assert "could not be screened" in result.stdout


@pytest.mark.parametrize("args,message", [
    (["missing.csv", "--class", "la-1213"], "missing.csv: cannot be read"),
    (["applicants.csv", "--class", "no-such-class"], "unknown class id 'no-such-class'"),
    (["applicants.csv", "--class", "la-1213", "--map", "nope.yaml"], "nope.yaml: cannot be read"),
    (["applicants.csv", "--class", "la-1213", "--as-of", "1990-01-01"], "no version of la-1213 is in force"),
    (["case.yaml", "--class", "la-1213"], "case.yaml: no 'id' column"),
])
def test_user_errors_are_one_line_exit_1(args, message):
    result = run_cli(["screen", *args], cwd=CASES / "long")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_help_documents_exit_status():
    result = run_cli(["screen", "--help"])
    assert "Exit status: 0 when every record was screened, 1 when some records were" in result.stdout

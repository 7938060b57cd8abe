"""The `eligibility` command, run through click's CliRunner.

Error paths are data-driven: tests/cli_cases/*.yaml hold the arguments, the
files and the expected exit status and message, run by one parametrised test.
"""

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from eligibility import __version__, load_file, load_rules
from eligibility.cli import main

from conftest import ROOT, RULES

SAMPLE = ROOT / "candidates" / "la-1213-csr-23-months.yaml"
CASES = Path(__file__).parent / "cli_cases"
BOOK = load_rules(RULES)
CLASS_IDS = sorted(BOOK.classes)


def run(*args, rules=RULES, input=None, color=False):
    result = CliRunner().invoke(main, ["--rules", str(rules), *map(str, args)], input=input, color=color)
    assert "Traceback" not in result.output, result.output
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def in_force(class_id: str) -> dt.date:
    """A date on which some version of the class is in force."""
    return max(v.effective_from for v in BOOK.classes[class_id].spec.versions)


def example(class_id: str, status: str | None = None):
    """The first example in the class's rule files with an inline candidate (and the given status)."""
    for version in BOOK.classes[class_id].spec.versions:
        for ex in version.examples:
            if ex.candidate and (status is None or ex.expect.status == status):
                return ex
    return None


def write_example(tmp_path: Path, ex) -> Path:
    path = tmp_path / f"{ex.candidate['id']}.yaml"
    path.write_text(yaml.safe_dump(ex.candidate), encoding="utf-8")
    return path


@pytest.fixture
def rules_copy(tmp_path):
    """A private copy of the rules (and the candidates its examples name), safe to edit."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "candidates", tmp_path / "candidates")
    return tmp_path / "rules"


# ------------------------------------------------------------------ conventions

def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("command", [[], ["classes"], ["classes", "show"], ["check"], ["explain"]])
def test_every_command_has_help_with_examples(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "eligibility " in result.output


def load_cases():
    for file in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(file.read_text(encoding="utf-8")):
            yield pytest.param(case, id=f"{file.stem}: {case['name']}")


@pytest.mark.parametrize("case", list(load_cases()))
def test_error_case(case, tmp_path):
    for name, text in case.get("files", {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in case["args"]]
    rules = case.get("rules", str(RULES)).replace("{tmp}", str(tmp_path))
    result = run(*args, rules=rules, input=case.get("stdin"))
    assert result.exit_code == case["exit"], result.output
    for fragment in case["stderr"]:
        assert fragment in result.stderr, result.stderr
    if case["exit"] == 1:
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr


def test_colour_only_when_asked_for_a_terminal():
    args = ["check", SAMPLE, "--class", "la-1213", "--as-of", "2016-06-30"]
    assert "\x1b[" not in run(*args).output
    assert "\x1b[" in run(*args, color=True).output
    assert "\x1b[" not in run(*args, "--format", "json", color=True).output


# ------------------------------------------------------------------ classes

def test_classes_lists_every_class_once():
    result = run("classes")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["ID", "Title"]
    for cid in CLASS_IDS:
        assert sum(line.startswith(cid + " ") for line in lines) == 1, cid
        assert BOOK.classes[cid].spec.versions[0].effective_from.isoformat() in result.output


def test_classes_markdown_and_json():
    md = run("classes", "--format", "markdown").output
    assert md.splitlines()[0].startswith("| ID")
    assert sum(line.startswith("| ") for line in md.splitlines()) == len(CLASS_IDS) + 1  # a row never wraps
    data = json.loads(run("classes", "--format", "json").output)
    assert [c["id"] for c in data] == CLASS_IDS
    for c in data:
        assert {"title", "jurisdiction", "class_code", "versions", "summary"} <= set(c)
        assert c["summary"]


def test_classes_summarises_la_1213():
    out = run("classes").output
    at = out.index("\nla-1213 ")
    block = out[at:out.index("\nla-1230 ")]  # the row, with its wrapped lines
    assert "1213" in block and "2008-03-13 to " in block and "24 mo" in block


@pytest.mark.parametrize("class_id", CLASS_IDS)
def test_classes_show_every_class(class_id):
    result = run("classes", "show", class_id)
    assert result.exit_code == 0
    loaded = BOOK.classes[class_id]
    assert result.output.startswith(f"{class_id} — {loaded.spec.title}")
    for version in loaded.spec.versions:
        assert f"Version {version.version}" in result.output
        first = version.mq_text.strip().splitlines()[0]
        assert "  | " + first in result.output  # verbatim
        for path in version.paths:
            assert f"[{path.id}]" in result.output
            for req in path.requirements:
                assert f"[{req.id}] {req.type.replace('_', ' ')}" in result.output
        for condition in version.conditions:
            assert " ".join(condition.text.split())[:40] in " ".join(result.output.split())
        if version.substitutions:
            assert "Substitutions:" in result.output
        if version.equivalency:
            assert "Equivalent combination" in result.output


def test_classes_show_la_1213_structure():
    out = run("classes", "show", "la-1213").output
    assert "Jurisdiction: City of Los Angeles" in out
    assert "24 months full-time" in out
    assert "employer: City of Los Angeles" in out
    assert "class codes: 1230, 1600, 1602" in out
    assert "paid work only" in out
    assert "How this file reads the text:" in out


# ------------------------------------------------------------------ check

def test_check_table():
    result = run("check", SAMPLE, "--class", "la-1213", "--as-of", "2016-06-30")
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("Candidate A-1213-23 — la-1213 Commercial Service Supervisor, as of 2016-06-30")
    assert re.search(r"Status:\s+not qualified", out)
    assert re.search(r"Shortfall:\s+1 month\n", out)
    assert re.search(r"city-service\s+Two years of full-time paid experience.*not met\s+24 months\s+23 months\s+1 month",
                     out)


def test_check_json_is_the_whole_determination():
    result = run("check", SAMPLE, "--class", "la-1213", "--as-of", "2016-06-30", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["candidate_id"] == "A-1213-23"
    assert data["class_id"] == "la-1213"
    assert data["status"] == "not_qualified"
    assert data["as_of"] == "2016-06-30"
    req = data["paths"][0]["requirements"][0]
    assert (req["required"], req["found"], req["shortfall"], req["met"]) == (24, 23, 1, False)
    assert data["rule"]["content_hash"] == BOOK.classes["la-1213"].content_hash


def test_check_markdown():
    out = run("check", SAMPLE, "--class", "la-1213", "--as-of", "2016-06-30", "--format", "markdown").output
    assert out.startswith("## A-1213-23: Commercial Service Supervisor (la-1213), as of 2016-06-30")
    assert "- **Status:** not qualified" in out
    assert "| city-service |" in out


def test_check_from_standard_input():
    text = SAMPLE.read_text(encoding="utf-8")
    result = run("check", "-", "--class", "la-1213", "--as-of", "2016-06-30", "--format", "json", input=text)
    assert result.exit_code == 0
    assert json.loads(result.output)["status"] == "not_qualified"


def test_check_picks_one_candidate_with_id(tmp_path):
    first = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    second = dict(first, id="OTHER", employment=[])
    path = tmp_path / "two.json"
    path.write_text(json.dumps([first, second], default=str), encoding="utf-8")
    result = run("check", path, "--class", "la-1213", "--as-of", "2016-06-30", "--id", "OTHER", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["candidate_id"] == "OTHER"


def test_as_of_defaults_to_today():
    data = json.loads(run("check", SAMPLE, "--class", "la-1213", "--format", "json").output)
    assert data["as_of"] == dt.date.today().isoformat()


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
@pytest.mark.parametrize("class_id", CLASS_IDS)
def test_every_class_can_be_checked_in_every_format(class_id, fmt, tmp_path):
    ex = example(class_id)
    path, day = (write_example(tmp_path, ex), ex.as_of) if ex else (SAMPLE, in_force(class_id))
    result = run("check", path, "--class", class_id, "--as-of", day, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert data["class_id"] == class_id
        if ex:
            assert data["status"] == ex.expect.status
    else:
        assert BOOK.classes[class_id].spec.title in result.output


def map_rows(output: str) -> dict[str, str]:
    rows = {}
    for line in output.splitlines():
        first = line.split(" ", 1)[0]
        if first in BOOK.classes or first.endswith("-class"):
            assert first not in rows, f"two rows for {first}"
            rows[first] = line
    return rows


def test_check_all_prints_one_row_per_class():
    result = run("check", SAMPLE, "--class", "all", "--as-of", "2016-06-30")
    assert result.exit_code == 0
    assert result.output.startswith("Candidate A-1213-23, as of 2016-06-30")
    rows = map_rows(result.output)
    assert sorted(rows) == CLASS_IDS
    assert re.search(r"not qualified .*\(closest\)\s+1 month\s+not projectable", rows["la-1213"])


def test_check_all_json_and_markdown():
    data = json.loads(run("check", SAMPLE, "--class", "all", "--as-of", "2016-06-30", "-f", "json").output)
    assert data["candidate_id"] == "A-1213-23" and data["as_of"] == "2016-06-30"
    assert [r["class_id"] for r in data["results"]] == CLASS_IDS
    md = run("check", SAMPLE, "--class", "all", "--as-of", "2016-06-30", "-f", "markdown").output
    assert md.startswith("## Candidate A-1213-23, as of 2016-06-30")
    assert sum(line.startswith("| ") for line in md.splitlines()) == len(CLASS_IDS) + 1


def test_check_all_before_any_version_is_in_force():
    result = run("check", SAMPLE, "--class", "all", "--as-of", "1900-01-01")
    assert result.exit_code == 0
    rows = map_rows(result.output)
    assert sorted(rows) == CLASS_IDS
    assert all("no version in force" in row for row in rows.values())
    data = json.loads(run("check", SAMPLE, "--class", "all", "--as-of", "1900-01-01", "-f", "json").output)
    assert all(r["status"] is None and "1900-01-01" in r["error"] for r in data["results"])


def test_check_several_classes():
    other = next(c for c in CLASS_IDS if c != "la-1213")
    result = run("check", SAMPLE, "-c", "la-1213", "-c", other, "-c", "la-1213", "--as-of", "2016-06-30")
    assert result.exit_code == 0
    assert sorted(map_rows(result.output)) == sorted(["la-1213", other])


def test_a_qualified_candidate_qualifies_now(tmp_path):
    ex = example("la-1213", "qualified")
    out = run("check", write_example(tmp_path, ex), "-c", "la-1213", "-c", "la-1213", "--as-of", ex.as_of).output
    assert re.search(r"Status:\s+qualified", out)
    assert re.search(r"Earliest qualifying date:\s+now", out)


def test_broken_rule_file_is_named_and_the_rest_still_work(rules_copy):
    (rules_copy / "broken-class.yaml").write_text("id: broken-class\ntitle: Broken\njurisdiction: la\nversions: []\n")
    listing = run("classes", rules=rules_copy)
    assert listing.exit_code == 0
    assert "broken-class.yaml" in listing.stderr
    assert sorted(map_rows(listing.stdout)) == CLASS_IDS
    every = run("check", SAMPLE, "--class", "all", "--as-of", "2016-06-30", rules=rules_copy)
    assert every.exit_code == 1  # the table is shown, but one class could not be checked
    assert every.stderr.startswith("Error: broken-class was not checked: its rule file is broken: broken-class.yaml")
    rows = map_rows(every.stdout)
    assert sorted(rows) == sorted(CLASS_IDS + ["broken-class"])
    assert "rule file error" in rows["broken-class"]
    one = run("check", SAMPLE, "--class", "broken-class", rules=rules_copy)
    assert one.exit_code == 1
    assert one.stderr.startswith("Error: broken-class.yaml") and one.stderr.count("\n") == 1


# ------------------------------------------------------------------ interactive

INTERVIEW = [
    "",                                  # id is required: asked again
    "I-1", "Pat Doe",
    "y",                                 # add a job
    "City of Los Angeles", "Department of Water and Power", "Customer Service Rep", "1230",
    "2020-13-45", "2014-01-01",          # impossible date, then a real one
    "2013-01-01", "2015-12-31",          # end before start, then a real end
    "200", "",                           # 200 hours a week, then the default 40
    "",                                  # paid (default yes)
    "", "",                              # appointment, kinds of experience
    "boss", "",                          # supervision: not a level, then the default
    "",                                  # duties
    "n",                                 # no other job
    "y", "phd", "bachelor", "Business", "lots", "", "2010-06", "n",   # education
    "y", "Basic Bookkeeping", "45", "", "n",                          # training
    "y", "driver", "CA", "C", "2027-01-01", "n",                      # licence
]


def test_interactive_reasks_with_the_reason_and_saves(tmp_path):
    saved = tmp_path / "pat.yaml"
    result = run("check", "--interactive", "--class", "la-1213", "--as-of", "2016-06-30",
                 input="\n".join(INTERVIEW + ["y", str(saved)]) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Candidate id is required." in out
    assert "start: '2020-13-45' is not a real date" in out
    assert "end: end 2013-01-01 is before start 2014-01-01" in out
    assert "hours per week: 200 hours a week is outside 1–80" in out
    assert "supervision: " in out and "level: " in out and "units: " in out
    assert re.search(r"Status:\s+qualified", out)
    assert f"Saved to {saved}." in out
    [candidate] = load_file(saved)
    assert candidate.id == "I-1" and candidate.name == "Pat Doe"
    job = candidate.employment[0]
    assert (job.start, job.end, job.hours_per_week, job.class_code) == (dt.date(2014, 1, 1), dt.date(2015, 12, 31),
                                                                        40, "1230")
    assert candidate.education[0].level == "bachelor" and candidate.education[0].units is None
    assert candidate.training[0].hours == 45
    assert candidate.licenses[0].class_ == "C"
    again = run("check", saved, "--class", "la-1213", "--as-of", "2016-06-30", "-f", "json")
    assert json.loads(again.output)["status"] == "qualified"


def test_interactive_prompts_keep_standard_output_for_the_result():
    answers = ["I-3", "", "n", "n", "n", "n", "n"]
    result = run("check", "-i", "--class", "la-1213", "--as-of", "2016-06-30", "-f", "json",
                 input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["candidate_id"] == "I-3"
    assert "Candidate id:" in result.stderr


def test_interactive_without_saving_and_against_all_classes():
    answers = ["I-2", "", "n", "n", "n", "n", "n"]
    result = run("check", "-i", "--class", "all", "--as-of", "2016-06-30", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert sorted(map_rows(result.output)) == CLASS_IDS
    assert "Saved" not in result.output


# ------------------------------------------------------------------ explain

def test_explain_la_1213():
    result = run("explain", SAMPLE, "--class", "la-1213", "--as-of", "2016-06-30")
    assert result.exit_code == 0
    out = result.output
    assert "As of 2016-06-30: NOT QUALIFIED" in out
    assert "The minimum qualifications read:" in out
    assert "Required 24 months; credited 23; short by 1 month." in out
    assert "No qualifying date can be projected" in out
    table = out[out.index("Jobs (path"):]
    assert re.search(r"Job 1: Customer Service Representative, City of.*\s23\s+100%", table)


def test_explain_names_a_job_that_was_not_credited(tmp_path):
    path = tmp_path / "county.yaml"
    path.write_text("id: C-1\nemployment:\n  - {employer: County of Los Angeles, title: Customer Service "
                    "Representative, start: 2010-01-01, end: 2015-12-31}\n", encoding="utf-8")
    out = run("explain", path, "--class", "la-1213", "--as-of", "2016-06-30").output
    table = out[out.index("Jobs (path"):]
    assert "not credited:" in table and "County of Los" in table


@pytest.mark.parametrize("class_id", CLASS_IDS)
def test_every_class_can_be_explained(class_id, tmp_path):
    ex = example(class_id)
    path, day = (write_example(tmp_path, ex), ex.as_of) if ex else (SAMPLE, in_force(class_id))
    result = run("explain", path, "--class", class_id, "--as-of", day)
    assert result.exit_code == 0, result.output
    assert "The minimum qualifications read:" in result.output
    assert "Jobs" in result.output


@pytest.mark.parametrize("class_id", CLASS_IDS)
def test_notice_for_a_rejected_candidate_reads_as_a_letter(class_id, tmp_path):
    ex = example(class_id, "not_qualified")
    if ex is None:
        pytest.skip(f"{class_id} has no inline not-qualified example")
    result = run("explain", write_example(tmp_path, ex), "--class", class_id, "--as-of", ex.as_of, "--notice")
    assert result.exit_code == 0, result.output
    out = result.output
    loaded = BOOK.classes[class_id]
    assert out.startswith(loaded.policy.name.upper() + "\nNOTICE OF DISQUALIFICATION")
    assert f"Dear {ex.candidate.get('name') or 'Applicant'}," in out
    first_words = " ".join(loaded.version_for(ex.as_of).mq_text.split()[:6])
    assert first_words in " ".join(out.split())
    assert "What your application showed:" in out
    assert "Your right to appeal" in out and "Sincerely," in out
    assert "Traceback" not in out and "{" not in out
    appeal = loaded.policy.appeal
    if appeal:
        assert " ".join(appeal.body.split()) in " ".join(out.split())
    else:
        assert "[APPEAL BODY]" in out and "[APPEAL DEADLINE]" in out


def test_notice_fills_the_appeal_from_the_policy():
    result = run("explain", SAMPLE, "--class", "la-1213", "--as-of", "2016-06-30", "--notice")
    assert result.exit_code == 0
    out = " ".join(result.output.split())
    assert "Dear Sample Applicant," in out
    assert "Two years of full-time paid experience with the City of Los Angeles" in out
    assert "calls for 24 months. Your application shows 23 months that count toward it, so you are short by 1 month." \
        in out
    assert "appeal to the Board of Civil Service Commissioners, City of Los Angeles." in out
    deadline = dt.date.today() + dt.timedelta(days=14)
    assert f"within 14 calendar days of the date of this notice, that is by {deadline.isoformat()}" in out
    assert "[" not in out


def test_notice_marks_placeholders_where_the_policy_has_no_appeal(rules_copy):
    policy_file = rules_copy / "policies" / "la.yaml"
    policy = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    policy.pop("appeal")
    policy_file.write_text(yaml.safe_dump(policy), encoding="utf-8")
    out = run("explain", SAMPLE, "--class", "la-1213", "--as-of", "2016-06-30", "--notice", rules=rules_copy).output
    assert "[APPEAL BODY]" in out and "[APPEAL DEADLINE]" in out and "[HOW TO FILE AN APPEAL]" in out
    assert "Board of Civil Service" not in out


def test_no_notice_for_a_candidate_who_is_not_disqualified(tmp_path):
    ex = example("la-1213", "qualified")
    result = run("explain", write_example(tmp_path, ex), "--class", "la-1213", "--as-of", ex.as_of, "--notice")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No disqualification notice" in result.stderr and "qualified" in result.stderr

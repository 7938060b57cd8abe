"""The rule-coverage report (docs/rule-coverage.md) and its data (docs/rule-coverage.yaml)."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "coverage.py"
DATA = ROOT / "docs" / "rule-coverage.yaml"
REPORT = ROOT / "docs" / "rule-coverage.md"
CORPUS = ROOT.parent / "shared" / "corpus" / "mq_texts.jsonl"


def _load_script():
    spec = importlib.util.spec_from_file_location("coverage_tool", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


coverage = _load_script()


@pytest.fixture(scope="module")
def data():
    return coverage.load(DATA)


def _corpus() -> list[dict]:
    if not CORPUS.is_file():
        pytest.skip(f"corpus not present at {CORPUS}")
    with open(CORPUS, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_yaml_lists_exactly_the_corpus_ids(data):
    corpus = _corpus()
    ids = [t["id"] for t in data["texts"]]
    assert len(ids) == len(set(ids)), "a text is listed twice"
    assert sorted(ids) == sorted(r["id"] for r in corpus)
    assert len(ids) == 80


def test_yaml_class_titles_and_jurisdictions_match_the_corpus(data):
    corpus = {r["id"]: r for r in _corpus()}
    for t in data["texts"]:
        row = corpus[t["id"]]
        assert t["class"] == row["class_title"], t["id"]
        assert row["jurisdiction"].startswith(t["jurisdiction"]), t["id"]


def test_data_is_consistent(data):
    assert coverage.problems(data) == []


def test_every_feature_used_is_defined(data):
    defined = set(data["features"])
    used = {f for t in data["texts"] for f in t["needs"]}
    used |= {f for t in data["texts"] for f in t.get("central") or []}
    used |= set(data["supported_before"]) | set(data["supported_after"])
    assert used <= defined, sorted(used - defined)


def test_before_status_agrees_with_its_stated_basis(data):
    """A feature is unsupported before exactly when its basis says so."""
    for fid, feat in data["features"].items():
        says_unsupported = str(feat["basis"]).startswith("Not supported")
        assert says_unsupported == (fid not in data["supported_before"]), fid


def test_no_text_is_cut_short_by_a_yaml_comment():
    """An unquoted ' #' starts a YAML comment and silently shortens a definition or note."""
    plain = re.compile(r"^\s*(definition|basis|note):\s+[^'\"|>]")
    for n, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), 1):
        if plain.match(line):
            assert " #" not in line, f"rule-coverage.yaml line {n}: quote this value"


def test_markdown_is_up_to_date():
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


def test_check_fails_on_a_stale_report(tmp_path):
    stale = tmp_path / "rule-coverage.md"
    stale.write_text(REPORT.read_text(encoding="utf-8").replace("| full |", "| full (edited) |"), encoding="utf-8")
    run = subprocess.run([sys.executable, str(SCRIPT), "--check", "--output", str(stale)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    assert "out of date" in run.stderr


def test_verdicts():
    text = {"id": "t", "needs": ["a", "b", "c"], "central": ["a"]}
    assert coverage.verdict(text, {"a", "b", "c"}) == "full"
    assert coverage.verdict(text, {"a", "b"}) == "partial"
    assert coverage.missing(text, {"a", "b"}) == ["c"]
    assert coverage.verdict(text, {"b", "c"}) == "none"
    assert coverage.verdict({"id": "u", "needs": ["a"]}, set()) == "partial"


def test_inconsistent_data_is_reported(data):
    broken = dict(data)
    broken["texts"] = data["texts"] + [{"id": "x", "class": "X", "jurisdiction": "Y", "needs": ["no_such_feature"],
                                        "central": ["paid_only"]}]
    found = coverage.problems(broken)
    assert any("no_such_feature" in p for p in found)
    assert any("central feature 'paid_only'" in p for p in found)
    with pytest.raises(coverage.DataError):
        coverage.render(broken)


def test_after_support_changes_the_after_columns_only(data):
    extended = dict(data)
    extended["supported_after"] = list(data["supported_before"]) + ["class_at_level"]
    report = coverage.render(extended)
    base = coverage.render(dict(data, supported_after=list(data["supported_before"])))
    assert "still equal to `supported_before`" in base and "still equal" not in report
    after_full = sum(1 for t in data["texts"] if coverage.verdict(t, set(extended["supported_after"])) == "full")
    before_full = sum(1 for t in data["texts"] if coverage.verdict(t, set(data["supported_before"])) == "full")
    assert after_full > before_full
    assert f"| full | {before_full} | {after_full} | +{after_full - before_full} |" in report


def test_every_newly_supported_feature_says_how_and_names_its_extension(data):
    newly = set(data["supported_after"]) - set(data["supported_before"])
    assert newly, "no extension is recorded"
    named = {f for ext in data["extensions"] for f in ext["features"]}
    assert newly <= named
    for fid in newly:
        assert data["features"][fid].get("after"), fid
    broken = dict(data, extensions=[])
    assert any("no extension names it" in p for p in coverage.problems(broken))
    unexplained = dict(data, features={**data["features"], "class_at_level": {
        k: v for k, v in data["features"]["class_at_level"].items() if k != "after"}})
    assert any("'class_at_level' is supported after but its `after` does not say how" in p
               for p in coverage.problems(unexplained))
    contradicted = dict(data, supported_after=data["supported_after"] + ["conditional_or_union_filter"])
    assert any("says it is still not supported" in p for p in coverage.problems(contradicted))


def test_the_report_lists_the_extensions_and_the_basis_of_the_after_status(data):
    report = REPORT.read_text(encoding="utf-8")
    intro = report.split("## Summary")[0]
    assert "### Rule language extensions" in intro
    for ext in data["extensions"]:
        assert f"- `{ext['commit']}`:" in intro
    basis = report.split("### Basis of the after status")[1].split("## Texts")[0]
    for fid, feat in data["features"].items():
        assert (f"- `{fid}`:" in basis) == bool(feat.get("after")), fid


def test_extension_commits_exist():
    data = coverage.load(DATA)
    run = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True, cwd=ROOT)
    if run.returncode != 0:
        pytest.skip("not a git work tree")
    for ext in data["extensions"]:
        found = subprocess.run(["git", "cat-file", "-e", f"{ext['commit']}^{{commit}}"], cwd=ROOT)
        assert found.returncode == 0, f"extension commit {ext['commit']} is not in this repository"

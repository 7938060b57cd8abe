"""Rule loading (DESIGN §5): broken rule files are refused with the file and the location.

Each case under tests/data/rules_broken/ overlays a few files on a copy of the
small, valid tests/data/rules_test/ folder; expected.yaml says what the error
must name.
"""

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from eligibility import RuleError, load_rules

DATA = Path(__file__).resolve().parent / "data"
GOOD = DATA / "rules_test"
BROKEN = DATA / "rules_broken"
EXPECTED = yaml.safe_load((BROKEN / "expected.yaml").read_text(encoding="utf-8"))
GOOD_CLASSES = ["dated", "graduate", "multi", "professional", "programmer"]
CLASS_CASES = sorted(name for name, want in EXPECTED.items() if not want.get("always_raises"))
SHARED_CASES = sorted(name for name, want in EXPECTED.items() if want.get("always_raises"))


def assemble(case: str, tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(GOOD, folder)
    shutil.copytree(BROKEN / case, folder, dirs_exist_ok=True)
    return folder


def test_every_case_has_an_expectation():
    assert {p.name for p in BROKEN.iterdir() if p.is_dir()} == set(EXPECTED)


def test_the_base_folder_loads_cleanly():
    book = load_rules(GOOD)
    assert sorted(book.classes) == GOOD_CLASSES
    assert book.errors == []
    assert set(book.policies) == {"testland"}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_rules_strict(case, tmp_path):
    want = EXPECTED[case]
    with pytest.raises(RuleError) as info:
        load_rules(assemble(case, tmp_path))
    err = info.value
    assert err.file == want["file"], str(err)
    assert err.location == want["location"], str(err)
    text = str(err)
    assert text.startswith(want["file"]), text
    if want["location"]:
        assert f" at {want['location']}:" in text, text
    for fragment in want["contains"]:
        assert fragment in text, f"{fragment!r} missing from {text!r}"


@pytest.mark.parametrize("case", CLASS_CASES)
def test_broken_class_file_not_strict_keeps_the_good_classes(case, tmp_path):
    book = load_rules(assemble(case, tmp_path), strict=False)
    assert sorted(book.classes) == GOOD_CLASSES
    assert [e.file for e in book.errors] == ["extra.yaml"]
    assert book.errors[0].location == EXPECTED[case]["location"]
    # asking for the broken class gives its error, not "unknown class"
    with pytest.raises(RuleError) as info:
        book.get("extra")
    assert info.value is book.errors[0]


@pytest.mark.parametrize("case", SHARED_CASES)
def test_broken_policy_or_vocabulary_raises_even_when_not_strict(case, tmp_path):
    with pytest.raises(RuleError) as info:
        load_rules(assemble(case, tmp_path), strict=False)
    assert info.value.file == EXPECTED[case]["file"]


def test_several_broken_files_are_all_listed(tmp_path):
    folder = assemble("wrong-type", tmp_path)
    for case in ("unknown-kind", "python-tag"):
        shutil.copy(BROKEN / case / "extra.yaml", folder / f"extra-{case}.yaml")
    book = load_rules(folder, strict=False)
    assert sorted(book.classes) == GOOD_CLASSES
    assert sorted(e.file for e in book.errors) == ["extra-python-tag.yaml", "extra-unknown-kind.yaml", "extra.yaml"]


def test_python_tag_is_never_constructed(tmp_path, monkeypatch):
    """safe loading refuses the tag before anything is called."""
    import os

    calls = []
    monkeypatch.setattr(os, "getcwd", lambda: calls.append("called") or "/")
    with pytest.raises(RuleError, match="could not determine a constructor"):
        load_rules(assemble("python-tag", tmp_path))
    assert calls == []


def test_unknown_class_id_lists_the_known_ones():
    book = load_rules(GOOD)
    with pytest.raises(KeyError, match=", ".join(GOOD_CLASSES)):
        book.get("nope")


def test_missing_folder_and_missing_vocabulary(tmp_path):
    with pytest.raises(RuleError, match="rules folder does not exist"):
        load_rules(tmp_path / "nowhere")
    folder = tmp_path / "rules"
    shutil.copytree(GOOD, folder)
    (folder / "vocabulary.yaml").unlink()
    with pytest.raises(RuleError) as info:
        load_rules(folder)
    assert info.value.file == "vocabulary.yaml" and "missing" in str(info.value)


# ------------------------------------------------------------ versions

@pytest.mark.parametrize("day,version", [
    (dt.date(2010, 1, 1), "2010"),
    (dt.date(2015, 12, 31), "2010"),
    (dt.date(2018, 1, 1), "2018"),
    (dt.date(2026, 11, 23), "2018"),
])
def test_the_as_of_date_picks_the_version(day, version):
    assert load_rules(GOOD).get("dated").version_for(day).version == version


@pytest.mark.parametrize("day", [dt.date(2009, 12, 31), dt.date(2016, 1, 1), dt.date(2017, 12, 31)])
def test_no_version_in_force(day):
    loaded = load_rules(GOOD).get("dated")
    with pytest.raises(RuleError) as info:
        loaded.version_for(day)
    err = info.value
    assert (err.file, err.location) == ("dated.yaml", "versions")
    assert day.isoformat() in str(err)
    assert "2010-01-01–2015-12-31" in str(err) and "2018-01-01–now" in str(err)


def test_evaluate_with_no_version_in_force_raises_rule_error():
    from eligibility import evaluate, parse_candidates

    cand = parse_candidates({"id": "V-1"})[0]
    with pytest.raises(RuleError, match="no version of dated is in force on 2017-06-30"):
        evaluate(cand, load_rules(GOOD).get("dated"), dt.date(2017, 6, 30))


def test_content_hash_changes_with_the_rule_file(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(GOOD, folder)
    before = load_rules(folder).get("multi").content_hash
    path = folder / "multi.yaml"
    path.write_text(path.read_text().replace("months: 6", "months: 7"))
    assert load_rules(folder).get("multi").content_hash != before


def test_the_real_rules_folder_loads():
    """The seed rules must load strictly (la-1213 at least, whatever else is being added)."""
    book = load_rules(Path(__file__).resolve().parent.parent / "rules")
    assert "la-1213" in book.classes

"""Every example embedded in a rule file is a test (as OpenFisca runs its YAML tests)."""

import pytest

from eligibility import evaluate, explain, load_rules, parse_candidates, load_file
from eligibility.determination import Determination

from conftest import RULES

_book = load_rules(RULES)
CASES = [
    pytest.param(loaded, version, example, id=f"{cid}@{version.version}: {example.name}")
    for cid, loaded in sorted(_book.classes.items())
    for version in loaded.spec.versions
    for example in version.examples
]


def find_requirement(d: Determination, key: str):
    """'experience' in the chosen path first, then in any path; 'path.req' names one node exactly."""
    ordered = sorted(d.paths, key=lambda p: p.id != d.path)
    for p in ordered:
        for r in p.requirements:
            if r.node == key or r.id == key:
                return r
    raise AssertionError(f"no requirement {key!r} in the determination")


def check(d: Determination, expect) -> None:
    text = explain(d)
    assert d.status == expect.status, text
    if expect.path:
        assert d.path == expect.path, text
    for key, want in expect.requirements.items():
        got = find_requirement(d, key)
        for attr in ("met", "outcome"):
            if getattr(want, attr) is not None:
                assert getattr(got, attr) == getattr(want, attr), f"{key}.{attr}\n{text}"
        for attr in ("found", "required", "shortfall"):
            if getattr(want, attr) is not None:
                assert getattr(got, attr) == pytest.approx(getattr(want, attr), abs=0.01), f"{key}.{attr}\n{text}"
    if expect.earliest_qualifying_date:
        assert d.earliest_qualifying_date == expect.earliest_qualifying_date, text
    if expect.appointable_from:
        assert d.appointable_from == expect.appointable_from, text
    for fragment in expect.explanation_contains:
        assert fragment in text, text


@pytest.mark.parametrize("loaded,version,example", CASES)
def test_rule_file_example(loaded, version, example):
    if example.file:
        candidate = load_file(loaded.file.parent / example.file)[0]
    else:
        candidate = parse_candidates(example.candidate, source=example.name)[0]
    check(evaluate(candidate, loaded, example.as_of), example.expect)


def test_every_class_has_examples_for_pass_and_fail():
    for cid, loaded in _book.classes.items():
        for version in loaded.spec.versions:
            statuses = {e.expect.status for e in version.examples}
            assert {"qualified", "not_qualified"} <= statuses, f"{cid}@{version.version} lacks pass/fail examples"
            passed_paths = {e.expect.path for e in version.examples if e.expect.status == "qualified" and e.expect.path}
            assert passed_paths >= {p.id for p in version.paths}, f"{cid}@{version.version}: a path has no example"

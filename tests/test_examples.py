"""Every example embedded in a rule file is a test (as OpenFisca runs its YAML tests).

The running and comparing is the library's (eligibility.examples, also behind
`eligibility classes --verify`); a failing example names its file, location and
what differed, followed by the full explanation.
"""

import pytest

from eligibility import explain, load_rules
from eligibility.examples import compare, run_example

from conftest import RULES

_book = load_rules(RULES)
CASES = [
    pytest.param(loaded, v, e, id=f"{cid}@{version.version}: {example.name}")
    for cid, loaded in sorted(_book.classes.items())
    for v, version in enumerate(loaded.spec.versions)
    for e, example in enumerate(version.examples)
]


def check(d, expect) -> None:
    """Assert that a determination is what an example expects (also used by test_language)."""
    problems = compare(d, expect)
    assert not problems, "; ".join(problems) + "\n\n" + explain(d)


@pytest.mark.parametrize("loaded,v,e", CASES)
def test_rule_file_example(loaded, v, e):
    result, d = run_example(loaded, v, e)
    assert result.passed, f"{result}\n\n{explain(d) if d else ''}"


def test_every_class_has_examples_for_pass_and_fail():
    for cid, loaded in _book.classes.items():
        for version in loaded.spec.versions:
            statuses = {e.expect.status for e in version.examples}
            assert {"qualified", "not_qualified"} <= statuses, f"{cid}@{version.version} lacks pass/fail examples"
            passed_paths = {e.expect.path for e in version.examples if e.expect.status == "qualified" and e.expect.path}
            assert passed_paths >= {p.id for p in version.paths}, f"{cid}@{version.version}: a path has no example"

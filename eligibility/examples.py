"""Running the examples embedded in rule files (as OpenFisca runs its YAML tests).

A rule file's examples are candidates with the outcome the file's author
expects.  Loading a rules folder does not run them (a class whose examples fail
is still usable, as code whose tests fail still runs); ``verify_examples`` does,
and says for each failing example its file, its location in the file, its name
and what differed, so that a rule author or the test suite can see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .candidate import InputError, load_file, parse_candidates
from .determination import Determination
from .evaluate import evaluate
from .explain import explain
from .rulebook import LoadedClass, RuleBook
from .spec import Example, Expectation

_CLOSE = 0.01  # months, units or hours: examples give found, required and shortfall to two decimals


@dataclass
class ExampleResult:
    """One example run: where it is, and what differed from what it expects (nothing if it passed)."""

    class_id: str
    file: str
    location: str
    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        head = f"{self.file} at {self.location} (example {self.name!r})"
        return head + (": " + "; ".join(self.problems) if self.problems else ": passed")


def _requirement(d: Determination, key: str):
    """'experience' in the chosen path first, then in any path; 'path.req' names one node exactly."""
    for p in sorted(d.paths, key=lambda p: p.id != d.path):
        for r in p.requirements:
            if r.node == key or r.id == key:
                return r
    return None


def compare(d: Determination, expect: Expectation) -> list[str]:
    """What in ``d`` differs from ``expect``, one phrase each ('status: expected X, got Y')."""
    problems = []
    if d.status != expect.status:
        problems.append(f"status: expected {expect.status}, got {d.status}")
    if expect.path and d.path != expect.path:
        problems.append(f"path: expected {expect.path}, got {d.path}")
    for key, want in expect.requirements.items():
        got = _requirement(d, key)
        if got is None:
            problems.append(f"requirement {key!r}: not in the determination")
            continue
        for attr in ("met", "outcome"):
            if getattr(want, attr) is not None and getattr(got, attr) != getattr(want, attr):
                problems.append(f"{key}.{attr}: expected {getattr(want, attr)}, got {getattr(got, attr)}")
        for attr in ("found", "required", "shortfall"):
            if getattr(want, attr) is not None and abs(getattr(got, attr) - getattr(want, attr)) > _CLOSE:
                problems.append(f"{key}.{attr}: expected {getattr(want, attr):g}, got {getattr(got, attr):g}")
    for attr in ("earliest_qualifying_date", "appointable_from"):
        if getattr(expect, attr) and getattr(d, attr) != getattr(expect, attr):
            problems.append(f"{attr}: expected {getattr(expect, attr)}, got {getattr(d, attr)}")
    if expect.explanation_contains:
        text = explain(d)
        problems += [f"explanation does not contain {fragment!r}" for fragment in expect.explanation_contains
                     if fragment not in text]
    return problems


def run_example(loaded: LoadedClass, v: int, e: int) -> tuple[ExampleResult, Determination | None]:
    """Example ``e`` of version ``v`` of a class: its result, and the determination made (None if none was)."""
    example: Example = loaded.spec.versions[v].examples[e]
    result = ExampleResult(loaded.spec.id, loaded.file.name, f"versions.{v}.examples.{e}", example.name)
    try:
        if example.file:
            candidate = load_file(loaded.file.parent / example.file)[0]
        else:
            candidate = parse_candidates(example.candidate, source=example.name)[0]
    except InputError as exc:
        result.problems.append(f"its candidate cannot be read: {exc}")
        return result, None
    try:
        d = evaluate(candidate, loaded, example.as_of)
    except Exception as exc:  # noqa: BLE001 - a failing example is reported, never a crash
        result.problems.append(f"could not be evaluated ({type(exc).__name__}: {exc})")
        return result, None
    result.problems += compare(d, example.expect)
    return result, d


def verify_examples(book: RuleBook, class_ids: list[str] | None = None) -> list[ExampleResult]:
    """Run every example of every class in ``book`` (or of ``class_ids``), in file order."""
    out = []
    for cid in class_ids if class_ids is not None else sorted(book.classes):
        loaded = book.classes[cid]
        for v, version in enumerate(loaded.spec.versions):
            for e in range(len(version.examples)):
                out.append(run_example(loaded, v, e)[0])
    return out

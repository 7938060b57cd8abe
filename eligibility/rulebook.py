"""Loading and validating the rules folder.

Rule files are read with a safe loader only (``dates.load_yaml``: safe_load that
leaves impossible dates to validation), validated by the models in
:mod:`eligibility.spec`, and checked for references that dangle (a policy, an
organisation or a kind of experience that does not exist).  Every error names
the file and the location inside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from .dates import load_yaml
from .spec import ClassSpec, ExperienceRequirement, JobFilter, Policy, Version, Vocabulary

ExperienceRequirement.model_rebuild()


class RuleError(ValueError):
    """A rule file that cannot be used, with its file and location."""

    def __init__(self, file: str, location: str, message: str):
        self.file, self.location, self.message = file, location, message
        where = f" at {location}" if location else ""
        super().__init__(f"{file}{where}: {message}")


def default_rules_dir() -> Path:
    """``$ELIGIBILITY_RULES``, else ``./rules``, else the rules beside the package."""
    env = os.environ.get("ELIGIBILITY_RULES")
    if env:
        return Path(env)
    here = Path.cwd() / "rules"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "rules"


def _read_yaml(path: Path) -> tuple[object, bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(path.name, "", f"cannot be read ({exc.strerror})") from None
    try:
        return load_yaml(raw.decode("utf-8-sig")), raw
    except UnicodeDecodeError as exc:
        raise RuleError(path.name, f"byte {exc.start}", "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleError(path.name, where, f"not valid YAML: {problem}") from None


def _validate(model, data, path: Path):
    if not isinstance(data, dict):
        raise RuleError(path.name, "", f"must be a mapping of keys, found {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("function-", "tagged-union")))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the rule language)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"] == "union_tag_invalid":
            msg = f"unknown requirement type {err.get('input', {}).get('type')!r}" if isinstance(err.get("input"), dict) else msg
        return _raise(path, loc, f"{msg} (found {_short(err.get('input'))})" if err["type"] not in ("missing",) else msg)


def _raise(path: Path, loc: str, msg: str):
    raise RuleError(path.name, loc, msg)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class LoadedClass:
    spec: ClassSpec
    policy: Policy
    vocabulary: Vocabulary
    file: Path
    content_hash: str

    def version_for(self, as_of: dt.date) -> Version:
        for version in self.spec.versions:
            if version.in_force(as_of):
                return version
        spans = ", ".join(f"{v.effective_from}–{v.effective_to or 'now'}" for v in self.spec.versions)
        raise RuleError(self.file.name, "versions",
                        f"no version of {self.spec.id} is in force on {as_of.isoformat()} (versions cover {spans})")


@dataclass
class RuleBook:
    """Every class in a rules folder, plus the files that failed to load."""

    folder: Path
    classes: dict[str, LoadedClass] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    vocabulary: Vocabulary | None = None
    errors: list[RuleError] = field(default_factory=list)

    def get(self, class_id: str) -> LoadedClass:
        if class_id in self.classes:
            return self.classes[class_id]
        for err in self.errors:
            if Path(err.file).stem == class_id:
                raise err
        known = ", ".join(sorted(self.classes)) or "none"
        raise KeyError(f"unknown class id {class_id!r} (known: {known})")


def _check_references(spec: ClassSpec, policy: Policy, vocab: Vocabulary, path: Path) -> None:
    orgs = {o.id for o in policy.organizations}
    kinds = set(vocab.kinds)

    def check_filter(flt: JobFilter | object, loc: str):
        for key in ("employers", "departments"):
            for i, ref in enumerate(getattr(flt, key, [])):
                if ref not in orgs:
                    _raise(path, f"{loc}.{key}.{i}",
                           f"organization {ref!r} is not defined in policy {policy.id!r} (defined: {', '.join(sorted(orgs))})")
        for key in ("kinds_any", "kinds_all", "kinds_none"):
            for i, ref in enumerate(getattr(flt, key, [])):
                if ref not in kinds:
                    _raise(path, f"{loc}.{key}.{i}", f"kind of experience {ref!r} is not in the vocabulary")
        for i, ref in enumerate(getattr(flt, "sectors", [])):
            if ref not in vocab.sectors:
                _raise(path, f"{loc}.sectors.{i}", f"sector {ref!r} is not in the vocabulary")
        for j, sub in enumerate(getattr(flt, "of_which", [])):
            check_filter(sub, f"{loc}.of_which.{j}")
        for j, alt in enumerate(getattr(flt, "any_of", [])):
            check_filter(alt, f"{loc}.any_of.{j}")
        instead = getattr(flt, "or_experience", None)
        if instead is not None and instead.experience is not None:
            check_filter(instead.experience, f"{loc}.or_experience.experience")

    for v, version in enumerate(spec.versions):
        for p, pth in enumerate(version.paths):
            for r, req in enumerate(pth.requirements):
                check_filter(req, f"versions.{v}.paths.{p}.requirements.{r}")
        for d, desirable in enumerate(version.desirable):
            if desirable.experience:
                check_filter(desirable.experience, f"versions.{v}.desirable.{d}.experience")
            if desirable.requirement:
                check_filter(desirable.requirement, f"versions.{v}.desirable.{d}.requirement")
        for e, example in enumerate(version.examples):
            if not version.in_force(example.as_of):
                _raise(path, f"versions.{v}.examples.{e}.as_of",
                       f"example {example.name!r} has as_of {example.as_of} outside version {version.version!r}")
            if example.file and not (path.parent / example.file).is_file():
                _raise(path, f"versions.{v}.examples.{e}.file", f"example file {example.file!r} does not exist")


def load_rules(folder: str | Path | None = None, *, strict: bool = True) -> RuleBook:
    """Load every class in ``folder``.

    With ``strict`` (the default) the first broken file raises RuleError;
    without it, broken class files are listed in ``RuleBook.errors`` and the
    other classes stay usable.  A broken policy or vocabulary always raises,
    since every class depends on them.
    """
    folder = Path(folder) if folder else default_rules_dir()
    if not folder.is_dir():
        raise RuleError(str(folder), "", "rules folder does not exist")
    book = RuleBook(folder=folder)
    raw_parts: dict[str, bytes] = {}

    vocab_path = folder / "vocabulary.yaml"
    if not vocab_path.is_file():
        raise RuleError(vocab_path.name, "", "the vocabulary file is missing")
    data, raw_vocab = _read_yaml(vocab_path)
    book.vocabulary = _validate(Vocabulary, data, vocab_path)

    for ppath in sorted((folder / "policies").glob("*.yaml")):
        data, raw = _read_yaml(ppath)
        policy = _validate(Policy, data, ppath)
        if policy.id != ppath.stem:
            _raise(ppath, "id", f"policy id {policy.id!r} must match the file name {ppath.stem!r}")
        book.policies[policy.id] = policy
        raw_parts[policy.id] = raw

    for path in sorted(folder.glob("*.yaml")):
        if path.name == "vocabulary.yaml":
            continue
        try:
            data, raw = _read_yaml(path)
            spec = _validate(ClassSpec, data, path)
            if spec.id != path.stem:
                _raise(path, "id", f"class id {spec.id!r} must match the file name {path.stem!r}")
            policy = book.policies.get(spec.jurisdiction)
            if policy is None:
                _raise(path, "jurisdiction", f"policy {spec.jurisdiction!r} does not exist in {folder / 'policies'}")
            _check_references(spec, policy, book.vocabulary, path)
        except RuleError as err:
            if strict:
                raise
            book.errors.append(err)
            continue
        digest = hashlib.sha256(raw + b"\0" + raw_parts[spec.jurisdiction] + b"\0" + raw_vocab).hexdigest()[:16]
        book.classes[spec.id] = LoadedClass(spec, policy, book.vocabulary, path, digest)
    return book

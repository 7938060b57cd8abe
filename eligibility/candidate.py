"""The candidate: one applicant's work history, education, training and licences.

This is the contract for every input (JSON, YAML and CSV all map onto it).
Validation problems become :class:`InputError` sentences that name the
record, the field and the offending value, and nothing else of the applicant.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .dates import load_yaml, parse_date

EDUCATION_LEVELS = (
    "high_school",
    "ged",
    "certificate",
    "associate",
    "bachelor",
    "master",
    "doctorate",
    "college_units",
)
SUPERVISION_LEVELS = ("none", "lead", "supervisor")


class InputError(ValueError):
    """A problem with input data, phrased for the person who supplied it."""

    def __init__(self, message: str, *, record: str | None = None, field: str | None = None, value: Any = None):
        super().__init__(message)
        self.message = message
        self.record = record
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return self.message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


def _date_or_none(value, *, end: bool = False):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value, end=end)


class Job(_Strict):
    employer: str = Field(min_length=1)
    department: str | None = None
    title: str | None = None
    class_code: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    hours_per_week: float | None = 40
    paid: bool = True
    appointment: str | None = None
    duties: str | None = None
    experience: list[str] = Field(default_factory=list)
    supervision: Literal["none", "lead", "supervisor"] = "none"

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v):
        return _date_or_none(v)

    @field_validator("end", mode="before")
    @classmethod
    def _end(cls, v):
        return _date_or_none(v, end=True)

    @field_validator("class_code", mode="before")
    @classmethod
    def _code(cls, v):
        return None if v is None else str(v)

    @field_validator("hours_per_week")
    @classmethod
    def _hours(cls, v):
        if v is not None and not 1 <= v <= 80:
            raise ValueError(f"{v:g} hours a week is outside 1–80")
        return v

    @field_validator("experience", mode="before")
    @classmethod
    def _kinds(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            return [k.strip() for k in v.split(";") if k.strip()]
        return v

    @field_validator("supervision", mode="before")
    @classmethod
    def _supervision(cls, v):
        if v is None or (isinstance(v, str) and not v.strip()):
            return "none"
        return str(v).strip().lower()

    @model_validator(mode="after")
    def _order(self):
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end.isoformat()} is before start {self.start.isoformat()}")
        return self


class Education(_Strict):
    level: Literal[EDUCATION_LEVELS]  # type: ignore[valid-type]
    field: str | None = None
    units: float | None = Field(default=None, ge=0)
    unit_system: Literal["semester", "quarter"] = "semester"
    completed: dt.date | None = None

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, v):
        return str(v).strip().lower().replace(" ", "_").replace("-", "_") if v is not None else v

    @field_validator("completed", mode="before")
    @classmethod
    def _completed(cls, v):
        return _date_or_none(v, end=True)


class Training(_Strict):
    subject: str = Field(min_length=1)
    hours: float | None = Field(default=None, ge=0)
    completed: dt.date | None = None

    @field_validator("completed", mode="before")
    @classmethod
    def _completed(cls, v):
        return _date_or_none(v, end=True)


class License(_Strict):
    kind: Literal["driver", "other"]
    state: str | None = None
    class_: str | None = Field(default=None, alias="class")
    name: str | None = None
    issued: dt.date | None = None
    expires: dt.date | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v):
        return str(v).strip().lower() if v is not None else v

    @field_validator("class_", mode="before")
    @classmethod
    def _class(cls, v):
        return None if v is None else str(v)

    @field_validator("expires", mode="before")
    @classmethod
    def _expires(cls, v):
        return _date_or_none(v, end=True)

    @field_validator("issued", mode="before")
    @classmethod
    def _issued(cls, v):
        # a partial date is read as the end of its month: experience is never credited before the licence
        return _date_or_none(v, end=True)

    @model_validator(mode="after")
    def _order(self):
        if self.issued and self.expires and self.expires < self.issued:
            raise ValueError(f"expires {self.expires.isoformat()} is before issued {self.issued.isoformat()}")
        return self


class Candidate(_Strict):
    id: str = Field(min_length=1)
    name: str | None = None
    employment: list[Job] = Field(default_factory=list)
    education: list[Education] = Field(default_factory=list)
    training: list[Training] = Field(default_factory=list)
    licenses: list[License] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v):
        return None if v is None else str(v)

    @field_validator("employment", "education", "training", "licenses", mode="before")
    @classmethod
    def _lists(cls, v):
        return [] if v is None else v


# ---------------------------------------------------------------- errors

def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_order()]",) or str(part).startswith(("function-", "literal[")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "record"


def describe_validation_error(record: str, error: ValidationError) -> InputError:
    """Turn pydantic's first error into one sentence naming record, field and value."""
    first = error.errors(include_url=False)[0]
    field = _location(first["loc"])
    kind = first["type"]
    value = first.get("input")
    if kind == "missing":
        return InputError(f"Record {record}: field '{field}' is required but missing.", record=record, field=field)
    if kind == "extra_forbidden":
        return InputError(f"Record {record}: field '{field}' is not a known field (value {_show(value)}).",
                          record=record, field=field, value=value)
    msg = first["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind == "literal_error":
        msg = f"must be one of {first['ctx']['expected']}"
    if isinstance(value, dict):
        # a whole-object check such as "end ... is before start ...": its
        # message opens with the offending field, so name that field
        key = msg.split(" ", 1)[0]
        if key in value:
            field, value = (f"{field}.{key}" if first["loc"] else key), value[key]
        else:
            return InputError(f"Record {record}: {field}: {msg}.", record=record, field=field, value=None)
    return InputError(f"Record {record}: field '{field}' has value {_show(value)}: {msg}.",
                      record=record, field=field, value=value)


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def candidate_from_dict(data: Any, *, where: str = "") -> Candidate:
    """Validate one candidate mapping; raise InputError naming the record."""
    if not isinstance(data, dict):
        raise InputError(f"{where or 'Input'}: a candidate must be a mapping of fields, found {type(data).__name__}.")
    record = str(data.get("id")) if data.get("id") not in (None, "") else (where or "(no id)")
    try:
        return Candidate.model_validate(data)
    except ValidationError as exc:
        raise describe_validation_error(record, exc) from None


def parse_candidates(data: Any, *, source: str = "input") -> list[Candidate]:
    """Accept one candidate, a list of candidates, or ``{candidates: [...]}``."""
    if isinstance(data, dict) and "candidates" in data and "id" not in data:
        data = data["candidates"]
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InputError(f"{source}: no candidates found.")
    out: list[Candidate] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        cand = candidate_from_dict(item, where=f"{source} item {n}")
        if cand.id in seen:
            raise InputError(f"Record {cand.id}: field 'id' has value {cand.id!r}: duplicate id in {source}.",
                             record=cand.id, field="id", value=cand.id)
        seen.add(cand.id)
        out.append(cand)
    return out


def _unique(pairs: list[tuple[str, Any]], source: str) -> dict:
    """A JSON object, refused if it gives a key twice (json keeps the last one without a word)."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"{source}: not valid JSON: key {key!r} is given twice in one object.")
        out[key] = value
    return out


def load_text(text: str, *, source: str = "input", fmt: str | None = None) -> list[Candidate]:
    """Parse JSON or YAML text (YAML through safe_load)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{source}: the file is empty.")
    try:
        if fmt == "json":
            data = json.loads(text, object_pairs_hook=lambda pairs: _unique(pairs, source))
        else:
            data = load_yaml(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InputError(f"{source}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.") from None
    if data is None:  # only comments or document markers
        raise InputError(f"{source}: the file is empty.")
    return parse_candidates(data, source=source)


def load_file(path: str | Path) -> list[Candidate]:
    """Read a candidate file (.json, .yaml or .yml), UTF-8 with or without BOM."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: is not UTF-8 text (byte {exc.start}).") from None
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return load_text(text, source=path.name, fmt=fmt)

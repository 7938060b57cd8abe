"""The rule-file language: a class's minimum qualifications as data.

A rule file (``rules/<id>.yaml``) holds one job class and its dated versions;
a jurisdiction policy (``rules/policies/<id>.yaml``) holds how that
jurisdiction credits experience and who its employers are; the vocabulary
(``rules/vocabulary.yaml``) holds the kinds of experience and the words that
suggest them.  Every model refuses unknown keys so that a misspelt key is an
error, not a silently ignored requirement.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .candidate import EDUCATION_LEVELS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ----------------------------------------------------------------- policy

class Organization(_Strict):
    id: str
    name: str
    aliases: list[str] = []
    parent: str | None = None
    sector: Literal["government", "utility", "private", "nonprofit"] | None = None


class Appeal(_Strict):
    body: str
    deadline_days: int
    how: str | None = None
    source: str | None = None


class ClassLevel(_Strict):
    """Which classes are "at the level of" a class, as far as the jurisdiction has said.

    ``at`` lists classes at (or taken to be at) the level, by title or class
    code; ``below`` lists classes known to be below it.  A class in neither
    list is left to an analyst unless ``complete`` says the lists are the
    whole answer (then a class not listed in ``at`` is not at the level).
    """

    name: str
    at: list[str] = Field(min_length=1)
    below: list[str] = []
    complete: bool = False
    source: str | None = None


class Policy(_Strict):
    """How one jurisdiction credits experience (DESIGN §6), with its sources."""

    id: str
    name: str
    full_time_hours: float = Field(40, gt=0, le=80)
    hours_per_month: float = Field(173.33, gt=0)
    month_counting: Literal["exact", "fifteen_days", "whole_months"] = "exact"
    volunteer_counts: bool = False
    concurrent_cap: Literal["full_time"] = "full_time"
    unknown_hours: Literal["review"] = "review"
    organizations: list[Organization] = []
    title_abbreviations: dict[str, str] = {}
    # a plain list is a complete table (classes not listed are not at the level)
    class_levels: dict[str, Union[list[str], ClassLevel]] = {}
    appeal: Appeal | None = None
    sources: list[str] = []

    @field_validator("organizations")
    @classmethod
    def _parents(cls, organizations):
        ids = {o.id for o in organizations}
        for org in organizations:
            if org.parent and org.parent not in ids:
                raise ValueError(f"organization {org.id!r} names parent {org.parent!r}, which is not defined")
        return organizations


class Vocabulary(_Strict):
    """Kinds of experience and the words in a title or duties that suggest them."""

    kinds: dict[str, list[str]]
    sectors: dict[str, list[str]] = {}


# ----------------------------------------------------------- requirements

class _Requirement(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str | None = None
    note: str | None = None


class LicenseMatch(_Strict):
    """Which licences or certificates count: kind, and the state, classes and name where given."""

    kind: Literal["driver", "other"]
    state: str | None = None
    classes: list[str] = []
    name: str | None = None


class EducationMilestone(_Strict):
    min_level: Literal[EDUCATION_LEVELS]  # type: ignore[valid-type]
    fields: list[str] = []


class TrainingMilestone(_Strict):
    subjects: list[str] = Field(min_length=1)


class Milestone(_Strict):
    """Experience that counts only once the candidate holds something: exactly one of the three.

    "Non-City experience must be gained in positions after obtaining a four-year
    degree", "gained in positions after obtaining an EIT certificate", "following
    completion of a recognized apprenticeship program": only the part of each job
    from the day the degree was completed, the licence issued or the training
    completed counts.  ``while_held`` ("a certificate ... is required for the
    entire four years of qualifying experience") also ends it when the licence expired.
    """

    education: EducationMilestone | None = None
    license: LicenseMatch | None = None
    training: TrainingMilestone | None = None
    while_held: bool = False

    @model_validator(mode="after")
    def _one(self):
        given = [k for k in ("education", "license", "training") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"'after' needs exactly one of education, license or training, found {given or 'none'}")
        if self.while_held and self.license is None:
            raise ValueError("'while_held' applies to a licence or certificate only")
        return self


class JobFilter(_Strict):
    """Which jobs count: every filter given must hold.

    ``any_of`` says "as a X, or in a class at that level which ...": the job
    must also satisfy at least one of the filters listed there.
    ``kinds_none`` excludes jobs showing a kind of experience, declared or
    inferred ("retail cashiering does not qualify").
    ``after`` counts only the part of a job after a milestone (see Milestone);
    inside ``any_of`` it applies to the jobs that alternative admits
    ("non-City experience must be gained after a four-year degree").
    """

    employers: list[str] = []
    departments: list[str] = []
    titles: list[str] = []
    class_codes: list[str] = []
    kinds_any: list[str] = []
    kinds_all: list[str] = []
    paid: bool | None = None
    appointments: list[str] = []
    supervision: Literal["lead", "supervisor"] | None = None
    class_level: str | None = None
    sectors: list[str] = []
    kinds_none: list[str] = []
    any_of: list["JobFilter"] = []
    after: Milestone | None = None


class ExperienceRequirement(_Requirement, JobFilter):
    type: Literal["experience"]
    months: float = Field(gt=0)
    hours: float | None = Field(default=None, gt=0)
    within_years: float | None = Field(default=None, gt=0)
    of_which: list["ExperienceRequirement"] = []


class CurrentEmploymentRequirement(_Requirement):
    type: Literal["current_employment"]
    employers: list[str] = Field(min_length=1)
    departments: list[str] = []


class EducationMayFile(_Strict):
    """Who may file while still short of an education requirement; the status is then conditional.

    ``within_months``: the candidate's education record that would meet the
    requirement has an expected completion date (a ``completed`` date after the
    as-of date) no more than this many months after the as-of date ("applicants
    who are within six months of graduation may apply"; "in their last
    semester").  ``units``: a units requirement short by this many units or
    less ("students who lack 8 semester units or less may apply").  Either is
    enough.  The candidate cannot be appointed before the expected completion date.
    """

    text: str
    within_months: float | None = Field(default=None, gt=0)
    units: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _something(self):
        if self.within_months is None and self.units is None:
            raise ValueError("an education may-file window needs within_months or units")
        return self


# the college units a degree stands for, in semester units (30 a year), for year-for-year substitution
DEGREE_UNITS = {"associate": 60.0, "bachelor": 120.0}


class ExperienceForEducation(_Strict):
    """Experience that may be substituted for an education requirement.

    With ``months`` alone, that much qualifying experience meets the whole
    requirement ("four years of full-time paid experience ... may be
    substituted for the required degree only").  With ``years`` or ``units``
    it is a rate: ``months`` of experience stand for that much education (a
    year is 30 semester or 45 quarter units) and make up what the candidate's
    own education lacks, up to ``cap_years`` or ``cap_units`` ("additional
    experience may be substituted on a year-for-year basis": months 12, years
    1; "one year of experience for six semester hours": months 12, units 6).
    ``experience`` says which jobs count (every job if absent);
    ``additional_to`` instead names the experience requirement of the same
    path whose experience this is, and only time beyond what it requires
    counts ("additional qualifying experience").
    """

    text: str
    months: float = Field(gt=0)
    years: float | None = Field(default=None, gt=0)
    units: float | None = Field(default=None, gt=0)
    cap_years: float | None = Field(default=None, gt=0)
    cap_units: float | None = Field(default=None, gt=0)
    prorated: bool = Field(True, description="false: only whole blocks of `months` count")
    experience: JobFilter | None = None
    additional_to: str | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.years and self.units:
            raise ValueError("give the rate in years or in units, not both")
        if self.cap_years and not self.years or self.cap_units and not self.units:
            raise ValueError("cap_years needs a rate in years, and cap_units a rate in units")
        if self.experience and self.additional_to:
            raise ValueError("'additional_to' uses that requirement's experience: leave out 'experience'")
        return self

    @property
    def partial(self) -> bool:
        return bool(self.years or self.units)


class EducationRequirement(_Requirement):
    type: Literal["education"]
    min_level: Literal[EDUCATION_LEVELS] | None = None  # type: ignore[valid-type]
    fields: list[str] = []
    units: float | None = Field(default=None, gt=0)
    unit_system: Literal["semester", "quarter"] = "semester"
    may_file: EducationMayFile | None = None
    or_experience: ExperienceForEducation | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.min_level is None and self.units is None:
            raise ValueError("an education requirement needs min_level or units")
        if self.may_file and self.may_file.units and not self.units:
            raise ValueError("a may-file window in units needs a requirement in units")
        if self.or_experience and self.or_experience.partial and not self.units \
                and self.min_level not in DEGREE_UNITS:
            raise ValueError(f"experience at a rate can stand in for units or for a degree measured in college "
                             f"years ({', '.join(DEGREE_UNITS)}), not for {self.min_level}; give months alone "
                             f"for the whole requirement")
        return self


class TrainingRequirement(_Requirement):
    type: Literal["training"]
    subjects: list[str] = Field(min_length=1)
    hours: float | None = Field(default=None, gt=0)


class LicenseRequirement(_Requirement, LicenseMatch):
    type: Literal["license"]


Requirement = Annotated[
    Union[ExperienceRequirement, CurrentEmploymentRequirement, EducationRequirement,
          TrainingRequirement, LicenseRequirement],
    Field(discriminator="type"),
]


class Path(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str
    requirements: list[Requirement] = Field(min_length=1)


# ------------------------------------------------- substitution and the rest

class Substitution(_Strict):
    """Education or training credited as experience at a stated rate, capped."""

    id: str
    text: str
    requirement: str
    source: Literal["education_units", "education_level", "training_hours"]
    fields: list[str] = []
    levels: list[str] = []
    per: float = Field(gt=0, description="units or training hours that earn `months`; for a level, 1")
    unit_system: Literal["semester", "quarter"] = "semester"
    months: float = Field(gt=0)
    cap_months: float | None = Field(default=None, gt=0)
    prorated: bool = Field(True, description="false: only whole blocks of `per` earn credit "
                                             "('completion of 6 units may be substituted for six months')")


class Equivalency(_Strict):
    """'An equivalent combination of training and experience' with no stated rate.

    A candidate who fails a path only on requirements listed in ``covers`` and
    has something to trade for them goes to analyst review.
    """

    text: str
    covers: list[str] = Field(min_length=1)
    paths: list[str] = []


class MayFile(_Strict):
    """"Applicants who lack N months or less of the required experience may file": a window on every
    experience node of every path (the "including ..." parts too); inside it the status is conditional."""

    months: float = Field(gt=0)
    text: str


class Condition(_Strict):
    text: str
    license: LicenseRequirement | None = None


class Desirable(_Strict):
    """Reported, never screened on; ``experience`` or ``requirement`` lets the tool say whether it is shown."""

    text: str
    experience: JobFilter | None = None
    requirement: Requirement | None = None


class Choice(_Strict):
    """An ambiguity in the source text and how this file resolves it."""

    question: str
    decision: str
    reason: str


class ExpectedRequirement(_Strict):
    met: bool | None = None
    outcome: Literal["met", "short", "review", "not_met"] | None = None
    found: float | None = None
    required: float | None = None
    shortfall: float | None = None


class Expectation(_Strict):
    status: Literal["qualified", "not_qualified", "review", "conditional"]
    path: str | None = None
    requirements: dict[str, ExpectedRequirement] = {}
    earliest_qualifying_date: dt.date | None = None
    appointable_from: dt.date | None = None
    explanation_contains: list[str] = []


class Example(_Strict):
    name: str
    as_of: dt.date
    candidate: dict[str, Any] | None = None
    file: str | None = None
    expect: Expectation

    @model_validator(mode="after")
    def _one(self):
        if (self.candidate is None) == (self.file is None):
            raise ValueError("an example needs exactly one of 'candidate' or 'file'")
        return self


class Source(_Strict):
    document: str
    title: str | None = None
    date: dt.date | None = None
    note: str | None = None


class Version(_Strict):
    version: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    source: Source
    mq_text: str = Field(min_length=1)
    paths: list[Path] = Field(min_length=1)
    substitutions: list[Substitution] = []
    equivalency: Equivalency | None = None
    may_file: MayFile | None = None
    conditions: list[Condition] = []
    desirable: list[Desirable] = []
    analyst_checks: list[str] = []
    choices: list[Choice] = []
    examples: list[Example] = []

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def requirement_ids(self) -> set[str]:
        ids: set[str] = set()

        def walk(req):
            ids.add(req.id)
            for sub in getattr(req, "of_which", []):
                walk(sub)

        for path in self.paths:
            for req in path.requirements:
                walk(req)
        return ids

    @model_validator(mode="after")
    def _references(self):
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} is before effective_from {self.effective_from}")
        paths = [p.id for p in self.paths]
        if len(set(paths)) != len(paths):
            raise ValueError(f"path ids must be unique, found {paths}")
        for path in self.paths:
            seen: list[str] = []

            def walk(req):
                seen.append(req.id)
                for sub in getattr(req, "of_which", []):
                    walk(sub)

            for req in path.requirements:
                walk(req)
            if len(set(seen)) != len(seen):
                raise ValueError(f"requirement ids in path {path.id!r} must be unique, found {seen}")
        for path in self.paths:
            experience = {r.id for r in path.requirements if isinstance(r, ExperienceRequirement)}
            for req in path.requirements:
                named = req.or_experience.additional_to if isinstance(req, EducationRequirement) and \
                    req.or_experience else None
                if named and named not in experience:
                    raise ValueError(f"requirement {req.id!r} of path {path.id!r} takes experience additional to "
                                     f"{named!r}, which is not an experience requirement of that path")
        ids = self.requirement_ids()
        for sub in self.substitutions:
            if sub.requirement not in ids:
                raise ValueError(f"substitution {sub.id!r} names requirement {sub.requirement!r}, which no path has")
        if self.equivalency:
            for rid in self.equivalency.covers:
                if rid not in ids:
                    raise ValueError(f"equivalency covers requirement {rid!r}, which no path has")
            for pid in self.equivalency.paths:
                if pid not in paths:
                    raise ValueError(f"equivalency names path {pid!r}, which does not exist")
        return self


class ClassSpec(_Strict):
    """One rule file: a job class and its versions over time."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    class_code: str | None = None
    jurisdiction: str
    versions: list[Version] = Field(min_length=1)

    @field_validator("versions")
    @classmethod
    def _no_overlap(cls, versions):
        ordered = sorted(versions, key=lambda v: v.effective_from)
        for a, b in zip(ordered, ordered[1:]):
            if a.effective_to is None or a.effective_to >= b.effective_from:
                raise ValueError(f"versions {a.version!r} and {b.version!r} overlap in time")
        return versions

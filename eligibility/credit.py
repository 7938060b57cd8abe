"""Crediting: from a candidate's history to measured facts per requirement.

Everything numeric is decided here, before the rule engine runs (durable_rules
has no sum aggregate).  For every requirement node of every path this module
measures what the candidate shows (months, hours, a level, a count), what they
*might* show if records with missing dates or hours were complete, and keeps
the evidence: each job credited, how much and at what rate, and each job not
credited with the reason.  Defaults follow DESIGN §6; the jurisdiction policy
can change them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .candidate import Candidate, Job
from .dates import add_years, date_at_coord, days_in_month, fmt_months, month_coord, months_between
from .spec import (
    DEGREE_UNITS,
    ClassLevel,
    CurrentEmploymentRequirement,
    EducationRequirement,
    ExperienceForEducation,
    ExperienceRequirement,
    JobFilter,
    LicenseMatch,
    LicenseRequirement,
    Milestone,
    Policy,
    TrainingRequirement,
    Version,
    Vocabulary,
)

EPS = 1e-9
UNKNOWN_POTENTIAL = 1e6  # a job with no start date could be any length

LEVEL_RANK = {
    "college_units": 0, "certificate": 0,
    "high_school": 1, "ged": 1,
    "associate": 2, "bachelor": 3, "master": 4, "doctorate": 5,
}
SUPERVISION_RANK = {"none": 0, "lead": 1, "supervisor": 2}
LEVEL_WORDS = {
    "high_school": "high school graduation (or GED)", "ged": "a GED", "certificate": "a certificate",
    "associate": "an associate degree", "bachelor": "a bachelor's degree", "master": "a master's degree",
    "doctorate": "a doctorate", "college_units": "college units",
}

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str | None, abbreviations: dict[str, str] | None = None) -> str:
    """Lower-case words with abbreviations expanded: 'Sr. Cust. Svc Rep' -> 'senior customer service representative'."""
    if not text:
        return ""
    words = _NON_WORD.sub(" ", text.lower()).split()
    if abbreviations:
        words = [abbreviations.get(w, w) for w in words]
    return " ".join(words)


def _contains_phrase(haystack: str, phrase: str) -> bool:
    return bool(phrase) and f" {phrase} " in f" {haystack} "


def level_satisfies(have: str, want: str | None) -> bool:
    """Whether an education level meets a minimum level (higher levels satisfy lower ones; GED = high school)."""
    return want is None or LEVEL_RANK[have] >= LEVEL_RANK[want] > 0 or have == want


def _the(words: str) -> str:
    """'a bachelor's degree' -> 'the bachelor's degree'."""
    for article in ("a ", "an "):
        if words.startswith(article):
            return "the " + words[len(article):]
    return words if words.startswith("the ") else "the " + words


def license_words(m: LicenseMatch) -> str:
    if m.name:
        if m.name.lower().startswith(("a ", "an ", "the ")):
            return m.name
        return ("an " if m.name[:1].lower() in "aeiou" else "a ") + m.name
    bits = [m.state, "driver" if m.kind == "driver" else None, "licence"]
    words = " ".join(b for b in bits if b)
    return "a " + words + (f" class {'/'.join(m.classes)}" if m.classes else "")


def milestone_words(m: Milestone) -> str:
    """What a milestone is, with its article: 'a bachelor's degree in engineering', 'an EIT certificate'."""
    if m.education:
        text = LEVEL_WORDS[m.education.min_level]
        return text + (" in " + " or ".join(m.education.fields) if m.education.fields else "")
    if m.license:
        return license_words(m.license)
    return "completion of training in " + " or ".join(m.training.subjects)


def milestone_text(m: Milestone) -> str:
    """The condition as the MQ says it: 'after a bachelor's degree', 'while holding a Grade 2 certificate'."""
    what = milestone_words(m)
    if m.license:
        return ("while holding " if m.while_held else "after obtaining ") + what
    return "after " + what


def _has_after(flt: JobFilter) -> bool:
    return flt.after is not None or any(_has_after(alt) for alt in flt.any_of)


_AS_REQUIREMENT: dict[int, tuple[ExperienceForEducation, ExperienceRequirement]] = {}


def _as_requirement(sub: ExperienceForEducation) -> ExperienceRequirement:
    """The experience that may stand in for an education requirement, as an experience requirement to measure."""
    hit = _AS_REQUIREMENT.get(id(sub))
    if hit is None or hit[0] is not sub:
        if len(_AS_REQUIREMENT) >= 256:
            _AS_REQUIREMENT.clear()
        flt = sub.experience.model_dump(exclude_unset=True) if sub.experience else {}
        req = ExperienceRequirement.model_validate({"id": "or-experience", "type": "experience",
                                                    "months": sub.months, **flt})
        hit = _AS_REQUIREMENT[id(sub)] = (sub, req)
    return hit[1]


def _uncertain(e: Evidence) -> bool:
    """A job left out only because something is unknown (an analyst could count it)."""
    return not e.counted and bool(e.reason) and ("cannot be credited" in e.reason or "needs an analyst" in e.reason)


# ------------------------------------------------------------ evidence

@dataclass
class Evidence:
    """One item looked at for a requirement: a job, a degree, a course, a licence."""

    item: str
    counted: bool
    months: float | None = None
    rate: float | None = None
    reason: str | None = None
    inferred: bool = False
    job_index: int | None = None


@dataclass
class NodeFacts:
    """What the candidate shows for one requirement node of one path."""

    node: str
    path: str
    requirement: object
    parent: str | None
    value: float
    potential: float
    required: float
    unit: str
    evidence: list[Evidence] = field(default_factory=list)
    hours_found: float | None = None
    required_hours: float | None = None
    window: float | None = None
    tradeable: bool = False
    earliest: dt.date | None = None
    notes: list[str] = field(default_factory=list)
    # an education may-file window: whether the requirement has one, and whether the candidate is inside it
    may_file: bool = False
    inside: bool = False
    # qualifying intervals and which of them are current jobs, to project the earliest date
    projection: tuple[list, list[dt.date | None]] | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        return self.requirement.type


@dataclass
class CandidateFacts:
    """All measured facts for one candidate against one class version."""

    nodes: list[NodeFacts]
    rounding: str
    uncreditable: list[str]
    desirable: list[tuple[str, bool, str | None]]


@dataclass(frozen=True)
class _Span:
    """The part of a job a milestone lets count: from ``lo`` to ``hi`` (None: unbounded).

    ``reason`` says why none of it counts (no such milestone, or, when
    ``uncertain``, its date is not given); ``start`` and ``end`` name the events
    that bound it, for the explanation.
    """

    lo: dt.date | None = None
    hi: dt.date | None = None
    start: str = ""
    end: str = ""
    reason: str | None = None
    uncertain: bool = False


# ------------------------------------------------------------ job view

@dataclass
class _JobView:
    index: int
    job: Job
    orgs: frozenset[str]
    title: str
    kinds: frozenset[str]
    inferred: bool
    label: str
    # declared and inferred kinds together, computed on first use (for exclusions)
    every_kind: frozenset[str] | None = None


_PHRASES: dict[tuple[int, int], tuple] = {}


def _phrases(policy: Policy, vocab: Vocabulary) -> tuple[dict, dict]:
    """Organisation names and vocabulary words, normalised once per (policy, vocabulary) and indexed by first word.

    Normalising them again for every job, and then testing each phrase on its
    own, was most of the time of an evaluation.  Each index maps a first word
    to (the phrase's words, the phrase, the organisation ids or kinds it names).
    The cache holds the objects themselves, so an id is never reused while cached.
    """
    hit = _PHRASES.get((id(policy), id(vocab)))
    if hit is None or hit[0] is not policy or hit[1] is not vocab:
        if len(_PHRASES) >= 64:
            _PHRASES.clear()
        abbrev = policy.title_abbreviations
        orgs = _index((normalize(n, abbrev), org.id) for org in policy.organizations for n in (org.name, *org.aliases))
        kinds = _index((normalize(w, abbrev), kind) for kind, words in vocab.kinds.items() for w in (kind, *words))
        hit = _PHRASES[(id(policy), id(vocab))] = (policy, vocab, orgs, kinds)
    return hit[2], hit[3]


def _index(pairs) -> dict[str, list[tuple[tuple[str, ...], str, set[str]]]]:
    named: dict[str, set[str]] = {}
    for phrase, name in pairs:
        if phrase:
            named.setdefault(phrase, set()).add(name)
    index: dict[str, list] = {}
    for phrase, names in named.items():
        words = tuple(phrase.split(" "))
        index.setdefault(words[0], []).append((words, phrase, names))
    return index


def _found(text: str, index: dict) -> list[tuple[str, set[str]]]:
    """Every indexed phrase that occurs in ``text`` as whole words (what _contains_phrase tests, for all at once)."""
    words = text.split(" ")
    hits = []
    for i, word in enumerate(words):
        for phrase_words, phrase, names in index.get(word, ()):
            if tuple(words[i:i + len(phrase_words)]) == phrase_words:
                hits.append((phrase, names))
    return hits


def _resolve_orgs(text: str, policy: Policy, vocab: Vocabulary) -> set[str]:
    """The organisations named by the longest name or alias found in ``text``."""
    hits = _found(text, _phrases(policy, vocab)[0]) if text else []
    if not hits:
        return set()
    best = max(len(phrase) for phrase, _ in hits)
    return {org for phrase, orgs in hits if len(phrase) == best for org in orgs}


def _with_ancestors(ids: set[str], policy: Policy) -> frozenset[str]:
    parents = {o.id: o.parent for o in policy.organizations}
    out = set(ids)
    for oid in ids:
        cur = parents.get(oid)
        while cur and cur not in out:
            out.add(cur)
            cur = parents.get(cur)
    return frozenset(out)


def _infer_kinds(job: Job, vocab: Vocabulary, policy: Policy) -> frozenset[str]:
    text = normalize(f"{job.title or ''} {job.duties or ''}", policy.title_abbreviations)
    return frozenset(kind for _, kinds in _found(text, _phrases(policy, vocab)[1]) for kind in kinds)


def _job_label(i: int, job: Job) -> str:
    start = job.start.isoformat() if job.start else "start unknown"
    end = job.end.isoformat() if job.end else "present"
    title = job.title or "untitled job"
    return f"Job {i + 1}: {title}, {job.employer} ({start} to {end})"


def prepare_jobs(candidate: Candidate, policy: Policy, vocab: Vocabulary) -> list[_JobView]:
    abbrev = policy.title_abbreviations
    views = []
    for i, job in enumerate(candidate.employment):
        emp = normalize(job.employer, abbrev)
        orgs = _resolve_orgs(emp, policy, vocab)
        if job.department:
            orgs |= _resolve_orgs(normalize(job.department, abbrev), policy, vocab)
        declared = frozenset(normalize(k, abbrev) for k in job.experience)
        kinds = declared or _infer_kinds(job, vocab, policy)
        views.append(_JobView(i, job, _with_ancestors(orgs, policy), normalize(job.title, abbrev),
                              kinds, not declared and bool(kinds), _job_label(i, job)))
    return views


# ---------------------------------------------------------- arithmetic

def credit_intervals(
    intervals: list[tuple[dt.date, dt.date, float]],
    counting: str = "exact",
) -> tuple[float, list[float]]:
    """Full-time-equivalent months in a set of (start, end inclusive, rate) intervals.

    Concurrent intervals add their rates, capped at full time (1.0), so the
    same calendar time is never counted twice.  Returns the total and each
    interval's share of it (proportional to its rate where they overlap).
    """
    shares = [0.0] * len(intervals)
    if not intervals:
        return 0.0, shares
    points = sorted({s for s, _, _ in intervals} | {e + dt.timedelta(days=1) for _, e, _ in intervals})
    per_month: dict[tuple[int, int], float] = {}
    total = 0.0
    for a, b in zip(points, points[1:]):
        active = [(k, r) for k, (s, e, r) in enumerate(intervals) if s <= a and e >= b - dt.timedelta(days=1)]
        if not active:
            continue
        rate_sum = sum(r for _, r in active)
        rate = min(1.0, rate_sum)
        if counting == "exact":
            credit = rate * months_between(a, b - dt.timedelta(days=1))
            total += credit
        else:
            credit = rate * months_between(a, b - dt.timedelta(days=1))
            day = a
            while day < b:
                nxt = min(b, (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1))
                key = (day.year, day.month)
                per_month[key] = per_month.get(key, 0.0) + rate * (nxt - day).days
                day = nxt
        for k, r in active:
            shares[k] += credit * r / rate_sum
    if counting != "exact":
        exact = sum(shares)
        if counting == "fifteen_days":
            total = float(sum(1 for v in per_month.values() if v >= 15 - EPS))
        else:  # whole months only
            total = float(sum(1 for (y, m), v in per_month.items() if v >= days_in_month(y, m) - EPS))
        scale = total / exact if exact > EPS else 0.0
        shares = [s * scale for s in shares]
    return total, shares


ROUNDING_TEXT = {
    "exact": "Months are calendar months; days in a part month count as a fraction of that month; "
             "part-time work counts pro rata; results are shown to two decimals.",
    "fifteen_days": "A calendar month counts as one month once 15 full-time-equivalent days in it are worked; "
                    "part-time work counts pro rata.",
    "whole_months": "Only whole calendar months of full-time-equivalent work count; part months are dropped.",
}


# ------------------------------------------------------------ crediting

class _Crediter:
    def __init__(self, candidate: Candidate, version: Version, policy: Policy, vocab: Vocabulary, as_of: dt.date,
                 jobs: list[_JobView] | None = None):
        self.candidate = candidate
        self.version = version
        self.policy = policy
        self.vocab = vocab
        self.as_of = as_of
        self.abbrev = policy.title_abbreviations
        self.jobs = jobs if jobs is not None else prepare_jobs(candidate, policy, vocab)
        self.org_names = {o.id: o.name for o in policy.organizations}
        self._milestones: dict[int, tuple[Milestone, _Span]] = {}

    # -- filters -------------------------------------------------------
    def _filter_reason(self, view: _JobView, flt: JobFilter) -> tuple[str | None, bool]:
        """Why a job does not satisfy a filter (None if it does), and whether the answer is uncertain.

        A definite reason wins over an uncertain one: an analyst is only asked
        about a job that would count if the open question were settled.
        """
        job = view.job
        doubt: str | None = None
        paid_required = flt.paid if flt.paid is not None else not self.policy.volunteer_counts
        if paid_required and not job.paid:
            return "unpaid (volunteer) work does not count toward paid experience", False
        if flt.employers and not (view.orgs & set(flt.employers)):
            wanted = " or ".join(self.org_names[e] for e in flt.employers)
            return f"the employer ({job.employer}) is not {wanted}", False
        if flt.departments and not (view.orgs & set(flt.departments)):
            wanted = " or ".join(self.org_names[e] for e in flt.departments)
            shown = job.department or "no department given"
            return f"the department ({shown}) is not {wanted}", False
        if flt.titles or flt.class_codes:
            titles = {normalize(t, self.abbrev) for t in flt.titles}
            if not (view.title in titles or (job.class_code and job.class_code in flt.class_codes)):
                return f"the title '{job.title or 'none given'}' is not one of the titles listed", False
        if flt.kinds_any and not (view.kinds & set(flt.kinds_any)):
            shown = ", ".join(sorted(view.kinds)) or "none"
            how = "inferred from title and duties" if not job.experience else "declared"
            return (f"not the right kind of experience: needs {' or '.join(flt.kinds_any)}; "
                    f"this job shows {shown} ({how})"), False
        if flt.kinds_all and not set(flt.kinds_all) <= view.kinds:
            missing = ", ".join(sorted(set(flt.kinds_all) - view.kinds))
            return f"not the right kind of experience: it does not show {missing}", False
        if flt.kinds_none:
            excluded = set(flt.kinds_none) & self._every_kind(view)
            if excluded:
                return f"{' and '.join(sorted(excluded))} does not count toward this requirement", False
        if flt.appointments:
            appt = normalize(job.appointment)
            if not any(normalize(a) == appt for a in flt.appointments):
                return (f"the appointment type ({job.appointment or 'not given'}) is not "
                        f"{' or '.join(flt.appointments)}"), False
        if flt.supervision and SUPERVISION_RANK[job.supervision] < SUPERVISION_RANK[flt.supervision]:
            return f"the job is not at {flt.supervision} level (shown: {job.supervision})", False
        if flt.class_level:
            reason, uncertain = self._level_reason(view, flt.class_level)
            if reason and not uncertain:
                return reason, False
            doubt = doubt or reason
        if flt.sectors and not self._in_sector(view, flt.sectors):
            return f"the employer ({job.employer}) is not in a {' or '.join(flt.sectors)} setting", False
        if flt.any_of:
            definite: list[str] = []
            doubts: list[str] = []
            for alt in flt.any_of:
                reason, uncertain = self._filter_reason(view, alt)
                if reason is None:
                    break
                (doubts if uncertain else definite).append(reason)
            else:
                if not doubts:
                    return ", and ".join(dict.fromkeys(definite)), False
                doubt = doubt or doubts[0]
        return doubt, doubt is not None

    def _every_kind(self, view: _JobView) -> frozenset[str]:
        if view.every_kind is None:
            view.every_kind = view.kinds | _infer_kinds(view.job, self.vocab, self.policy)
        return view.every_kind

    def _level_reason(self, view: _JobView, level: str) -> tuple[str | None, bool]:
        """Whether the job's class is at ``level``, by the policy's table of class levels."""
        job = view.job
        shown = f"'{job.title or 'no title given'}'" + (f" (class {job.class_code})" if job.class_code else "")
        table = self.policy.class_levels.get(level)
        if table is None:
            return (f"whether the class {shown} is at the level of {level.replace('-', ' ')} needs an analyst: "
                    f"the {self.policy.name} table of class levels does not cover that level"), True
        if isinstance(table, ClassLevel):
            name, at, below, complete = table.name, table.at, table.below, table.complete
        else:
            name, at, below, complete = level.replace("-", " "), table, [], True

        def listed(entries: list[str]) -> bool:
            return view.title in {normalize(e, self.abbrev) for e in entries} or \
                bool(job.class_code and job.class_code in entries)

        if listed(at):
            return None, False
        if listed(below):
            return f"the class {shown} is below the level of {name}", False
        if complete:
            return f"the class {shown} is not at the level of {name}", False
        return (f"whether the class {shown} is at the level of {name} needs an analyst: "
                f"the {self.policy.name} table of class levels does not list it"), True

    def _in_sector(self, view: _JobView, sectors: list[str]) -> bool:
        if any(o.sector in sectors for o in self.policy.organizations if o.id in view.orgs):
            return True
        text = normalize(f"{view.job.employer} {view.job.department or ''}")
        return any(_contains_phrase(text, normalize(w)) for s in sectors for w in self.vocab.sectors.get(s, []))

    def _rate(self, job: Job) -> float:
        return min(1.0, job.hours_per_week / self.policy.full_time_hours)

    # -- milestones ----------------------------------------------------
    def _field_ok(self, text: str | None, fields: list[str]) -> bool:
        have = normalize(text, self.abbrev)
        return not fields or any(_contains_phrase(have, normalize(f, self.abbrev)) for f in fields)

    def _milestone(self, m: Milestone) -> _Span:
        """When the candidate reached a milestone (the earliest dated record that matches it)."""
        hit = self._milestones.get(id(m))
        if hit is None or hit[0] is not m:
            hit = self._milestones[id(m)] = (m, self._reach(m))
        return hit[1]

    def _reach(self, m: Milestone) -> _Span:
        what = milestone_words(m)
        the = _the(what)
        if m.education:
            done, verb = [ed.completed for ed in self.candidate.education
                          if level_satisfies(ed.level, m.education.min_level)
                          and self._field_ok(ed.field, m.education.fields)], "was completed"
        elif m.license:
            done, verb = [lic.issued for lic in self.candidate.licenses
                          if license_mismatch(m.license, lic, None) is None], "was obtained"
        else:
            done, verb = [tr.completed for tr in self.candidate.training
                          if any(self._field_ok(tr.subject, [s]) for s in m.training.subjects)], "was completed"
        dated = [d for d in done if d is not None and d <= self.as_of]
        if dated:
            hi = None
            if m.while_held:
                held = [lic for lic in self.candidate.licenses if license_mismatch(m.license, lic, None) is None]
                if all(lic.expires for lic in held):
                    hi = max(lic.expires for lic in held)
            return _Span(min(dated), hi, f"{the} {verb}", f"{the} expired")
        if None in done:
            return _Span(reason=f"it counts only {milestone_text(m)}, and the date {the} {verb} is not given, "
                                f"so whether this work came after it needs an analyst", uncertain=True)
        if done:
            return _Span(reason=f"it counts only {milestone_text(m)}, and {the} {verb} after the as-of date "
                                f"{self.as_of.isoformat()}")
        return _Span(reason=f"it counts only {milestone_text(m)}, and the application shows none")

    def _span(self, view: _JobView, flt: JobFilter) -> _Span | None:
        """The part of a job that a filter's ``after`` milestones let count (None: all of it).

        Inside ``any_of`` a job counts from the earliest day any alternative that
        admits it allows (a City job at once, a non-City job after the degree).
        """
        own = self._milestone(flt.after) if flt.after else None
        if own is not None and own.reason:
            return own
        if not any(_has_after(alt) for alt in flt.any_of):
            return own
        spans: list[_Span | None] = []
        for alt in flt.any_of:
            reason, uncertain = self._filter_reason(view, alt)
            if reason is None or uncertain:
                spans.append(self._span(view, alt))
        if not spans or None in spans:
            return own
        open_ = [sp for sp in spans if not sp.reason]
        if not open_:
            return next((sp for sp in spans if sp.uncertain), spans[0])
        first = min(open_, key=lambda sp: sp.lo or dt.date.min)
        last = None if any(sp.hi is None for sp in open_) else max(open_, key=lambda sp: sp.hi)
        alt = _Span(first.lo, last.hi if last else None, first.start, last.end if last else "")
        if own is None:
            return alt
        lo = max([d for d in (own.lo, alt.lo) if d], default=None)
        his = [d for d in (own.hi, alt.hi) if d]
        hi = min(his, default=None)
        return _Span(lo, hi, own.start if lo == own.lo else alt.start, own.end if hi == own.hi else alt.end)

    def _window(self, req: ExperienceRequirement, as_of: dt.date | None = None) -> dt.date | None:
        """First day of a recency window ("within the last N years") ending on ``as_of``."""
        if req.within_years is None:
            return None
        years = int(req.within_years)
        start = add_years(as_of or self.as_of, -years) + dt.timedelta(days=1)
        extra = req.within_years - years
        return start - dt.timedelta(days=round(extra * 365)) if extra else start

    # -- experience ----------------------------------------------------
    def experience(self, req: ExperienceRequirement, node: str, path: str, parent: str | None,
                   pool: list[_JobView], window: dt.date | None = None,
                   limits: dict[int, tuple[dt.date, dt.date, str | None, str | None]] | None = None,
                   ) -> list[NodeFacts]:
        """The facts of an experience node and its "of which" parts.

        ``limits`` holds, for an "of which" part, the part of each of the
        parent's jobs that the parent credited (after its milestones), and why
        it starts and ends there.
        """
        window = self._window(req) or window
        evidence: list[Evidence] = []
        intervals: list[tuple[dt.date, dt.date, float]] = []
        owners: list[int] = []
        potential_extra: list[tuple[dt.date, dt.date, float]] = []
        unknown_length = False
        qualifying: list[_JobView] = []
        current: list[dt.date | None] = []
        clipped: dict[int, tuple[dt.date, dt.date, str | None, str | None]] = {}
        milestones = _has_after(req)
        for view in pool:
            job = view.job
            reason, uncertain = self._filter_reason(view, req)
            if reason and not uncertain:
                evidence.append(Evidence(view.label, False, reason=reason, job_index=view.index))
                continue
            if job.start is None:
                evidence.append(Evidence(view.label, False, job_index=view.index,
                                         reason="no start date, so the time cannot be credited"))
                unknown_length = True
                continue
            if job.start > self.as_of:
                evidence.append(Evidence(view.label, False, job_index=view.index,
                                         reason=f"it starts after the as-of date {self.as_of.isoformat()}"))
                continue
            end = min(job.end or self.as_of, self.as_of)
            start = max(job.start, window) if window else job.start
            if end < start:
                evidence.append(Evidence(view.label, False, job_index=view.index,
                                         reason=f"it ended before the recency window began ({window.isoformat()})"))
                continue
            # a job still running on the as-of date goes on until its stated end (if any)
            ongoing = (job.end or dt.date.max) if job.end is None or job.end > self.as_of else None
            from_note = to_note = None
            span = self._span(view, req) if milestones and not uncertain else None
            if span is not None and span.reason:
                evidence.append(Evidence(view.label, False, job_index=view.index, reason=span.reason))
                if span.uncertain:
                    potential_extra.append((start, end, 1.0))
                continue
            if span is not None:
                if span.lo and end < span.lo:
                    evidence.append(Evidence(view.label, False, job_index=view.index,
                                             reason=f"it ended before {span.start} ({span.lo.isoformat()})"))
                    continue
                if span.hi and start > span.hi:
                    evidence.append(Evidence(view.label, False, job_index=view.index,
                                             reason=f"it began after {span.end} ({span.hi.isoformat()})"))
                    continue
                if span.lo and start < span.lo:
                    start = span.lo
                    from_note = f"only time from {span.lo.isoformat()} counts (after {span.start})"
                if span.hi and end > span.hi:
                    end, ongoing = span.hi, None
                    to_note = f"only time up to {span.hi.isoformat()} counts ({span.end} then)"
            if limits and view.index in limits:
                lo, hi, lo_note, hi_note = limits[view.index]
                if start < lo:
                    start, from_note = lo, lo_note
                if end > hi:
                    end, ongoing, to_note = hi, None, hi_note
                if end < start:
                    evidence.append(Evidence(view.label, False, job_index=view.index,
                                             reason="none of the time credited to the whole requirement falls here"))
                    continue
            if uncertain:
                evidence.append(Evidence(view.label, False, job_index=view.index, reason=reason))
                potential_extra.append((start, end, 1.0))
                continue
            if job.hours_per_week is None:
                evidence.append(Evidence(view.label, False, job_index=view.index,
                                         reason="hours per week not given, so the time cannot be credited"))
                potential_extra.append((start, end, 1.0))
                continue
            qualifying.append(view)
            intervals.append((start, end, self._rate(job)))
            current.append(ongoing)
            clipped[view.index] = (start, end, from_note, to_note)
            owners.append(len(evidence))
            evidence.append(Evidence(view.label, True, rate=self._rate(job), job_index=view.index,
                                     inferred=view.inferred and bool(req.kinds_any or req.kinds_all)))
        total, shares = credit_intervals(intervals, self.policy.month_counting)
        for k, pos in enumerate(owners):
            ev = evidence[pos]
            ev.months = shares[k]
            s, e, r = intervals[k]
            notes = []
            job = self.candidate.employment[ev.job_index]
            if r < 1:
                notes.append(f"part time: {job.hours_per_week:g} hours a week credited at {r:.0%}")
            if shares[k] + 0.005 < r * months_between(s, e) and self.policy.month_counting == "exact":
                notes.append("overlaps other credited work; together they count no more than full time")
            _, _, from_note, to_note = clipped[ev.job_index]
            if (job.end is None or job.end > self.as_of) and not to_note:
                notes.append(f"counted up to the as-of date {self.as_of.isoformat()}")
            if window and job.start < window and s == window:
                notes.append(f"only time from {window.isoformat()} counts (recency window)")
            notes += [n for n in (from_note, to_note) if n]
            if ev.inferred:
                notes.append("kind of experience inferred from the title and duties")
            ev.reason = "; ".join(notes) or None
        potential = total
        if potential_extra:
            potential, _ = credit_intervals(intervals + potential_extra, self.policy.month_counting)
        if unknown_length:
            potential = UNKNOWN_POTENTIAL
        hours_found = total * self.policy.hours_per_month if req.hours else None
        facts = NodeFacts(node, path, req, parent, total, potential, req.months, "months", evidence,
                          hours_found=hours_found, required_hours=req.hours)
        if window:
            facts.notes.append(f"Only experience from {window.isoformat()} to {self.as_of.isoformat()} counts.")
        if req.after:
            reached = self._milestone(req.after)
            when = f" ({reached.start} on {reached.lo.isoformat()})" if reached.lo else ""
            facts.notes.append(f"Only experience gained {milestone_text(req.after)} counts{when}.")
        facts.projection = (intervals, current)
        facts.earliest = self._earliest(req, intervals, current, total)
        out = [facts]
        for sub in req.of_which:
            out.extend(self.experience(sub, f"{path}.{sub.id}", path, node, qualifying, window,
                                       clipped if milestones or limits else None))
        return out

    def _earliest(self, req: ExperienceRequirement, intervals, current: list[dt.date | None], total: float,
                  offset: float = 0.0) -> dt.date | None:
        """When the requirement would be met if every current qualifying job goes on.

        ``current`` holds, per interval, the day a job still running on the
        as-of date stops (``date.max`` when no end is stated), or None.
        ``offset`` is time credited by substitution, which does not grow; an
        hours alternative is met once the credited time reaches those hours.
        """
        target = req.months
        if req.hours:
            target = min(target, req.hours / self.policy.hours_per_month)
        need = target - offset
        if total + EPS >= need:
            return None
        rate = min(1.0, sum(r for (_, _, r), stop in zip(intervals, current) if stop))
        if rate <= 0:
            return None

        def credited_on(day: dt.date) -> float:
            window = self._window(req, day)
            horizon = [(max(s, window) if window else s, min(day, stop) if stop else e, r)
                       for (s, e, r), stop in zip(intervals, current)]
            return credit_intervals([iv for iv in horizon if iv[0] <= iv[1]], self.policy.month_counting)[0]

        start = self.as_of + dt.timedelta(days=1)
        day = max(start, date_at_coord(month_coord(start) + (need - total) / rate - EPS))
        # check the estimate by crediting on that day: recency windows and
        # rounding policies move the exact answer by a few days
        for _ in range(62):
            if credited_on(day) + EPS >= need:
                return day
            day += dt.timedelta(days=1)
        # jobs with a stated end stop adding time: search further out, where
        # (without a recency window) credit only grows with the day
        if req.within_years is not None:
            return None
        hi = add_years(day, 50)
        if credited_on(hi) + EPS < need:
            return None
        while (hi - day).days > 1:
            mid = day + (hi - day) / 2
            if credited_on(mid) + EPS >= need:
                hi = mid
            else:
                day = mid
        return hi

    # -- other kinds ---------------------------------------------------
    def current(self, req: CurrentEmploymentRequirement, node: str, path: str) -> NodeFacts:
        evidence, value, potential = [], 0.0, 0.0
        flt = JobFilter(employers=req.employers, departments=req.departments)
        for view in self.jobs:
            job = view.job
            reason, _ = self._filter_reason(view, flt)
            if reason is None:
                if job.start is not None and job.start > self.as_of:
                    reason = f"it starts after the as-of date {self.as_of.isoformat()}"
                elif job.end is not None and job.end < self.as_of:
                    reason = f"it ended on {job.end.isoformat()}, before the as-of date"
            if reason:
                evidence.append(Evidence(view.label, False, reason=reason, job_index=view.index))
            else:
                value = 1.0
                evidence.append(Evidence(view.label, True, job_index=view.index,
                                         reason=None if job.start else "start date not given"))
        potential = value
        return NodeFacts(node, path, req, None, value, potential, 1.0, "yes/no", evidence)

    def _months_after(self, months: float) -> dt.date:
        """The last day of the ``months`` that follow the as-of date."""
        return date_at_coord(month_coord(self.as_of + dt.timedelta(days=1)) + months)

    def education(self, req: EducationRequirement, node: str, path: str) -> NodeFacts:
        evidence: list[Evidence] = []
        fields = [normalize(f, self.abbrev) for f in req.fields]
        window = req.may_file
        horizon = self._months_after(window.within_months) if window and window.within_months else None
        expected: list[tuple[dt.date, float]] = []  # records still to be completed that would count
        best_rank, units = -1, 0.0
        for i, ed in enumerate(self.candidate.education):
            label = f"Education {i + 1}: {LEVEL_WORDS[ed.level]}" + (f" in {ed.field}" if ed.field else "")
            if ed.units:
                label += f" ({ed.units:g} {ed.unit_system} units)"
            future = ed.completed is not None and ed.completed > self.as_of
            if future and window is None:
                evidence.append(Evidence(label, False, reason=f"completed after the as-of date {self.as_of.isoformat()}"))
                continue
            if fields and not any(_contains_phrase(normalize(ed.field, self.abbrev), f) for f in fields):
                evidence.append(Evidence(label, False, reason=f"the field is not {' or '.join(req.fields)}"))
                continue
            rank = LEVEL_RANK[ed.level]
            ok_level = level_satisfies(ed.level, req.min_level)
            if future and (ed.units if req.units else ok_level):
                expected.append((ed.completed, _to_system(ed.units or 0.0, ed.unit_system, req.unit_system)
                                 if req.units else 1.0))
                where = ""
                if horizon:
                    where = (f"; inside the may-file window ({fmt_months(window.within_months)} months)"
                             if ed.completed <= horizon else
                             f"; more than {fmt_months(window.within_months)} months after the as-of date")
                evidence.append(Evidence(label, False, reason=f"it is expected to be completed on "
                                                              f"{ed.completed.isoformat()}, after the as-of "
                                                              f"date{where}"))
                continue
            if future:
                evidence.append(Evidence(label, False, reason=f"it is not {LEVEL_WORDS[req.min_level]} or higher"
                                         if not req.units else "it shows no units"))
                continue
            if req.units:
                units += _to_system(ed.units or 0.0, ed.unit_system, req.unit_system)
            if ok_level:
                best_rank = max(best_rank, rank)
                evidence.append(Evidence(label, True))
            else:
                evidence.append(Evidence(label, bool(req.units and ed.units),
                                         reason=f"it is not {LEVEL_WORDS[req.min_level]} or higher"))
        if req.units:
            value, required, unit = units, req.units, f"{req.unit_system} units"
        else:
            value, required, unit = (1.0 if best_rank >= 0 else 0.0), 1.0, "yes/no"
        facts = NodeFacts(node, path, req, None, value, value, required, unit, evidence, may_file=window is not None)
        if window and value + EPS < required:
            self._may_file_education(facts, expected, horizon)
        return facts

    def _may_file_education(self, facts: NodeFacts, expected: list[tuple[dt.date, float]],
                            horizon: dt.date | None) -> None:
        """Whether a candidate short of an education requirement is inside its may-file window, and until when."""
        window = facts.requirement.may_file
        total = facts.value
        for day, amount in sorted(expected):
            total += amount
            if total + EPS >= facts.required:
                facts.earliest = day
                break
        quote = window.text.strip()
        if horizon and facts.earliest and facts.earliest <= horizon:
            facts.inside = True
            facts.notes.append(f"Expected to be complete on {facts.earliest.isoformat()}, within "
                               f"{fmt_months(window.within_months)} months of the as-of date: may file (\"{quote}\").")
        if window.units and facts.value + window.units + EPS >= facts.required:
            facts.inside = True
            facts.notes.append(f"Short by {facts.required - facts.value:g} {facts.unit}, no more than the "
                               f"{window.units:g} with which applicants may file (\"{quote}\").")
        elif facts.earliest and not facts.inside:
            facts.notes.append(f"Expected to be complete on {facts.earliest.isoformat()}, too late for the may-file "
                               f"window (\"{quote}\").")

    def _units_toward(self, req: EducationRequirement) -> tuple[float, str]:
        """The college units a candidate's education below a degree stands for (units, or a lower degree)."""
        units, degree = 0.0, 0.0
        for ed in self.candidate.education:
            if (ed.completed and ed.completed > self.as_of) or not self._field_ok(ed.field, req.fields):
                continue
            units += _to_system(ed.units or 0.0, ed.unit_system, req.unit_system)
            if ed.level in DEGREE_UNITS:
                degree = max(degree, _to_system(DEGREE_UNITS[ed.level], "semester", req.unit_system))
        if degree >= units:
            return degree, f"{_the(LEVEL_WORDS['associate'])} shown" if degree else "no college shown"
        return units, f"{units:g} {req.unit_system} units shown"

    def experience_for_education(self, facts: NodeFacts, path_nodes: list[NodeFacts]) -> None:
        """Qualifying experience in place of an education requirement that education alone does not meet."""
        req: EducationRequirement = facts.requirement
        sub = req.or_experience
        quote = sub.text.strip()
        jobs: list[Evidence] = []
        if sub.additional_to:
            base = next(n for n in path_nodes if n.parent is None and n.requirement.id == sub.additional_to)
            months = max(0.0, base.value - base.required)
            potential = max(0.0, max(base.potential, base.value) - base.required)
            whose = f"beyond the {fmt_months(base.required)} months requirement '{sub.additional_to}' needs"
            for e in base.evidence:
                if _uncertain(e):
                    facts.evidence.append(Evidence(e.item, False, reason=e.reason, job_index=e.job_index))
        else:
            exp = self.experience(_as_requirement(sub), f"{facts.node}.or_experience", facts.path, None, self.jobs)[0]
            months, potential = exp.value, max(exp.potential, exp.value)
            whose = "of qualifying experience"
            jobs = [e for e in exp.evidence if e.counted or _uncertain(e)]
        shown = f"{fmt_months(months)} months {whose}"
        if not sub.partial:
            ok, maybe = months + EPS >= sub.months, potential + EPS >= sub.months
            why = f"{fmt_months(sub.months)} months of experience stand for the whole requirement"
            if ok or maybe:
                facts.value = facts.required if ok else facts.value
                facts.potential = max(facts.potential, facts.required if maybe else facts.value)
        else:
            unit = req.unit_system
            rate = sub.units if sub.units else sub.years * (30.0 if unit == "semester" else 45.0)
            cap = sub.cap_units if sub.cap_units else (sub.cap_years * rate / sub.years if sub.cap_years else None)

            def earned(m: float) -> float:
                blocks = m / sub.months if sub.prorated else math.floor(m / sub.months + EPS)
                return min(blocks * rate, cap) if cap else blocks * rate

            if req.units:
                have, whole, what = facts.value, req.units, f"the {req.units:g} {unit} units required"
            else:
                whole = _to_system(DEGREE_UNITS[req.min_level], "semester", unit)
                have, what = self._units_toward(req)
                what = f"{what}, of the {whole:g} {unit} units {LEVEL_WORDS[req.min_level]} stands for"
            lacking = max(0.0, whole - have)
            got, could = earned(months), earned(potential)
            ok, maybe = got + EPS >= lacking, could + EPS >= lacking
            why = (f"at {rate:g} {unit} units for every {fmt_months(sub.months)} months"
                   + (f", up to {cap:g} units" if cap else "") + f", they stand for {got:.4g} units; "
                   f"the education lacks {lacking:.4g} ({what})")
            if req.units:
                facts.value = have + got
                facts.potential = max(facts.potential, have + could)
            else:
                facts.value = 1.0 if ok else facts.value
                facts.potential = max(facts.potential, 1.0 if maybe else facts.value)
        verdict = "enough" if ok else ("not enough unless an analyst can count more" if maybe else "not enough")
        for e in jobs:  # the jobs count toward the education only if together they are enough
            reason = e.reason if not e.counted else \
                e.reason if ok else f"its {fmt_months(e.months)} months, with the other experience listed here, " \
                                    f"are not enough to stand in for the education"
            facts.evidence.append(Evidence(e.item, e.counted and ok, months=e.months if ok else None, rate=e.rate,
                                           reason=reason, inferred=e.inferred, job_index=e.job_index))
        facts.evidence.append(Evidence("Experience in place of education", ok, months=months,
                                       reason=f"{shown}; {why}: {verdict} (\"{quote}\")"))

    def training(self, req: TrainingRequirement, node: str, path: str) -> NodeFacts:
        evidence: list[Evidence] = []
        hours, count = 0.0, 0
        for i, tr in enumerate(self.candidate.training):
            label = f"Training {i + 1}: {tr.subject}" + (f" ({tr.hours:g} hours)" if tr.hours else "")
            if tr.completed and tr.completed > self.as_of:
                evidence.append(Evidence(label, False, reason=f"completed after the as-of date {self.as_of.isoformat()}"))
            elif not self._subject_ok(req, tr):
                evidence.append(Evidence(label, False, reason=f"the subject is not {' or '.join(req.subjects)}"))
            else:
                count += 1
                hours += tr.hours or 0.0
                evidence.append(Evidence(label, True))
        if req.hours:
            return NodeFacts(node, path, req, None, hours, hours, req.hours, "hours", evidence)
        return NodeFacts(node, path, req, None, float(count > 0), float(count > 0), 1.0, "yes/no", evidence)

    def _subject_ok(self, req: TrainingRequirement, training) -> bool:
        subject = normalize(training.subject, self.abbrev)
        return any(_contains_phrase(subject, normalize(s, self.abbrev)) for s in req.subjects)

    def license(self, req: LicenseRequirement, node: str, path: str) -> NodeFacts:
        evidence, value = [], 0.0
        for i, lic in enumerate(self.candidate.licenses):
            label = f"Licence {i + 1}: {lic.kind}" + (f" {lic.state}" if lic.state else "") + \
                    (f" class {lic.class_}" if lic.class_ else "")
            reason = license_mismatch(req, lic, self.as_of)
            evidence.append(Evidence(label, reason is None, reason=reason))
            value = max(value, float(reason is None))
        return NodeFacts(node, path, req, None, value, value, 1.0, "yes/no", evidence)

    def measure(self, req, node: str, path: str) -> list[NodeFacts]:
        """The facts of one requirement (an experience node brings its "of which" parts)."""
        if isinstance(req, ExperienceRequirement):
            return self.experience(req, node, path, None, self.jobs)
        if isinstance(req, CurrentEmploymentRequirement):
            return [self.current(req, node, path)]
        if isinstance(req, EducationRequirement):
            return [self.education(req, node, path)]
        if isinstance(req, TrainingRequirement):
            return [self.training(req, node, path)]
        return [self.license(req, node, path)]

    # -- substitution and equivalency -----------------------------------
    def substitute(self, facts: NodeFacts) -> None:
        offset = 0.0
        for sub in self.version.substitutions:
            if sub.requirement != facts.requirement.id:
                continue
            fields = [normalize(f, self.abbrev) for f in sub.fields]

            def field_ok(text):
                return not fields or any(_contains_phrase(normalize(text, self.abbrev), f) for f in fields)

            amount, items, unit, converted = 0.0, [], "", False
            if sub.source == "education_units":
                unit = f"{sub.unit_system} units"
                for ed in self.candidate.education:
                    if ed.units and field_ok(ed.field) and not (ed.completed and ed.completed > self.as_of):
                        amount += _to_system(ed.units, ed.unit_system, sub.unit_system)
                        converted = converted or ed.unit_system != sub.unit_system
                        items.append(f"{ed.units:g} {ed.unit_system} units in {ed.field or 'unnamed field'}")
            elif sub.source == "education_level":
                hits = [ed for ed in self.candidate.education if ed.level in sub.levels and field_ok(ed.field)]
                items = [LEVEL_WORDS[ed.level] + (f" in {ed.field}" if ed.field else "") for ed in hits]
                amount = float(bool(hits))
            else:
                unit = "training hours"
                for tr in self.candidate.training:
                    if field_ok(tr.subject) and tr.hours:
                        amount += tr.hours
                        items.append(f"{tr.subject} ({tr.hours:g} hours)")
            if not items:
                continue
            blocks = amount / sub.per if sub.prorated else math.floor(amount / sub.per + EPS)
            months = blocks * sub.months
            capped = min(months, sub.cap_months) if sub.cap_months else months
            note = f"substituted for experience at the stated rate ({sub.text.strip()})"
            if converted:
                note += f"; {amount:.4g} {unit} after conversion"
            if sub.cap_months and months > sub.cap_months:
                note += f"; capped at {fmt_months(sub.cap_months)} months"
            if capped <= 0:
                note = (f"not substituted: {amount:.4g} {unit} is less than the {sub.per:g} that the substitution "
                        f"needs ({sub.text.strip()})")
            facts.evidence.append(Evidence("Substitution: " + "; ".join(items), capped > 0, months=capped, reason=note))
            facts.value += capped
            facts.potential += capped
            offset += capped
        if offset and facts.projection is not None:
            if facts.hours_found is not None:
                facts.hours_found = facts.value * self.policy.hours_per_month
            intervals, current = facts.projection
            facts.earliest = self._earliest(facts.requirement, intervals, current, facts.value - offset, offset)

    def compensators(self, nodes: list[NodeFacts], path_reqs: list) -> dict[str, bool]:
        """Whether the candidate has something to trade for each kind of requirement."""
        min_level = max((LEVEL_RANK[r.min_level] for r in path_reqs
                         if isinstance(r, EducationRequirement) and r.min_level), default=1)
        beyond_education = any(LEVEL_RANK[e.level] > min_level or (e.level == "college_units" and (e.units or 0) > 0)
                               for e in self.candidate.education)
        # training already used to meet a training requirement of the path is not spare
        required = [r for r in path_reqs if isinstance(r, TrainingRequirement)]
        has_training = any(not any(self._subject_ok(r, tr) for r in required) for tr in self.candidate.training)
        surplus = any(n.value > n.required + EPS for n in nodes
                      if n.kind == "experience" and n.parent is None)
        return {
            "experience": beyond_education or has_training,
            "education": surplus or has_training,
            "training": surplus or beyond_education,
        }


def _to_system(units: float, have: str, want: str) -> float:
    if have == want:
        return units
    return units * 2 / 3 if have == "quarter" else units * 3 / 2


def license_mismatch(req: LicenseMatch, lic, as_of: dt.date | None) -> str | None:
    """Why a licence does not match (None if it does); with ``as_of``, an expired licence does not."""
    if lic.kind != req.kind:
        return f"it is not a {req.kind} licence"
    if req.state and (lic.state or "").upper() != req.state.upper():
        return f"it is not issued by {req.state}"
    if req.classes and (lic.class_ or "").upper() not in {c.upper() for c in req.classes}:
        return f"its class is not {' or '.join(req.classes)}"
    if req.name and normalize(req.name) not in normalize(lic.name):
        return f"it is not a {req.name}"
    if as_of is not None and lic.expires and lic.expires < as_of:
        return f"it expired on {lic.expires.isoformat()}"
    return None


def credit(candidate: Candidate, version: Version, policy: Policy, vocab: Vocabulary, as_of: dt.date,
           jobs: list[_JobView] | None = None) -> CandidateFacts:
    """Measure every requirement node of every path of ``version``."""
    cr = _Crediter(candidate, version, policy, vocab, as_of, jobs)
    nodes: list[NodeFacts] = []
    covers = set(version.equivalency.covers) if version.equivalency else set()
    equiv_paths = set(version.equivalency.paths) if version.equivalency and version.equivalency.paths else None
    for path in version.paths:
        path_nodes: list[NodeFacts] = []
        for req in path.requirements:
            got = cr.measure(req, f"{path.id}.{req.id}", path.id)
            if isinstance(req, ExperienceRequirement):
                cr.substitute(got[0])
                if version.may_file:
                    # "lack six months or less of the required experience": every experience
                    # node, the "including one year of ..." parts as well as the whole
                    for n in got:
                        n.window = version.may_file.months
            path_nodes.extend(got)
        for n in path_nodes:
            if n.kind == "education" and n.requirement.or_experience and n.value + EPS < n.required:
                cr.experience_for_education(n, path_nodes)
        if covers and (equiv_paths is None or path.id in equiv_paths):
            trade = cr.compensators(path_nodes, path.requirements)
            for n in path_nodes:
                n.tradeable = n.requirement.id in covers and trade.get(n.kind, False)
        nodes.extend(path_nodes)
    uncreditable = [v.label for v in cr.jobs if v.job.start is None or v.job.hours_per_week is None]
    desirable = []
    for i, d in enumerate(version.desirable):
        if d.requirement is not None:
            got = cr.measure(d.requirement, f"desirable.{i}", "desirable")[0]
            shown = got.value + EPS >= got.required or (
                got.required_hours is not None and (got.hours_found or 0.0) + EPS >= got.required_hours)
            hits = [e.item for e in got.evidence if e.counted]
            desirable.append((d.text, shown, "shown by " + "; ".join(hits) if shown and hits else None))
            continue
        if d.experience is None:
            desirable.append((d.text, False, "an analyst should look for this in the application"))
            continue
        hits = [v for v in cr.jobs if cr._filter_reason(v, d.experience)[0] is None and
                (v.job.start is None or v.job.start <= as_of)]
        desirable.append((d.text, bool(hits), "shown by " + "; ".join(v.label for v in hits) if hits else None))
    return CandidateFacts(nodes, ROUNDING_TEXT[policy.month_counting], uncreditable, desirable)

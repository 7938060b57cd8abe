"""Determinations and rule files as tables, markdown, JSON and letters.

The plain-text explanation lives in :mod:`eligibility.explain`; this module
holds the other shapes the command line prints: the one-row-per-class map of
what a candidate can apply for, the table of jobs behind an explanation, the
applicant-facing disqualification notice, and the readable view of a rule
file.  Everything here returns strings; colour is added only when asked for,
and the CLI asks only when writing to a terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from dataclasses import dataclass

import click
from tabulate import tabulate

from .credit import LEVEL_WORDS, milestone_text
from .dates import fmt_months, months_text
from .determination import Determination, RequirementResult
from .evaluate import requirement_label
from .explain import OUTCOME_WORDS, paragraphs
from .rulebook import LoadedClass
from .spec import (
    CurrentEmploymentRequirement,
    EducationRequirement,
    ExperienceRequirement,
    JobFilter,
    LicenseRequirement,
    Policy,
    Substitution,
    TrainingRequirement,
    Version,
)

FORMATS = ("table", "json", "markdown")
STATUS_SHORT = {"qualified": "qualified", "not_qualified": "not qualified", "review": "analyst review",
                "conditional": "conditional (may file)"}
STATUS_COLOUR = {"qualified": "green", "not_qualified": "red", "review": "yellow", "conditional": "cyan"}
DASH = "—"


def status_text(status: str, colour: bool = False) -> str:
    text = STATUS_SHORT.get(status, status)
    return click.style(text, fg=STATUS_COLOUR.get(status), bold=True) if colour else text


def _tablefmt(fmt: str) -> str:
    return "github" if fmt == "markdown" else "simple"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# ------------------------------------------------------------ one determination

def shortfall_text(d: Determination) -> str:
    if d.shortfall is None:
        return DASH
    if d.shortfall_unit == "months":
        return months_text(d.shortfall)
    if d.shortfall_unit == "yes/no":
        missing = next((r for p in d.paths if p.id == d.path for r in p.requirements
                        if not r.met and r.unit == "yes/no"), None)
        return "not shown: " + _clip(missing.label, 40) if missing else "a requirement not shown"
    return f"{d.shortfall:g} {d.shortfall_unit}"


def earliest_text(d: Determination) -> str:
    """When the candidate qualifies: now, a projected date, or that none can be projected."""
    if d.status == "qualified":
        return "now"
    if d.status == "conditional":
        return "may file now" + (f"; appointable {d.appointable_from.isoformat()}" if d.appointable_from else "")
    if d.earliest_qualifying_date:
        return d.earliest_qualifying_date.isoformat()
    return "not projectable" if d.status == "not_qualified" else DASH


def _amount(r: RequirementResult, value: float) -> str:
    if r.unit == "months":
        return months_text(value)
    if r.unit == "yes/no":
        return "yes" if value >= 1 else "no"
    return f"{value:g} {r.unit}"


def requirement_rows(d: Determination, width: int = 60) -> list[list[str]]:
    rows = []
    for p in d.paths:
        for r in p.requirements:
            label = ("of which: " if r.parent else "") + r.label
            short = _amount(r, r.shortfall) if r.shortfall > 0 and r.unit != "yes/no" else DASH
            rows.append([p.id, _clip(label, width), OUTCOME_WORDS[r.outcome], _amount(r, r.required),
                         _amount(r, r.found), short])
    return rows


def determination_text(d: Determination, fmt: str = "table", colour: bool = False) -> str:
    """One candidate against one class: a header, the reason and a row per requirement."""
    headers = ["Path", "Requirement", "Outcome", "Required", "Credited", "Shortfall"]
    table = tabulate(requirement_rows(d), headers=headers, tablefmt=_tablefmt(fmt))
    path = f"{d.path_label} (closest)" if d.closest_path else d.path_label
    facts = [
        ("Status", status_text(d.status, colour and fmt == "table")),
        ("Path", path or DASH),
        ("Shortfall", shortfall_text(d)),
        ("Earliest qualifying date", earliest_text(d)),
        ("Rule", f"{d.rule.id} version {d.rule.version} ({d.rule.content_hash})"),
    ]
    if fmt == "markdown":
        head = [f"## {d.candidate_id}: {d.class_title} ({d.class_id}), as of {d.as_of.isoformat()}", ""]
        head += [f"- **{k}:** {v}" for k, v in facts]
        return "\n".join(head + ["", d.reason, "", table]) + "\n"
    head = [f"Candidate {d.candidate_id} — {d.class_id} {d.class_title}, as of {d.as_of.isoformat()}"]
    head += [f"{k + ':':<26}{v}" for k, v in facts]
    return "\n".join(head + ["", textwrap.fill(d.reason, 100), "", table]) + "\n"


def determination_json(d: Determination) -> dict:
    return d.model_dump(mode="json")


# ------------------------------------------------------------ many classes

@dataclass
class Unavailable:
    """A class that could not be checked (no version in force, a broken rule file)."""

    class_id: str
    title: str
    problem: str


def class_map(candidate_id: str, as_of: dt.date, results: list[Determination | Unavailable], fmt: str = "table",
              colour: bool = False) -> str:
    """One row per class: what the candidate can apply for now, and when for the rest."""
    if fmt == "json":
        return json.dumps({"candidate_id": candidate_id, "as_of": as_of.isoformat(),
                           "results": [determination_json(r) if isinstance(r, Determination)
                                       else {"class_id": r.class_id, "class_title": r.title, "status": None,
                                             "error": r.problem} for r in results]}, indent=2) + "\n"
    rows = []
    for r in results:
        if isinstance(r, Unavailable):
            rows.append([r.class_id, _clip(r.title, 30), r.problem, DASH, DASH, DASH])
            continue
        path = _clip(r.path_label or DASH, 32) + (" (closest)" if r.closest_path else "")
        rows.append([r.class_id, _clip(r.class_title, 30), status_text(r.status, colour and fmt == "table"), path,
                     shortfall_text(r), earliest_text(r)])
    headers = ["Class", "Title", "Status", "Path", "Shortfall", "Earliest qualifying date"]
    wrap = [None, None, 24, None, None, None] if fmt == "table" else None  # a markdown row must stay on one line
    table = tabulate(rows, headers=headers, tablefmt=_tablefmt(fmt), maxcolwidths=wrap)
    title = f"Candidate {candidate_id}, as of {as_of.isoformat()}"
    return (f"## {title}\n\n{table}\n" if fmt == "markdown" else f"{title}\n\n{table}\n")


# ------------------------------------------------------------ the jobs behind an explanation

def job_table(d: Determination) -> str:
    """Every job against the experience requirements of the chosen (or closest) path.

    A path without experience requirements says nothing about jobs, so then
    every path's experience requirements are shown.
    """
    chosen = [p for p in d.paths if p.id == d.path]
    paths = chosen if any(r.type == "experience" for p in chosen for r in p.requirements) else d.paths
    several = len(paths) > 1
    rows = []
    for p in paths:
        for r in p.requirements:
            for e in r.evidence:
                if not e.item.startswith("Job "):
                    continue
                label = _clip(("of which: " if r.parent else "") + r.label, 40)
                months = fmt_months(e.months) if e.counted and e.months is not None else ("counts" if e.counted else "0")
                rate = f"{e.rate:.0%}" if e.counted and e.rate is not None else DASH
                why = e.reason or ""
                if e.counted and e.inferred:
                    why = (why + "; " if why else "") + "kind of experience inferred from title/duties"
                rows.append(([p.id] if several else []) + [e.item, label, months, rate,
                                                         ("" if e.counted else "not credited: ") + why])
    if not rows:
        return "Jobs: the application lists no jobs that bear on an experience requirement.\n"
    headers = (["Path"] if several else []) + ["Job", "Requirement", "Months credited", "Rate", "Note"]
    widths = ([None] if several else []) + [50, 40, None, None, 50]
    where = "every path" if several else f"path '{paths[0].label}'"
    return f"Jobs ({where}):\n" + tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=widths) + "\n"


# ------------------------------------------------------------ the disqualification notice

def _plain_item(item: str) -> str:
    """'Job 2: Clerk, Acme (2019-01-01 to present)' -> 'Clerk, Acme (2019-01-01 to present)'."""
    head, sep, rest = item.partition(": ")
    return rest if sep and head.split(" ")[0] in ("Job", "Education", "Training", "Licence", "License") else item


def _full_stop(text: str) -> str:
    return text if text.endswith((".", ".)", ".\"", "?", "!")) else text + "."


def _showed(r: RequirementResult) -> list[str]:
    """What the application showed for one requirement, in sentences to the applicant."""
    if r.unit == "months":
        out = [f"The requirement \"{r.label}\" calls for {months_text(r.required)}. Your application shows "
               f"{months_text(r.found)} that count toward it, so you are short by {months_text(r.shortfall)}."]
    elif r.unit == "yes/no":
        out = [f"The requirement \"{r.label}\" is not shown on your application."]
    else:
        out = [f"The requirement \"{r.label}\" calls for {r.required:g} {r.unit}. Your application shows "
               f"{r.found:g}, so you are short by {r.shortfall:g} {r.unit}."]
    counted = [e for e in r.evidence if e.counted]
    missed = [e for e in r.evidence if not e.counted]
    if counted:
        out.append("We counted:")
        out += [f"  - {_plain_item(e.item)}" + (f": {months_text(e.months)}" if e.months is not None else "")
                + (f" (at {e.rate:.0%} of full time)" if e.rate is not None and e.rate < 1 else "") + "."
                for e in counted]
    if missed:
        out.append("We could not count:")
        out += [_full_stop(f"  - {_plain_item(e.item)}, because {e.reason}") for e in missed]
    return out


def _wrap_block(lines: list[str], width: int = 78) -> list[str]:
    out = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        bullet = line.lstrip(" ").startswith("- ")
        out.append(textwrap.fill(line, width, subsequent_indent=" " * (indent + (2 if bullet else 0)))
                   if line else "")
    return out


def notice(d: Determination, policy: Policy, name: str | None = None, today: dt.date | None = None) -> str:
    """The letter telling an applicant they do not meet the minimum qualifications.

    The appeal paragraph comes from the jurisdiction policy; where the policy
    has none, bracketed placeholders mark what the department must fill in.
    """
    today = today or dt.date.today()
    appeal = policy.appeal
    body = appeal.body if appeal else "[APPEAL BODY]"
    how = appeal.how.strip() if appeal and appeal.how else "[HOW TO FILE AN APPEAL]"
    if appeal:
        deadline = (f"within {appeal.deadline_days} calendar days of the date of this notice, that is by "
                    f"{(today + dt.timedelta(days=appeal.deadline_days)).isoformat()}")
    else:
        deadline = "within [APPEAL DEADLINE] calendar days of the date of this notice, that is by [DATE]"
    who = name or "Applicant"
    code = f", class code {d.rule.class_code}" if d.rule.class_code else ""
    chosen = next(p for p in d.paths if p.id == d.path)
    unmet = [r for r in chosen.requirements if not r.met]
    met = [r for r in chosen.requirements if r.met and not r.parent]
    others = [p for p in d.paths if p.id != chosen.id]

    lines = [
        policy.name.upper(),
        "NOTICE OF DISQUALIFICATION",
        "",
        f"Date: {today.isoformat()}",
        f"To: {who} (application {d.candidate_id})",
        f"Re: {d.class_title}{code}",
        "",
        f"Dear {who},",
        "",
        f"Thank you for your interest in the position of {d.class_title}. We have reviewed your application "
        f"against the minimum qualifications for this class as they stood on {d.as_of.isoformat()}. We regret to "
        f"inform you that your application does not show that you meet them, so you cannot be admitted to the "
        f"examination on this application.",
        "",
        "The minimum qualifications for this class read:",
        "",
    ]
    for para in filter(None, paragraphs(d.mq_text).splitlines()):
        lines += textwrap.wrap(para, 72, initial_indent="    ", subsequent_indent="    ") + [""]
    lines += ["What your application showed:", ""]
    if len(d.paths) > 1:
        lines += [f"The way of qualifying that your application comes closest to is \"{chosen.label}\".", ""]
    for r in unmet:
        lines += _showed(r) + [""]
    if met:
        lines += ["Your application does meet the rest of this way of qualifying:"]
        lines += [f"  - {r.label}." for r in met] + [""]
    if others:
        lines += ["The minimum qualifications can also be met in other ways, but your application does not meet "
                  "them either:"]
        for p in others:
            gaps = [r.label for r in p.requirements if not r.met and not r.parent]
            lines.append(f"  - \"{p.label}\": not met ({'; '.join(gaps) or 'see the requirements above'}).")
        lines.append("")
    if d.earliest_qualifying_date:
        lines += [f"If your current employment continues, you would meet the minimum qualifications on "
                  f"{d.earliest_qualifying_date.isoformat()}. You are welcome to apply again for a later "
                  f"examination once you meet them.", ""]
    else:
        lines += ["You are welcome to apply again for a later examination once you meet the minimum "
                  "qualifications.", ""]
    lines += [
        "Your right to appeal",
        "",
        f"If you believe this decision is in error, you may appeal to the {body}. {how} Your appeal must be "
        f"received {deadline}. Please quote your application number {d.candidate_id} and include any records, "
        f"such as letters from employers or pay records, that show qualifying experience or education your "
        f"application did not list.",
        "",
        "Sincerely,",
        "",
        "Exam Unit",
        policy.name,
        "",
        f"Reference: class {d.class_id}, rule version {d.rule.version} (content hash {d.rule.content_hash}), "
        f"reviewed as of {d.as_of.isoformat()}, eligibility {d.tool_version}.",
    ]
    return "\n".join(_wrap_block(lines)).rstrip() + "\n"


# ------------------------------------------------------------ rule files

def _org_names(ids: list[str], policy: Policy) -> str:
    names = {o.id: o.name for o in policy.organizations}
    return " or ".join(names.get(i, i) for i in ids)


LEVEL_SHORT = {"high_school": "high school/GED", "ged": "GED", "certificate": "certificate",
               "associate": "associate degree", "bachelor": "bachelor's degree", "master": "master's degree",
               "doctorate": "doctorate", "college_units": "college units"}


def _alternative(flt: JobFilter, policy: Policy) -> str:
    bits = []
    if flt.titles or flt.class_codes:
        bits.append("listed titles")
    if flt.kinds_any or flt.kinds_all:
        bits.append("/".join(flt.kinds_any) or " & ".join(flt.kinds_all))
    if flt.class_level:
        bits.append("at the class level")
    if flt.employers:
        bits.append("with " + _org_names(flt.employers, policy))
    if flt.after:
        bits.append(milestone_text(flt.after))
    return " ".join(bits) or "any job"


def _summary_phrase(req, policy: Policy) -> str:
    if isinstance(req, ExperienceRequirement):
        words = [f"{fmt_months(req.months)} mo"]
        if req.supervision:
            words.append("supervisory" if req.supervision == "supervisor" else "lead")
        if req.kinds_any or req.kinds_all:
            words.append("/".join(req.kinds_any) or " & ".join(req.kinds_all))
        words.append("experience")
        if req.titles or req.class_codes:
            words.append("in listed titles")
        if req.class_level:
            words.append("at the class level")
        if req.any_of:
            words.append("in " + " or ".join(_alternative(a, policy) for a in req.any_of))
        if req.employers:
            words.append("with " + _org_names(req.employers, policy))
        if req.after:
            words.append(milestone_text(req.after))
        text = " ".join(words)
        if req.of_which:
            text += " (incl. " + ", ".join(_summary_phrase(s, policy).replace(" experience", "")
                                           for s in req.of_which) + ")"
        return text
    if isinstance(req, CurrentEmploymentRequirement):
        return "current employee of " + _org_names(req.employers, policy)
    if isinstance(req, EducationRequirement):
        text = f"{req.units:g} {req.unit_system} units" if req.units else LEVEL_SHORT[req.min_level]
        text += " in " + "/".join(req.fields) if req.fields else ""
        if req.may_file:
            early = [f"{fmt_months(req.may_file.within_months)} mo before completion"
                     if req.may_file.within_months else "", f"{req.may_file.units:g} units short"
                     if req.may_file.units else ""]
            text += " (may file " + " or ".join(x for x in early if x) + ")"
        if req.or_experience:
            text += " (or experience" + (" at a rate" if req.or_experience.partial else "") + ")"
        return text
    if isinstance(req, TrainingRequirement):
        return (f"{req.hours:g} h " if req.hours else "") + "training in " + "/".join(req.subjects)
    assert isinstance(req, LicenseRequirement)
    return " ".join(x for x in [req.state, "driver" if req.kind == "driver" else req.name, "licence"] if x)


def mq_summary(version: Version, policy: Policy) -> str:
    """The MQ in one line: each path's requirements, paths joined by 'or'."""
    text = " OR ".join(" + ".join(_summary_phrase(r, policy) for r in p.requirements) for p in version.paths)
    extras = []
    if version.substitutions:
        extras.append("substitution")
    if version.equivalency:
        extras.append("or equivalent")
    if version.may_file:
        extras.append(f"may file {fmt_months(version.may_file.months)} mo short")
    return text + (f" [{'; '.join(extras)}]" if extras else "")


def _span(version: Version) -> str:
    return f"{version.effective_from.isoformat()} to {version.effective_to.isoformat() if version.effective_to else 'now'}"


def _current(loaded: LoadedClass, as_of: dt.date) -> Version:
    """The version in force on ``as_of``, else the latest."""
    for v in loaded.spec.versions:
        if v.in_force(as_of):
            return v
    return max(loaded.spec.versions, key=lambda v: v.effective_from)


def classes_table(classes: list[LoadedClass], as_of: dt.date, fmt: str = "table") -> str:
    rows = [[c.spec.id, c.spec.title, c.policy.name, c.spec.class_code or DASH,
             "\n".join(_span(v) for v in sorted(c.spec.versions, key=lambda v: v.effective_from)),
             mq_summary(_current(c, as_of), c.policy)] for c in classes]
    if fmt == "json":
        return json.dumps([{"id": c.spec.id, "title": c.spec.title, "jurisdiction": c.policy.name,
                            "class_code": c.spec.class_code,
                            "versions": [{"version": v.version, "effective_from": v.effective_from.isoformat(),
                                          "effective_to": v.effective_to.isoformat() if v.effective_to else None}
                                         for v in c.spec.versions],
                            "summary": row[-1]} for c, row in zip(classes, rows)], indent=2) + "\n"
    headers = ["ID", "Title", "Jurisdiction", "Code", "Effective", "Minimum qualifications (summary)"]
    if fmt == "markdown":
        rows = [[cell.replace("\n", "<br>") for cell in row] for row in rows]
        return tabulate(rows, headers=headers, tablefmt="github") + "\n"
    return tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=[None, 22, 16, None, None, 50]) + "\n"


def _filter_lines(flt: JobFilter, policy: Policy) -> list[str]:
    out = []
    if flt.employers:
        out.append(f"employer: {_org_names(flt.employers, policy)} (its departments count)")
    if flt.departments:
        out.append(f"department: {_org_names(flt.departments, policy)}")
    if flt.titles:
        out.append("titles: " + "; ".join(flt.titles))
    if flt.class_codes:
        out.append("class codes: " + ", ".join(flt.class_codes))
    if flt.kinds_any:
        out.append("kind of experience, any of: " + ", ".join(flt.kinds_any))
    if flt.kinds_all:
        out.append("kind of experience, all of: " + ", ".join(flt.kinds_all))
    if flt.paid is not None:
        out.append("paid work only" if flt.paid else "paid or unpaid work")
    if flt.appointments:
        out.append("appointment: " + " or ".join(flt.appointments))
    if flt.supervision:
        out.append(f"supervision: at least {flt.supervision} level")
    if flt.class_level:
        out.append(f"class level: {flt.class_level}")
    if flt.sectors:
        out.append("sector: " + " or ".join(flt.sectors))
    if flt.kinds_none:
        out.append("does not count if it shows: " + ", ".join(flt.kinds_none))
    if flt.after:
        held = flt.after.while_held
        out.append(f"counts only {milestone_text(flt.after)} ("
                   + ("from its issue date to its expiry" if held else
                      "from the day it was " + ("obtained" if flt.after.license else "completed"))
                   + "; a missing date goes to an analyst)")
    if flt.any_of:
        out.append("and at least one of:")
        for n, alt in enumerate(flt.any_of, 1):
            alt_lines = _filter_lines(alt, policy) or ["any job"]
            out.append(f"  {n}. {alt_lines[0]}")
            out += ["     " + line for line in alt_lines[1:]]
    return out


def _requirement_lines(req, policy: Policy, indent: str) -> list[str]:
    pad = indent + "    "
    out = textwrap.wrap(f"- [{req.id}] {req.type.replace('_', ' ')}: {' '.join(requirement_label(req, policy).split())}",
                        100, initial_indent=indent, subsequent_indent=indent + "  ")
    if isinstance(req, ExperienceRequirement):
        out.append(f"{pad}{fmt_months(req.months)} months full-time"
                   + (f", or {req.hours:g} hours" if req.hours else "")
                   + (f", within the last {req.within_years:g} years" if req.within_years else ""))
        out += [pad + line for line in _filter_lines(req, policy)]
        if req.of_which:
            out.append(f"{pad}of which:")
        for sub in req.of_which:
            out += _requirement_lines(sub, policy, pad)
    elif isinstance(req, CurrentEmploymentRequirement):
        out.append(f"{pad}employer: {_org_names(req.employers, policy)}")
        if req.departments:
            out.append(f"{pad}department: {_org_names(req.departments, policy)}")
    elif isinstance(req, EducationRequirement):
        if req.min_level:
            out.append(f"{pad}at least {LEVEL_WORDS[req.min_level]}")
        if req.units:
            out.append(f"{pad}{req.units:g} {req.unit_system} units")
        if req.fields:
            out.append(f"{pad}field: " + " or ".join(req.fields))
        if req.may_file:
            when = []
            if req.may_file.within_months:
                when.append(f"expected to complete it within {fmt_months(req.may_file.within_months)} months "
                            f"after the as-of date")
            if req.may_file.units:
                when.append(f"lacking {req.may_file.units:g} {req.unit_system} units or less")
            out += _fill(f"may file (conditional, not appointable before completion) when {' or '.join(when)}: "
                         f"{req.may_file.text.strip()}", pad)
        if req.or_experience:
            out += _or_experience_lines(req, policy, pad)
    elif isinstance(req, TrainingRequirement):
        out.append(f"{pad}subject: " + " or ".join(req.subjects) + (f"; {req.hours:g} hours" if req.hours else ""))
    elif isinstance(req, LicenseRequirement):
        out.append(f"{pad}" + ", ".join(x for x in [req.kind, req.state, req.name,
                                                     "class " + "/".join(req.classes) if req.classes else None] if x))
    if req.note:
        out.append(f"{pad}note: {req.note.strip()}")
    return out


def _or_experience_lines(req: EducationRequirement, policy: Policy, pad: str) -> list[str]:
    """How experience may stand in for an education requirement."""
    sub = req.or_experience
    if not sub.partial:
        how = f"{fmt_months(sub.months)} months of experience meet the whole requirement"
    else:
        amount = (f"{sub.years:g} year{'s' if sub.years != 1 else ''} of education" if sub.years
                  else f"{sub.units:g} {req.unit_system} units")
        how = f"every {fmt_months(sub.months)} months of experience stand for {amount}"
        how += "" if sub.prorated else " (whole blocks only)"
        if sub.cap_years or sub.cap_units:
            how += (f", up to {sub.cap_years:g} year{'s' if sub.cap_years != 1 else ''}" if sub.cap_years
                    else f", up to {sub.cap_units:g} units")
        how += ", making up what the education shown lacks"
    if sub.additional_to:
        how += f"; experience beyond what [{sub.additional_to}] requires"
    out = _fill(f"or experience in its place: {how}: {sub.text.strip()}", pad)
    if sub.experience:
        out += [pad + "  which experience: " + line for line in _filter_lines(sub.experience, policy) or ["any job"]]
    return out


def _substitution(s: Substitution) -> str:
    given = {"education_units": f"{s.per:g} {s.unit_system} units",
             "education_level": "completing " + " or ".join(s.levels or ["the level"]),
             "training_hours": f"{s.per:g} hours of training"}[s.source]
    text = f"{s.text.strip()} — {given}" + (" in " + " or ".join(s.fields) if s.fields else "")
    text += f" = {fmt_months(s.months)} months toward [{s.requirement}]"
    if s.cap_months:
        text += f", up to {fmt_months(s.cap_months)} months"
    if s.source != "education_level":
        text += "; pro rata" if s.prorated else "; whole blocks only"
    return text


def _fill(text: str, indent: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), 96, initial_indent=indent, subsequent_indent=indent + "  ")


def class_structure(loaded: LoadedClass, today: dt.date | None = None) -> str:
    """Every version of a class: the MQ verbatim and its paths, requirements, conditions and substitutions."""
    today = today or dt.date.today()
    spec, policy = loaded.spec, loaded.policy
    lines = [f"{spec.id} — {spec.title}" + (f" (class code {spec.class_code})" if spec.class_code else ""),
             f"Jurisdiction: {policy.name} (policy '{policy.id}'); rule file {loaded.file.name}, "
             f"content hash {loaded.content_hash}"]
    for v in sorted(spec.versions, key=lambda v: v.effective_from):
        force = " — in force today" if v.in_force(today) else ""
        lines += ["", f"Version {v.version}, in force {_span(v)}{force}",
                  f"Source: {v.source.document}" + (f" — {v.source.title}" if v.source.title else "")]
        lines += ["", "Minimum qualifications (verbatim):"]
        lines += [("  | " + line).rstrip() for line in v.mq_text.rstrip().splitlines()]
        lines += ["", "Paths (any one qualifies; every requirement of a path must hold):"]
        for n, p in enumerate(v.paths, 1):
            numbered = p.label.startswith(f"{n}.")  # labels that keep the text's own numbering
            lines.append(f"  {'' if numbered else f'{n}. '}{p.label} [{p.id}]")
            for req in p.requirements:
                lines += _requirement_lines(req, policy, "     ")
        sections = [
            ("Substitutions", [_substitution(s) for s in v.substitutions]),
            ("Equivalent combination (analyst review, no stated rate)",
             [f"{v.equivalency.text.strip()} — may stand in for: {', '.join(v.equivalency.covers)}"
              + (f" (paths: {', '.join(v.equivalency.paths)})" if v.equivalency.paths else "")]
             if v.equivalency else []),
            ("May file", [f"lacking {fmt_months(v.may_file.months)} months or less: {v.may_file.text.strip()}"]
             if v.may_file else []),
            ("Conditions before appointment (not used to screen)", [c.text for c in v.conditions]),
            ("Desirable (not used to screen)", [dq.text for dq in v.desirable]),
            ("Analyst checks", list(v.analyst_checks)),
            ("How this file reads the text", [f"{c.question} {c.decision} ({c.reason})" for c in v.choices]),
        ]
        for title, items in sections:
            if items:
                lines += ["", f"{title}:"]
                for item in items:
                    lines += _fill("- " + item, "  ")
        lines += ["", f"Examples run as tests: {len(v.examples)}"]
    return "\n".join(lines) + "\n"

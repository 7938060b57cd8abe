"""A determination in plain sentences, for the applicant and the analyst."""

from __future__ import annotations

import textwrap

from .dates import fmt_months, months_text
from .determination import Determination, RequirementResult

STATUS_WORDS = {
    "qualified": "QUALIFIED: meets the minimum qualifications",
    "not_qualified": "NOT QUALIFIED: does not meet the minimum qualifications",
    "review": "ANALYST REVIEW: the record cannot be decided automatically",
    "conditional": "ADMITTED CONDITIONALLY: may file, but cannot be appointed until the requirement is met",
}
OUTCOME_WORDS = {"met": "met", "short": "not yet met (inside the may-file window)",
                 "review": "needs analyst review", "not_met": "not met"}


def _wrap(text: str, indent: str = "  ") -> str:
    """Wrap each line; a list item's continuation lines hang under its text."""
    hang = indent + ("  " if text.startswith("- ") else "")
    return "\n".join(textwrap.fill(line, 96, initial_indent=indent, subsequent_indent=hang) if line else indent.rstrip()
                     for line in text.splitlines())


def paragraphs(text: str) -> str:
    """Rejoin a verbatim text's hard line breaks; blank lines still separate paragraphs."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))


def requirement_lines(r: RequirementResult, indent: str = "  ") -> list[str]:
    """Required, found, shortfall and evidence of one requirement, as sentences."""
    out = [f"{indent}- {r.label}: {OUTCOME_WORDS[r.outcome]}."]
    pad = indent + "    "
    if r.unit == "months":
        line = f"Required {fmt_months(r.required)} months; credited {fmt_months(r.found)}"
        if r.required_hours:
            line += f" ({r.found_hours:g} hours; {r.required_hours:g} hours also qualify)"
        if r.shortfall > 0:
            line += f"; short by {months_text(r.shortfall)}"
        out.append(pad + line + ".")
    elif r.unit != "yes/no":
        out.append(pad + f"Required {r.required:g} {r.unit}; shown {r.found:g}.")
    for note in r.notes:
        out.append(pad + note)
    for e in r.evidence:
        if e.counted:
            amount = f": {fmt_months(e.months)} months credited" if e.months is not None else ": counts"
            rate = f" at {e.rate:.0%} of full time" if e.rate is not None and e.rate < 1 else ""
            extra = f" ({e.reason})" if e.reason else ""
            out.append(pad + f"+ {e.item}{amount}{rate}{extra}.")
        else:
            out.append(pad + f"- {e.item}: not counted, because {e.reason}.")
    if r.earliest_date and not r.met:
        day = r.earliest_date.isoformat()
        out.append(pad + (f"If current work goes on, this is met on {day}." if r.type == "experience"
                          else f"This is met on {day} if the education is completed as expected."))
    return out


def explain(d: Determination) -> str:
    """The full explanation of a determination as plain text."""
    lines = [
        f"Candidate {d.candidate_id} — {d.class_title} ({d.rule.class_code or d.class_id})",
        f"As of {d.as_of.isoformat()}: {STATUS_WORDS[d.status]}.",
        "",
        _wrap(d.reason, ""),
        "",
        "The minimum qualifications read:",
        _wrap(paragraphs(d.mq_text), "  | "),
        "",
    ]
    for p in d.paths:
        short = sorted({r.type for r in p.requirements if r.outcome == "short"}) or ["experience"]
        missing = " and ".join(short) + (" are" if len(short) > 1 else " is")
        mark = {"qualified": "qualifies", "conditional": f"qualifies once the {missing} complete",
                "review": "may qualify: needs review", "equivalent": "may qualify by equivalent combination",
                "not_met": "does not qualify"}[p.outcome]
        chosen = " (closest)" if d.closest_path and p.id == d.path else ""
        lines.append(f"Path '{p.label}'{chosen}: {mark}.")
        for r in p.requirements:
            lines.extend(requirement_lines(r, "  " if r.parent is None else "      "))
        lines.append("")
    if d.earliest_qualifying_date:
        lines.append(f"Earliest date the candidate would qualify if current employment continues: "
                     f"{d.earliest_qualifying_date.isoformat()}.")
    elif d.status != "qualified":
        lines.append("No qualifying date can be projected from current employment.")
    if d.appointable_from:
        lines.append(f"Cannot be appointed before {d.appointable_from.isoformat()}.")
    if d.review_reasons:
        lines.append("Why an analyst must review:")
        lines.extend(_wrap("- " + r) for r in d.review_reasons)
    if d.conditions:
        lines.append("Conditions before appointment (not used to screen):")
        lines.extend(_wrap("- " + c) for c in d.conditions)
    if d.desirable:
        lines.append("Desirable qualifications (not used to screen):")
        for n in d.desirable:
            seen = "shown" if n.shown else "not shown"
            lines.append(_wrap(f"- {n.text} — {seen}" + (f": {n.detail}" if n.detail and n.shown else "")))
    if d.analyst_checks:
        lines.append("Analyst checks:")
        lines.extend(_wrap("- " + c) for c in d.analyst_checks)
    lines += [
        "",
        f"How time is counted: {d.rounding}",
        f"Rule {d.rule.id}, version {d.rule.version} (in force {d.rule.effective_from.isoformat()} to "
        f"{d.rule.effective_to.isoformat() if d.rule.effective_to else 'now'}), content hash {d.rule.content_hash}, "
        f"source {d.rule.source}; eligibility {d.tool_version}.",
    ]
    return "\n".join(lines).rstrip() + "\n"

"""evaluate(candidate, class, as_of) -> Determination: crediting, engine, assembly."""

from __future__ import annotations

import datetime as dt

from . import __version__
from .candidate import Candidate
from .credit import LEVEL_WORDS, CandidateFacts, NodeFacts, credit, milestone_text
from .dates import fmt_months, months_text
from .determination import Determination, EvidenceItem, Note, PathResult, RequirementResult, RuleRef
from .engine import compiled
from .rulebook import LoadedClass
from .spec import (
    CurrentEmploymentRequirement,
    EducationRequirement,
    ExperienceRequirement,
    LicenseRequirement,
    Policy,
    TrainingRequirement,
)

STATUS_PRECEDENCE = ("qualified", "conditional", "review")


def requirement_label(req, policy: Policy) -> str:
    """A plain description of a requirement, used where the rule file gives no label."""
    if req.label:
        return req.label
    names = {o.id: o.name for o in policy.organizations}
    if isinstance(req, ExperienceRequirement):
        text = f"{fmt_months(req.months)} months of full-time experience"
        if req.hours:
            text += f" (or {req.hours:g} hours)"
        if req.kinds_any:
            text += " in " + " or ".join(req.kinds_any)
        if req.kinds_all:
            text += " involving " + " and ".join(req.kinds_all)
        if req.supervision:
            text += f" at {req.supervision} level"
        if req.employers:
            text += " with " + " or ".join(names[e] for e in req.employers)
        if req.departments:
            text += ", " + " or ".join(names[e] for e in req.departments)
        if req.titles:
            text += " as " + ", ".join(req.titles)
        if req.within_years:
            text += f", within the last {req.within_years:g} years"
        if req.after:
            text += ", gained " + milestone_text(req.after)
        return text
    if isinstance(req, CurrentEmploymentRequirement):
        return "current employment with " + " or ".join(names[e] for e in req.employers)
    if isinstance(req, EducationRequirement):
        if req.units:
            text = f"{req.units:g} {req.unit_system} units"
        else:
            text = LEVEL_WORDS[req.min_level]
        text += " in " + " or ".join(req.fields) if req.fields else ""
        return text + (", or qualifying experience in its place" if req.or_experience else "")
    if isinstance(req, TrainingRequirement):
        hours = f"{req.hours:g} hours of " if req.hours else "completion of "
        return hours + "training in " + " or ".join(req.subjects)
    assert isinstance(req, LicenseRequirement)
    return " ".join(x for x in ["a valid", req.state, req.kind, "licence", *(["class " + "/".join(req.classes)]
                                                                          if req.classes else [])] if x)


def _requirement(n: NodeFacts, outcome: str, policy: Policy) -> RequirementResult:
    met = outcome == "met"
    short = 0.0 if met else max(0.0, n.required - n.value)
    return RequirementResult(
        id=n.requirement.id, node=n.node, type=n.kind, label=requirement_label(n.requirement, policy),
        outcome=outcome, met=met, required=n.required, found=round(n.value, 4), unit=n.unit,
        shortfall=round(short, 4), required_hours=n.required_hours,
        found_hours=round(n.hours_found, 1) if n.hours_found is not None else None,
        evidence=[EvidenceItem(item=e.item, counted=e.counted, months=None if e.months is None else round(e.months, 4),
                               rate=e.rate, reason=e.reason, inferred=e.inferred) for e in n.evidence],
        notes=n.notes, earliest_date=n.earliest, parent=n.parent,
    )


def _path_earliest(reqs: list[RequirementResult]) -> dt.date | None:
    """The day every requirement of a path would be met if current jobs go on."""
    dates = []
    for r in reqs:
        if r.met:
            continue
        if r.earliest_date is None:  # experience if current jobs go on; education by its expected date
            return None
        dates.append(r.earliest_date)
    return max(dates) if dates else None


def _closeness(p: PathResult) -> tuple:
    """Smallest relative shortfall first; on a tie, fewer unmet and then more met requirements."""
    unmet = [r for r in p.requirements if not r.met]
    return (sum(r.shortfall / r.required if r.required else 1 for r in unmet), len(unmet),
            -(len(p.requirements) - len(unmet)))


def _sentence(r: RequirementResult) -> str:
    if r.outcome == "short" and r.unit != "months":
        expected = f"expected {r.earliest_date.isoformat()}, " if r.earliest_date else ""
        return f"{r.label}: not yet complete ({expected}inside its may-file window)"
    if r.unit == "months":
        return (f"{r.label}: {fmt_months(r.required)} months required, {fmt_months(r.found)} credited, "
                f"short by {months_text(r.shortfall)}")
    if r.unit == "yes/no":
        return f"{r.label}: not shown"
    return f"{r.label}: {r.required:g} {r.unit} required, {r.found:g} shown"


def evaluate(candidate: Candidate, loaded: LoadedClass, as_of: dt.date, *, facts: CandidateFacts | None = None,
             jobs=None) -> Determination:
    """Decide whether ``candidate`` meets the class's minimum qualifications on ``as_of``."""
    spec, policy = loaded.spec, loaded.policy
    version = loaded.version_for(as_of)
    facts = facts or credit(candidate, version, policy, loaded.vocabulary, as_of, jobs)
    engine = compiled((spec.id, version.version, loaded.content_hash), version, facts)
    res = engine.run(facts)

    by_path: dict[str, list[RequirementResult]] = {}
    for n in facts.nodes:
        by_path.setdefault(n.path, []).append(_requirement(n, res.nodes[n.node], policy))
    paths = []
    for p in version.paths:
        reqs = by_path[p.id]
        paths.append(PathResult(id=p.id, label=p.label, outcome=res.path_outcome(p.id), requirements=reqs,
                                blocked_by=res.blockers.get(p.id, []), earliest_date=_path_earliest(reqs)))

    status = next((s for s in STATUS_PRECEDENCE if s in res.statuses), "not_qualified")
    wanted = {"qualified": ("qualified",), "conditional": ("conditional",),
              "review": ("review", "equivalent"), "not_qualified": ()}[status]
    chosen = next((p for p in paths if p.outcome in wanted), None)
    closest = chosen is None
    if chosen is None:
        chosen = min(paths, key=_closeness)

    review_reasons: list[str] = []
    for p in paths:
        if p.outcome not in ("review", "equivalent"):
            continue
        for r in p.requirements:
            if r.outcome == "review":
                why = [e.reason for e in r.evidence if not e.counted and e.reason and
                       ("cannot be credited" in e.reason or "needs an analyst" in e.reason)]
                review_reasons.append(f"{r.label} ({p.label}): the record could meet it but "
                                      f"{'; '.join(why) or 'some entries are incomplete'}.")
        if p.outcome == "equivalent" and version.equivalency:
            traded = [r.label for r in p.requirements if r.outcome == "not_met"]
            review_reasons.append(f"'{version.equivalency.text.strip()}': the candidate does not meet "
                                  f"{'; '.join(traded)} ({p.label}) but has education, training or experience "
                                  f"that may make up for it; no rate is stated, so an analyst must weigh it.")

    earliest = None
    if status != "qualified":
        dates = [p.earliest_date for p in paths if p.earliest_date]
        earliest = min(dates) if dates else None
    appointable = chosen.earliest_date if status == "conditional" else None
    unmet = [r for r in chosen.requirements if not r.met]
    main = next((r for r in unmet if r.unit == "months"), unmet[0] if unmet else None)

    if status == "qualified":
        reason = f"Meets the minimum qualifications through '{chosen.label}'."
    elif status == "conditional":
        reason = (f"May file under the may-file rule: {_sentence(main)}; cannot be appointed before "
                  f"{appointable.isoformat() if appointable else f'the full {main.type} requirement is met'}.")
    elif status == "review":
        reason = "Needs analyst review: " + review_reasons[0] if review_reasons else "Needs analyst review."
    else:
        reason = f"Does not meet the minimum qualifications. Closest: '{chosen.label}': " + \
                 "; ".join(_sentence(r) for r in unmet) + "."

    checks = list(version.analyst_checks)
    if any(e.inferred and e.counted for p in paths for r in p.requirements for e in r.evidence):
        checks.append("Some experience was credited on a kind inferred from job titles and duties; confirm it "
                      "against the application.")
    if facts.uncreditable:
        checks.append("Entries that could not be credited (missing dates or hours): " + "; ".join(facts.uncreditable))

    return Determination(
        candidate_id=candidate.id, class_id=spec.id, class_title=spec.title, status=status, reason=reason,
        as_of=as_of, path=chosen.id, path_label=chosen.label, closest_path=closest,
        shortfall=(main.shortfall if main and status != "qualified" else None),
        shortfall_unit=(main.unit if main and status != "qualified" else None),
        earliest_qualifying_date=earliest, appointable_from=appointable, paths=paths,
        mq_text=version.mq_text.strip(), conditions=[c.text for c in version.conditions],
        desirable=[Note(text=t, shown=shown, detail=detail) for t, shown, detail in facts.desirable],
        analyst_checks=checks, review_reasons=review_reasons, rounding=facts.rounding,
        rule=RuleRef(id=spec.id, title=spec.title, class_code=spec.class_code, jurisdiction=policy.name,
                     version=version.version, effective_from=version.effective_from,
                     effective_to=version.effective_to, content_hash=loaded.content_hash,
                     source=version.source.document),
        tool_version=__version__, trace=res.trace,
    )

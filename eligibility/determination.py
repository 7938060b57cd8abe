"""What a determination carries (DESIGN §7), as pydantic models for JSON output."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

Status = Literal["qualified", "not_qualified", "review", "conditional"]
Outcome = Literal["met", "short", "review", "not_met"]


class EvidenceItem(BaseModel):
    item: str
    counted: bool
    months: float | None = None
    rate: float | None = None
    reason: str | None = None
    inferred: bool = False


class RequirementResult(BaseModel):
    id: str
    node: str
    type: str
    label: str
    outcome: Outcome
    met: bool
    required: float
    found: float
    unit: str
    shortfall: float
    required_hours: float | None = None
    found_hours: float | None = None
    evidence: list[EvidenceItem] = []
    notes: list[str] = []
    earliest_date: dt.date | None = None
    parent: str | None = None


class PathResult(BaseModel):
    id: str
    label: str
    outcome: Literal["qualified", "conditional", "review", "equivalent", "not_met"]
    requirements: list[RequirementResult]
    blocked_by: list[str] = []
    earliest_date: dt.date | None = None


class Note(BaseModel):
    text: str
    shown: bool | None = None
    detail: str | None = None


class RuleRef(BaseModel):
    id: str
    title: str
    class_code: str | None
    jurisdiction: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    content_hash: str
    source: str


class Determination(BaseModel):
    candidate_id: str
    class_id: str
    class_title: str
    status: Status
    reason: str
    as_of: dt.date
    path: str | None
    path_label: str | None
    closest_path: bool
    shortfall: float | None
    shortfall_unit: str | None
    earliest_qualifying_date: dt.date | None
    appointable_from: dt.date | None
    paths: list[PathResult]
    mq_text: str
    conditions: list[str]
    desirable: list[Note]
    analyst_checks: list[str]
    review_reasons: list[str]
    rounding: str
    rule: RuleRef
    tool_version: str
    trace: list[str]

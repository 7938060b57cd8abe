"""Screening in bulk: many records against one or more classes, in input order.

``screen(records, classes, as_of)`` evaluates every record against every
class and yields one :class:`Outcome` per record and class, in input order.
A record that cannot be read or validated becomes an ``error`` outcome for
each class and the run goes on.

durable_rules is not thread-safe (DESIGN §8), so ``workers=N`` uses
processes.  Records travel to the workers in chunks; at most a few chunks are
in flight at once, so memory stays flat however long the input is, and
results come back by chunk index, so the output is the same for any N.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator

from tabulate import tabulate

from .candidate import Candidate, InputError
from .credit import prepare_jobs
from .csvio import Record, build_candidate
from .dates import months_text
from .determination import Determination
from .evaluate import evaluate
from .rulebook import LoadedClass

STATUSES = ("qualified", "conditional", "review", "not_qualified", "error")
CHUNK = 100


@dataclass(slots=True)
class Outcome:
    """One record screened against one class: the columns of the results file, and more."""

    seq: int                       # the record's position in the input, from 0
    id: str
    name: str | None
    class_id: str
    status: str                    # qualified | conditional | review | not_qualified | error
    path: str | None
    shortfall: str
    reason: str
    earliest_qualifying_date: str
    rule_version: str
    source: str                    # file and line(s) the record came from
    unmet: tuple[str, ...] = ()    # requirements not met on the closest path (not qualified only)
    determination: str | None = None  # the full determination as JSON text (with details=True)

    def row(self) -> tuple:
        return (self.id, self.name or "", self.class_id, self.status, self.path or "", self.shortfall, self.reason,
                self.earliest_qualifying_date, self.rule_version)

    def json_line(self) -> str:
        head = {"id": self.id, "name": self.name, "class_id": self.class_id, "status": self.status,
                "path": self.path, "shortfall": self.shortfall or None, "reason": self.reason,
                "earliest_qualifying_date": self.earliest_qualifying_date or None,
                "rule_version": self.rule_version or None, "source": self.source or None}
        text = json.dumps(head, ensure_ascii=False)
        if self.status == "error":
            return text[:-1] + ', "error": ' + json.dumps(self.reason, ensure_ascii=False) + "}"
        return text[:-1] + ', "determination": ' + (self.determination or "null") + "}"


def shortfall_text(d: Determination) -> str:
    if d.shortfall is None or d.status == "qualified":
        return ""
    if d.shortfall_unit == "months":
        return months_text(d.shortfall)
    if d.shortfall_unit == "yes/no":
        return "not shown"
    return f"{d.shortfall:g} {d.shortfall_unit}"


def _unmet(d: Determination) -> tuple[str, ...]:
    if d.status != "not_qualified":
        return ()
    chosen = next((p for p in d.paths if p.id == d.path), None)
    return tuple(r.label for r in chosen.requirements if not r.met) if chosen else ()


class _Screener:
    """Screens one chunk of records; one per process, holding the classes and the as-of date."""

    def __init__(self, classes: list[LoadedClass], as_of: dt.date, details: bool):
        self.classes = classes
        self.as_of = as_of
        self.details = details
        self.versions = [c.version_for(as_of).version for c in classes]

    def __call__(self, chunk: list[tuple[int, Record | Candidate]]) -> list[Outcome]:
        out: list[Outcome] = []
        for seq, item in chunk:
            out.extend(self.one(seq, item))
        return out

    def _error(self, seq: int, rid: str, name: str | None, source: str, loaded: LoadedClass, version: str,
               message: str) -> Outcome:
        return Outcome(seq, rid, name, loaded.spec.id, "error", None, "", message, "", version, source)

    def one(self, seq: int, item: Record | Candidate) -> list[Outcome]:
        if isinstance(item, Record):
            source, name = item.where, item.name
            try:
                candidate = build_candidate(item)
            except InputError as exc:
                return [self._error(seq, item.id, name, source, c, v, str(exc))
                        for c, v in zip(self.classes, self.versions)]
        else:
            candidate, source, name = item, "", item.name
        jobs: dict[tuple[int, int], list] = {}  # prepared once per policy, shared by its classes
        out = []
        for loaded, version in zip(self.classes, self.versions):
            key = (id(loaded.policy), id(loaded.vocabulary))
            try:
                if key not in jobs:
                    jobs[key] = prepare_jobs(candidate, loaded.policy, loaded.vocabulary)
                d = evaluate(candidate, loaded, self.as_of, jobs=jobs[key])
            except Exception as exc:  # noqa: BLE001 - one record must never stop the batch
                out.append(self._error(seq, candidate.id, name, source, loaded, version,
                                       f"Record {candidate.id}, {source or 'input'}: could not be evaluated "
                                       f"({type(exc).__name__}: {exc})."))
                continue
            out.append(Outcome(
                seq, candidate.id, name, loaded.spec.id, d.status, d.path, shortfall_text(d), d.reason,
                d.earliest_qualifying_date.isoformat() if d.earliest_qualifying_date else "", d.rule.version,
                source, _unmet(d),
                json.dumps(d.model_dump(mode="json"), ensure_ascii=False) if self.details else None))
        return out


_WORKER: _Screener | None = None


def _start_worker(classes: list[LoadedClass], as_of: dt.date, details: bool) -> None:
    global _WORKER
    _WORKER = _Screener(classes, as_of, details)


def _work(chunk: list[tuple[int, Record | Candidate]]) -> list[Outcome]:
    return _WORKER(chunk)


def _chunks(records: Iterable[Record | Candidate], size: int) -> Iterator[list[tuple[int, Record | Candidate]]]:
    chunk: list = []
    for seq, item in enumerate(records):
        chunk.append((seq, item))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def screen(records: Iterable[Record | Candidate], classes: list[LoadedClass], as_of: dt.date, *,
           workers: int = 1, details: bool = False, chunk_size: int = CHUNK) -> Iterator[Outcome]:
    """Screen every record against every class; yield an Outcome per record and class, in input order.

    ``records`` may be CSV records (from :mod:`eligibility.csvio`) or Candidate
    objects.  ``details`` adds each determination as JSON text.  Raises
    RuleError at once if a class has no version in force on ``as_of``.
    """
    screener = _Screener(classes, as_of, details)  # checks the versions before anything runs
    chunks = _chunks(records, chunk_size)
    if workers <= 1:
        for chunk in chunks:
            yield from screener(chunk)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=_start_worker, initargs=(classes, as_of, details))
    try:
        window: deque = deque()
        for chunk in chunks:
            window.append(pool.submit(_work, chunk))
            if len(window) >= workers * 3:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------ summary

class Summary:
    """Counts per class and status, and the most frequent reasons for not qualifying."""

    def __init__(self, class_ids: list[str]):
        self.class_ids = list(class_ids)
        self.counts = {cid: Counter() for cid in class_ids}
        self.reasons = {cid: Counter() for cid in class_ids}
        self.records = 0
        self.error_records = 0
        self._last = -1
        self._last_error = -1

    def add(self, o: Outcome) -> None:
        if o.seq != self._last:
            self._last = o.seq
            self.records += 1
        self.counts[o.class_id][o.status] += 1
        if o.status == "error" and o.seq != self._last_error:
            self._last_error = o.seq
            self.error_records += 1
        for label in o.unmet:
            self.reasons[o.class_id][label] += 1

    def text(self, as_of: dt.date, top: int = 3, width: int = 100) -> str:
        n = len(self.class_ids)
        lines = [f"Screened {self.records} applicant record{'s' * (self.records != 1)} against {n} "
                 f"class{'es' * (n != 1)} as of {as_of.isoformat()}: {self.records * n} result{'s' * (self.records * n != 1)}; "
                 f"{self.error_records} record{'s' * (self.error_records != 1)} could not be screened "
                 f"(status error).", ""]
        rows = [[cid, *(self.counts[cid][s] for s in STATUSES), sum(self.counts[cid].values())]
                for cid in self.class_ids]
        lines.append(tabulate(rows, headers=["class", "qualified", "conditional", "review", "not qualified",
                                             "error", "total"], tablefmt="simple"))
        if any(self.reasons.values()):
            lines += ["", "Most frequent reasons for not qualifying (requirements not met on the closest path):"]
            for cid in self.class_ids:
                if not self.reasons[cid]:
                    continue
                lines.append(f"  {cid}")
                for reason, count in self.reasons[cid].most_common(top):
                    text = reason if len(reason) <= width else reason[: width - 1].rstrip() + "…"
                    lines.append(f"    {count:>7}  {text}")
        return "\n".join(lines) + "\n"

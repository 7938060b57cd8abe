"""CSV in and out: applicant exports become records, results become safe CSV.

Three input shapes map onto the candidate model of DESIGN §4:

* one "long" file, one row per employment entry, candidate-level cells
  repeated or given on a candidate's first row only;
* an applicants file (one row per applicant) and an employment file (one row
  per job, with the applicant's ``id``);
* either of those with an agency's own column headers, renamed by a YAML
  mapping file (``our field: their header``).

Reading streams: a record is handed on as soon as its rows are complete.  A
long file is read twice: a first pass finds the ids whose rows are not
together, in a fixed 16 MB, so memory stays flat however long the file; with
two files, what stays in memory is the id of every record.  Rows are
only grouped and checked for shape here; validating a record's values is
:func:`build_candidate`'s job, so it can run in the screening workers.  A
record that cannot be used carries an error message naming its file, line(s),
column and value, and screening goes on.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml
from pydantic import ValidationError

from .candidate import Candidate, Education, InputError, Job, License, Training, describe_validation_error
from .dates import load_yaml

PERSON_FIELDS = ("id", "name", "education", "training", "licenses")
JOB_FIELDS = ("employer", "department", "title", "class_code", "start", "end", "hours_per_week", "paid",
              "appointment", "duties", "experience", "supervision")
FIELDS = PERSON_FIELDS + JOB_FIELDS
OUTPUT_COLUMNS = ("id", "name", "class_id", "status", "path", "shortfall", "reason", "earliest_qualifying_date",
                  "rule_version")
PAID_WORDS = {"paid": "true", "volunteer": "false", "unpaid": "false"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\udc80-\udcff]")


# ------------------------------------------------------------------ records

@dataclass(slots=True)
class Record:
    """One applicant's rows as read from CSV, before their values are validated."""

    id: str
    where: str                                        # "applicants.csv lines 4–6"
    person: dict[str, tuple[str, str]]                # field -> (cell, "file line N")
    jobs: list[tuple[str, dict[str, str]]]            # ("file line N", job cells)
    headers: dict[str, str]                           # our field -> the column header shown in messages
    errors: list[str] = field(default_factory=list)   # shape problems found while reading

    @property
    def name(self) -> str | None:
        cell = self.person.get("name")
        return cell[0] if cell and cell[0] else None


def _lines(path: str, first: int, last: int) -> str:
    return f"{path} line {first}" if first == last else f"{path} lines {first}–{last}"


def _line_list(path: str, lines: list[int]) -> str:
    """'employment.csv lines 7–9', or 'lines 7, 12, 30' where they are not consecutive."""
    if lines[-1] - lines[0] == len(lines) - 1:
        return _lines(path, lines[0], lines[-1])
    shown = ", ".join(map(str, lines[:6])) + (f" and {len(lines) - 6} more" if len(lines) > 6 else "")
    return f"{path} lines {shown}"


# ------------------------------------------------------------------ mapping

def load_mapping(path: str | Path) -> dict[str, str]:
    """Read a column-mapping file: ``our_field: Their Column Header`` per line."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read ({exc.strerror}).") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name}: is not UTF-8 text (byte {exc.start}).") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise InputError(f"{path.name}: not valid YAML{where}.") from None
    if not isinstance(data, dict) or not data:
        raise InputError(f"{path.name}: a column mapping must be a YAML mapping of our field to your column header, "
                         f"such as 'id: Applicant Number'.")
    out: dict[str, str] = {}
    for key, header in data.items():
        if key not in FIELDS:
            raise InputError(f"{path.name}: {key!r} is not a field; the fields are {', '.join(FIELDS)}.")
        if not isinstance(header, str) or not header.strip():
            raise InputError(f"{path.name}: the column header for {key!r} must be text, found {header!r}.")
        out[key] = header.strip()
    return out


# ------------------------------------------------------------------ reading rows

class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, for a progress bar."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class _Lines:
    """The physical lines under the csv reader: counted, those of the row being read kept, some given back.

    When a row cannot be read, only its first line is lost: the lines after it
    are given back and read again, so that one stray quote cannot swallow the
    applicants below it.
    """

    __slots__ = ("source", "back", "taken", "count")

    def __init__(self, source):
        self.source, self.back, self.taken, self.count = source, [], [], 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.back.pop() if self.back else next(self.source)
        self.count += 1
        self.taken.append(line)
        return line

    def give_back(self) -> None:
        """Read every line of the row just read but its first again."""
        rest = self.taken[1:]
        self.back.extend(reversed(rest))
        self.count -= len(rest)
        del self.taken[1:]


class _Bloom:
    """Which texts have been seen, in 16 MB however many: a Bloom filter with four bits a text.

    It may say 'seen' of a text that was not (about one in a million after a million texts, one in two
    hundred after ten million), never the reverse; what it says was seen is checked again exactly.
    """

    BITS = 1 << 27

    def __init__(self):
        self.bits = bytearray(self.BITS >> 3)

    def add(self, text: str) -> bool:
        """Mark ``text`` as seen; whether it (probably) was already."""
        h = hash(text)
        h1, h2 = h & 0xFFFFFFFF, (h >> 32) | 1
        seen = True
        for i in range(4):
            p = (h1 + i * h2) & (self.BITS - 1)
            byte, bit = p >> 3, 1 << (p & 7)
            if not self.bits[byte] & bit:
                seen = False
                self.bits[byte] |= bit
        return seen


def _misfit(row: list[str], width: int) -> bool:
    return len(row) < width or (len(row) > width and any(c.strip() for c in row[width:]))


class _Table:
    """One CSV file: its header resolved to our fields, and its rows as (line, cells, problem)."""

    def __init__(self, path: str | Path, mapping: dict[str, str], wanted: tuple[str, ...]):
        self.path = Path(path)
        self.label = self.path.name
        try:
            raw = open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.label}: cannot be read ({exc.strerror}).") from None
        self.size = self.path.stat().st_size
        if raw.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            raw.close()
            raise InputError(f"{self.label}: is UTF-16 text; save it as UTF-8 (in Excel: 'CSV UTF-8').")
        raw.seek(0)
        self.counter = _CountingReader(raw)
        # surrogateescape keeps a stray non-UTF-8 byte readable, so one bad cell
        # becomes one error row instead of stopping the run
        self.text = io.TextIOWrapper(io.BufferedReader(self.counter, 1 << 16), encoding="utf-8-sig",
                                     errors="surrogateescape", newline="")
        # strict: a stray or unclosed quote is an error to report, never a cell that swallows the rows after it
        self.lines = _Lines(self.text)
        self.reader = csv.reader(self.lines, strict=True)
        self.row_end = 0  # the last physical line of the row just yielded by rows()
        self.row_shaky = False  # True when that row's id cannot be trusted (its cells are not as in the header)
        try:
            header = next(self.reader, None)
        except csv.Error as exc:
            self.close()
            raise InputError(f"{self.label}: the header line cannot be read as CSV ({exc}).") from None
        if not header or not any(h.strip() for h in header):
            self.close()
            raise InputError(f"{self.label}: the file is empty (no header line).")
        if any(_SURROGATE.search(h) for h in header):
            self.close()
            raise InputError(f"{self.label}: the header line is not UTF-8 text; save the file as UTF-8.")
        self.width = len(header)
        self.columns: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        found = {h.strip().casefold(): i for i, h in reversed(list(enumerate(header)))}
        for name in wanted:
            their = mapping.get(name, name)
            i = found.get(their.casefold())
            if i is not None:
                self.columns[name] = i
                self.headers[name] = header[i].strip()
        if "id" not in self.columns:
            self.close()
            shown = ", ".join(repr(h.strip()) for h in header[:30] if h.strip())
            their = mapping.get("id", "id")
            raise InputError(f"{self.label}: no {their!r} column for the applicant id (the columns are {shown}).")

    def rows(self) -> Iterator[tuple[int, dict[str, str] | None, str | None]]:
        """(first line, cells by our field, problem), with ``row_end`` and ``row_shaky`` set for the row.

        A line that cannot be read as CSV comes with a problem and only its id
        cell, read leniently (so that it is reported with its applicant), or
        with cells None where not even that can be read.
        """
        columns = list(self.columns.items())
        width = self.width
        lines = self.lines
        reread_to = 0  # lines up to here are read again after a line that could not be read
        while True:
            line = lines.count + 1
            lines.taken.clear()
            try:
                row, error = next(self.reader), None
            except StopIteration:
                return
            except csv.Error as exc:
                row, error = None, str(exc)
            end = lines.count
            why = None
            if end > line:  # a row over several lines: does a stray quote run on into the rows below?
                if error is not None:
                    why = f"({error})"
                elif _misfit(row, width):
                    why = f"with {len(row)} of {width} columns"
                else:
                    why = self._runaway(row)
            if why:
                # only this line is lost: the lines below are read again on their own
                lines.give_back()
                reread_to = max(reread_to, end)
                why = f"a quote on it is not closed, so the row runs on to line {end} {why}"
                self.row_end, self.row_shaky = line, True
                yield line, self._id_only(lines.taken[0]), f"{self.label} line {line} cannot be read as CSV: {why}"
                continue
            self.row_end, self.row_shaky = end, error is not None
            if error is not None:
                yield line, self._id_only(lines.taken[0]), f"{self.label} line {line} cannot be read as CSV ({error})"
                continue
            if not any(c.strip() for c in row):
                continue
            problem = None
            if _misfit(row, width):
                # a row cut short would lose its last cells (an end date): never read it as if they were empty
                problem = f"{self.label} line {line} has {len(row)} cells but the header has {width} columns"
                self.row_shaky = True
                if line <= reread_to:
                    problem += " (it follows a line that cannot be read as CSV, and may be part of it)"
            cells = {name: (row[i].strip() if i < len(row) else "") for name, i in columns}
            for name, value in cells.items():
                if _SURROGATE.search(value):
                    problem = problem or f"{self.label} line {line}: column {self.headers[name]!r} is not valid UTF-8 text"
                    cells[name] = _SURROGATE.sub("\ufffd", value)  # never carried on to the output
            yield line, cells, problem

    def _runaway(self, row: list[str]) -> str | None:
        """Why a row of the right width read over several lines is still a quote that ran on, if it is.

        A line break is only expected in free text (duties, or a column that is not read), and never
        around as many commas as a whole row has: that is rows swallowed between two stray quotes.
        """
        for name, i in self.columns.items():
            if name != "duties" and i < len(row) and ("\n" in row[i].strip() or "\r" in row[i].strip()):
                return f"(column {self.headers[name]!r} would hold a line break)"
        for cell in row:
            if ("\n" in cell.strip() or "\r" in cell.strip()) and cell.count(",") >= self.width - 1:
                return "(a cell would hold what looks like whole rows)"
        return None

    def _id_only(self, text: str) -> dict[str, str] | None:
        """The id cell of a line that is not CSV, read leniently; None if even that cannot be read."""
        try:
            row = next(csv.reader([text]), [])
        except csv.Error:
            return None
        i = self.columns["id"]
        return {"id": _SURROGATE.sub("\ufffd", row[i].strip())} if i < len(row) else None

    @property
    def position(self) -> int:
        return self.counter.count

    def close(self) -> None:
        self.text.close()


class ApplicantReader:
    """Records from one long file, or from an applicants file and an employment file.

    Open it (which checks the headers and raises InputError for a file that
    cannot be used at all), iterate it for records in input order, close it.
    """

    def __init__(self, applicants: str | Path, employment: str | Path | None = None,
                 mapping: dict[str, str] | None = None):
        self.mapping = dict(mapping or {})
        self.employment: _Table | None = None
        self.seen: dict[str, str] = {}  # two files: id -> where it was first used
        self.split: dict[str, list[int]] = {}  # long file: id -> first line of each separate run of its rows
        wanted = FIELDS if employment is None else PERSON_FIELDS
        self.applicants = _Table(applicants, self.mapping, wanted)
        try:
            if employment is not None:
                self.employment = _Table(employment, self.mapping, ("id",) + JOB_FIELDS)
            for table, fields in ((self.applicants, wanted), (self.employment, JOB_FIELDS)):
                missing = [f for f in fields if table and f in self.mapping and f not in table.columns]
                if missing:
                    names = ", ".join(f"{self.mapping[f]!r} (for {f})" for f in missing)
                    raise InputError(f"{table.label}: the mapped column(s) {names} are not in the file.")
        except InputError:
            self.close()
            raise
        self.headers = {**self.applicants.headers, **(self.employment.headers if self.employment else {})}
        for name in FIELDS:
            self.headers.setdefault(name, self.mapping.get(name, name))

    # -- progress ----------------------------------------------------------
    @property
    def size(self) -> int:
        return self.applicants.size + (self.employment.size if self.employment else 0)

    @property
    def position(self) -> int:
        return self.applicants.position + (self.employment.position if self.employment else 0)

    def close(self) -> None:
        self.applicants.close()
        if self.employment:
            self.employment.close()

    def __enter__(self) -> ApplicantReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator[Record]:
        return self._two_files() if self.employment else self._long()

    # -- shared ------------------------------------------------------------
    def _new(self, rid: str) -> Record:
        return Record(rid, "", {}, [], self.headers)

    def _finish(self, rec: Record, path: str, first: int, last: int) -> Record:
        rec.where = _lines(path, first, last)
        if not rec.id:
            rec.errors.insert(0, f"{rec.where}: column {self.headers['id']!r} is empty; every applicant needs an id.")
        elif rec.id in self.split:
            # found before any of them is screened, so that none is screened on part of its rows
            rec.errors.insert(0, f"{rec.where}: id {rec.id!r} is used by rows that are not together "
                                 f"({_line_list(path, self.split[rec.id])}); each applicant needs one id, with all "
                                 f"of their rows together.")
        elif rec.id in self.seen:
            rec.errors.insert(0, f"{rec.where}: id {rec.id!r} was already used by {self.seen[rec.id]}; each "
                                 f"applicant needs one id, with all of their rows together.")
        elif self.employment is not None:  # (a long file's ids were all checked by _split_ids)
            self.seen[rec.id] = rec.where
        return rec

    def _take_person(self, rec: Record, cells: dict[str, str], where: str) -> None:
        for name in PERSON_FIELDS[1:]:
            value = cells.get(name, "")
            if not value:
                continue
            have = rec.person.get(name)
            if have is None:
                rec.person[name] = (value, where)
            elif have[0] != value:
                rec.errors.append(f"{where}: column {self.headers[name]!r} differs from {have[1]}; give it once or "
                                  f"repeat the same value.")

    def _person_matches(self, rec: Record, cells: dict[str, str]) -> bool:
        """Whether a row without an id can be one more row of ``rec``: it gives no applicant cell that
        ``rec`` does not have (such as a name where ``rec`` has none, which starts another applicant)."""
        for name in PERSON_FIELDS[1:]:
            value = cells.get(name, "")
            if value and rec.person.get(name, ("",))[0] != value:
                return False
        return True

    @staticmethod
    def _job(cells: dict[str, str]) -> dict[str, str] | None:
        job = {name: cells[name] for name in JOB_FIELDS if cells.get(name)}
        return job or None

    # -- one long file -----------------------------------------------------
    def _long(self) -> Iterator[Record]:
        table = self.applicants
        path = table.label
        self.split = self._split_ids()
        rec: Record | None = None
        first = last = 0
        # rows whose id cannot be trusted (a line that is not CSV, a row with too few or too many cells) are
        # held back: inside one applicant's rows they are that applicant's, else each is read as it stands
        held: list[tuple[int, int, dict[str, str] | None, str]] = []

        def take(line: int, end: int, cells: dict[str, str] | None, problem: str | None) -> Iterator[Record]:
            nonlocal rec, first, last
            if cells is not None and rec is not None and (
                    cells["id"] == rec.id or (not cells["id"] and self._person_matches(rec, cells))):
                last = end
            else:
                if rec is not None:
                    yield self._finish(rec, path, first, last)
                    rec = None
                if cells is None:
                    yield from self._unreadable([(line, problem)], path)
                    return
                rec, first, last = self._new(cells["id"]), line, end
            if problem:
                rec.errors.append(problem)
            where = f"{path} line {line}"
            self._take_person(rec, cells, where)
            job = self._job(cells)
            if job:
                rec.jobs.append((where, job))

        for line, cells, problem in table.rows():
            if cells is None or table.row_shaky:
                held.append((line, table.row_end, cells, problem))
                continue
            if held and rec is not None and (cells["id"] == rec.id or (
                    not cells["id"] and self._person_matches(rec, cells))):
                rec.errors.extend(p for *_, p in held)  # they sat inside this applicant's rows
                held = []
            for item in held:
                yield from take(*item)
            held = []
            yield from take(line, table.row_end, cells, problem)
        for item in held:
            yield from take(*item)
        if rec is not None:
            yield self._finish(rec, path, first, last)

    def _split_ids(self) -> dict[str, list[int]]:
        """Ids whose rows in the long file are not all together, with the line where each part starts.

        A first pass marks each id in a Bloom filter (16 MB however long the file, so memory stays flat);
        only if some id comes twice does a second pass collect the lines of those ids exactly.
        """
        seen, twice = _Bloom(), set()
        for rid, _ in self._starts():
            if seen.add(rid):
                twice.add(rid)
        del seen
        found: dict[str, list[int]] = {}
        for rid, line in self._starts() if twice else ():
            if rid in twice:
                found.setdefault(rid, []).append(line)
        return {rid: lines for rid, lines in found.items() if len(lines) > 1}

    def _starts(self) -> Iterator[tuple[str, int]]:
        """(id, line) wherever a record of the long file can start, grouping rows as _long does; a row whose
        id cannot be trusted counts too (unless it has the id of the rows around it), as _long may keep it
        on its own."""
        current: str | None = None
        person: dict[str, str] = {}
        again = _Table(self.applicants.path, self.mapping, PERSON_FIELDS)
        try:
            for line, cells, _ in again.rows():
                if cells is None:
                    continue
                rid = cells["id"]
                if again.row_shaky:
                    if rid and rid != current:
                        yield rid, line
                    continue
                given = {name: cells[name] for name in PERSON_FIELDS[1:] if cells.get(name)}
                if current is not None and (rid == current or (not rid and all(
                        person.get(name) == value for name, value in given.items()))):
                    person = {**given, **person}
                    continue
                current, person = rid, given
                if rid:
                    yield rid, line
        finally:
            again.close()

    def _unreadable(self, broken: list[tuple[int, str]], path: str) -> Iterator[Record]:
        for line, problem in broken:
            rec = Record("", _lines(path, line, line), {}, [], self.headers,
                         [f"{problem}; the applicant it belongs to is unknown."])
            yield rec

    # -- two files ---------------------------------------------------------
    def _two_files(self) -> Iterator[Record]:
        jobs_table = self.employment
        counts = self._count_ids(jobs_table)
        shared = self._shared_ids()
        rows = jobs_table.rows()
        pending: dict[str, list] = {}     # rows read ahead, for applicants further down
        orphans: list[tuple[int, str]] = []
        path = self.applicants.label
        for line, cells, problem in self.applicants.rows():
            if cells is None:
                yield from self._unreadable([(line, problem)], path)
                continue
            rec = self._new(cells["id"])
            where = f"{path} line {line}"
            if problem:
                rec.errors.append(problem)
            self._take_person(rec, cells, where)
            first_use = rec.id and rec.id not in self.seen
            rec = self._finish(rec, path, line, self.applicants.row_end)
            if not first_use:
                yield rec
                continue
            if rec.id in shared:
                lines = shared[rec.id]
                rec.errors.append(f"{_line_list(path, lines)}: id {rec.id!r} is used by {len(lines)} applicants, so "
                                  f"their rows in {jobs_table.label} cannot be told apart; give each applicant "
                                  f"their own id.")
            need = counts.pop(rec.id, 0)
            got = pending.pop(rec.id, [])
            while len(got) < need:
                item = next(rows, None)
                if item is None:
                    break
                jline, jcells, jproblem = item
                if jcells is None or not jcells["id"]:
                    orphans.append((jline, jproblem or
                                    f"{jobs_table.label} line {jline}: column {self.headers['id']!r} is empty"))
                    continue
                target = got if jcells["id"] == rec.id else pending.setdefault(jcells["id"], [])
                target.append(item)
            for jline, jcells, jproblem in got if rec.id not in shared else ():
                jwhere = f"{jobs_table.label} line {jline}"
                if jproblem:
                    rec.errors.append(jproblem)
                job = self._job(jcells)
                if job:
                    rec.jobs.append((jwhere, job))
            if got:
                rec.where += "; " + _line_list(jobs_table.label, [g[0] for g in got])
            yield rec
        for item in rows:
            jline, jcells, jproblem = item
            if jcells is None or not jcells["id"]:
                orphans.append((jline, jproblem or
                                f"{jobs_table.label} line {jline}: column {self.headers['id']!r} is empty"))
            else:
                pending.setdefault(jcells["id"], []).append(item)
        for jid, items in pending.items():
            where = _line_list(jobs_table.label, [i[0] for i in items])
            yield Record(jid, where, {}, [], self.headers,
                         [f"{where}: employment rows for id {jid!r}, which is not in {path}."])
        for jline, problem in orphans:
            yield Record("", f"{jobs_table.label} line {jline}", {}, [], self.headers,
                         [f"{problem}; the applicant it belongs to is unknown."])

    def _count_ids(self, table: _Table) -> dict[str, int]:
        """How many rows each id has in ``table``: a first pass over its id column."""
        counts: dict[str, int] = {}
        again = _Table(table.path, self.mapping, ("id",))
        try:
            for _, cells, _ in again.rows():
                if cells is not None and cells["id"]:
                    counts[cells["id"]] = counts.get(cells["id"], 0) + 1
        finally:
            again.close()
        return counts

    def _shared_ids(self) -> dict[str, list[int]]:
        """Ids that more than one row of the applicants file uses, with those rows' lines."""
        shared = {i for i, n in self._count_ids(self.applicants).items() if n > 1}
        lines: dict[str, list[int]] = {}
        if shared:
            again = _Table(self.applicants.path, self.mapping, ("id",))
            try:
                for line, cells, _ in again.rows():
                    if cells is not None and cells["id"] in shared:
                        lines.setdefault(cells["id"], []).append(line)
            finally:
                again.close()
        return lines


def read_records(applicants: str | Path, employment: str | Path | None = None,
                 mapping: dict[str, str] | None = None) -> Iterator[Record]:
    """Every record of a CSV input, in order (a convenience over :class:`ApplicantReader`)."""
    with ApplicantReader(applicants, employment, mapping) as reader:
        yield from reader


# ------------------------------------------------------------------ validating a record

def _split(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


def _education(item: str) -> dict[str, Any]:
    parts = [p.strip() for p in item.split(":")]
    if len(parts) > 3:
        raise ValueError("has more than three ':'-separated parts (level:field:units system)")
    out: dict[str, Any] = {"level": parts[0]}
    if len(parts) > 1 and parts[1]:
        out["field"] = parts[1]
    if len(parts) > 2 and parts[2]:
        units = parts[2].split()
        if len(units) > 2:
            raise ValueError("has units that are not 'N' or 'N semester' or 'N quarter'")
        out["units"] = units[0]
        if len(units) == 2:
            out["unit_system"] = units[1].lower()
    return out


def _training(item: str) -> dict[str, Any]:
    subject, colon, hours = item.rpartition(":")
    if not colon:
        return {"subject": item}
    return {"subject": subject.strip(), "hours": hours.strip()} if hours.strip() else {"subject": subject.strip()}


def _license(item: str) -> dict[str, Any]:
    parts = [p.strip() for p in item.split(":")]
    if len(parts) > 3:
        raise ValueError("has more than three ':'-separated parts (kind:state:class)")
    out: dict[str, Any] = {"kind": parts[0]}
    if len(parts) > 1 and parts[1]:
        out["state"] = parts[1]
    if len(parts) > 2 and parts[2]:
        out["class"] = parts[2]
    return out


_ITEMS = {"education": (_education, Education), "training": (_training, Training), "licenses": (_license, License)}


def _problem(rid: str, exc: ValidationError, data: dict, column: str | None) -> tuple[str, str | None]:
    """Pydantic's first error as "column 'C' has value V: why", and the field it is about."""
    err = describe_validation_error(rid, exc)
    rest = err.message.removeprefix(f"Record {rid}: ").removeprefix("record: ").rstrip(".")
    if column and err.field and err.field != "record":
        rest = rest.replace(f"field '{err.field}'", f"column '{column}'", 1)
    return rest, (err.field if err.field != "record" else None)


def _job_problems(rid: str, cells: dict[str, str], headers: dict[str, str]) -> tuple[Job | None, list[str]]:
    """The job, or every problem in its cells: a failing cell is reported and dropped, then the rest re-checked."""
    problems: list[str] = []
    for _ in range(len(JOB_FIELDS) + 1):
        try:
            job = Job.model_validate(cells)
            return (job if not problems else None), problems
        except ValidationError as exc:
            loc = exc.errors(include_url=False)[0]["loc"]
            field = str(loc[0]) if loc else None
            text, _ = _problem(rid, exc, cells, headers.get(field) if field else None)
            problems.append(text)
            if field not in cells or field == "employer":
                return None, problems
            cells = {k: v for k, v in cells.items() if k != field}
    return None, problems


def build_candidate(rec: Record) -> Candidate:
    """Validate a record's values into a Candidate, or raise InputError naming line(s), column and value."""
    rid, headers = rec.id, rec.headers
    shown_id = rid or "(no id)"
    if rec.errors:
        raise InputError(f"Record {shown_id}, " + " ".join(e if e.endswith(".") else e + "." for e in rec.errors),
                         record=rid or None)
    problems: dict[str, list[str]] = {}   # where -> problems found there, in order
    data: dict[str, Any] = {"id": rid}
    if "name" in rec.person:
        data["name"] = rec.person["name"][0]
    for name, (parse, model) in _ITEMS.items():
        if name not in rec.person:
            continue
        cell, where = rec.person[name]
        items = []
        for k, text in enumerate(_split(cell), 1):
            label = f"column {headers[name]!r} item {k} ({text!r})"
            try:
                items.append(model.model_validate(parse(text)))
            except ValidationError as exc:
                problems.setdefault(where, []).append(f"{label}: {_problem(shown_id, exc, {}, None)[0]}")
            except ValueError as exc:
                problems.setdefault(where, []).append(f"{label} {exc}")
        data[name] = items
    jobs = []
    for where, cells in rec.jobs:
        paid = cells.get("paid")
        if paid is not None and paid.lower() in PAID_WORDS:
            cells = {**cells, "paid": PAID_WORDS[paid.lower()]}
        job, found = _job_problems(shown_id, cells, headers)
        if found:
            problems.setdefault(where, []).extend(found)
        else:
            jobs.append(job)
    data["employment"] = jobs
    if problems:
        text = "; ".join(f"{where}: " + "; ".join(found) for where, found in problems.items())
        raise InputError(f"Record {shown_id}, {text}.", record=rid or None)
    try:
        return Candidate.model_validate(data)
    except ValidationError as exc:  # the id itself; everything else was checked above
        text, _ = _problem(shown_id, exc, data, headers.get("id"))
        raise InputError(f"Record {shown_id}, {rec.where}: {text}.", record=rid or None) from None


# ------------------------------------------------------------------ output

def escape_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP: prefix a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class ResultWriter:
    """The results CSV: a header, then one escaped row per applicant and class."""

    def __init__(self, stream):
        self._writer = csv.writer(stream, lineterminator="\n")
        # the csv module quotes a cell with a line feed but not one with a bare carriage return, which a
        # spreadsheet reads as the end of the row (and what follows it, perhaps a formula, as a new row)
        self._quoted = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)
        self._writer.writerow(OUTPUT_COLUMNS)

    def write(self, row: tuple) -> None:
        cells = [escape_cell(v) for v in row]
        (self._quoted if any("\r" in c for c in cells) else self._writer).writerow(cells)

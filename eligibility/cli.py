"""The `eligibility` command: a thin click shell over the library API.

Exit status: 0 whenever a determination was made (whatever it says), 1 for a
user error (an unreadable or invalid file, an unknown class) reported in one
line, 2 for bad usage (click's own).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import click
import yaml
from pydantic import ValidationError

from . import __version__
from .candidate import Candidate, Education, InputError, Job, License, Training, candidate_from_dict, load_file, load_text
from .dates import parse_date
from .evaluate import evaluate
from .examples import verify_examples
from .explain import explain as explain_text
from .render import (
    FORMATS,
    Unavailable,
    class_map,
    class_structure,
    classes_table,
    determination_json,
    determination_text,
    job_table,
    notice,
)
from .rulebook import LoadedClass, RuleBook, RuleError, default_rules_dir, load_rules


class _Date(click.ParamType):
    """YYYY-MM-DD, with the same plain message as a candidate file for a day that does not exist."""

    name = "date"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        if len(str(value).strip().split("-")) != 3:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = _Date()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Text for a terminal: control characters from an input file (an escape sequence, a carriage return
    that would overwrite the line) are shown as escapes, never sent to the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _fail(exc: Exception | str) -> click.ClickException:
    """A user error as one line, for exit status 1."""
    return click.ClickException(_printable(" ".join(str(exc).split())))


class State:
    """What the group passes to its commands: where the rules are, loaded once when first needed."""

    def __init__(self, rules_dir: Path | None):
        self.rules_dir = rules_dir
        self._book: RuleBook | None = None

    @property
    def book(self) -> RuleBook:
        if self._book is None:
            try:
                self._book = load_rules(self.rules_dir or default_rules_dir(), strict=False)
            except RuleError as exc:
                raise _fail(exc) from None
        return self._book

    def get(self, class_id: str) -> LoadedClass:
        try:
            return self.book.get(class_id)
        except KeyError as exc:
            raise _fail(exc.args[0]) from None
        except RuleError as exc:
            raise _fail(exc) from None


def _as_of(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


def _read_candidate(source: str, pick: str | None) -> Candidate:
    try:
        if source == "-":
            with click.open_file("-", encoding="utf-8-sig") as stream:
                candidates = load_text(stream.read(), source="standard input")
        else:
            candidates = load_file(source)
    except InputError as exc:
        raise _fail(exc) from None
    if pick is not None:
        for c in candidates:
            if c.id == pick:
                return c
        raise _fail(f"{source}: no candidate with id {pick!r} (ids: {', '.join(c.id for c in candidates)}).")
    if len(candidates) > 1:
        raise _fail(f"{source}: holds {len(candidates)} candidates ({', '.join(c.id for c in candidates)}); "
                    f"choose one with --id.")
    return candidates[0]


def _evaluate(candidate: Candidate, loaded: LoadedClass, as_of: dt.date):
    try:
        return evaluate(candidate, loaded, as_of)
    except RuleError as exc:
        raise _fail(exc) from None
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback (e.g. a date beyond the year 9999)
        raise _fail(_not_evaluated(candidate, loaded, as_of, exc)) from None


def _not_evaluated(candidate: Candidate, loaded: LoadedClass, as_of: dt.date, exc: Exception) -> str:
    return (f"Record {candidate.id}: could not be evaluated against {loaded.spec.id} as of {as_of.isoformat()} "
            f"({type(exc).__name__}: {exc}).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eligibility")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Folder of rule files. Default: $ELIGIBILITY_RULES, else ./rules, else the rules "
                                  "shipped with the package.")
@click.pass_context
def main(ctx: click.Context, rules_dir: Path | None) -> None:
    """Minimum-qualifications checker for civil-service job classes.

    Checks one candidate's history against a class's minimum qualifications,
    explains the result, writes the disqualification notice, and lists the
    classes on file.

    \b
    Examples:
      eligibility classes
      eligibility check candidates/la-1213-csr-23-months.yaml --class la-1213 --as-of 2016-06-30
      eligibility check candidate.yaml --class all
      eligibility explain candidate.yaml --class la-1213 --notice
    """
    ctx.obj = State(rules_dir)


# ------------------------------------------------------------------ classes

@main.group(invoke_without_command=True)
@click.option("--as-of", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Summarise the version in force on this date (default: today).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--verify", is_flag=True,
              help="Instead of the list, load every rule file and run the examples it carries: each broken file and "
                   "each failing example is named (file, location, example, what differed); exit status 1 if any.")
@click.pass_context
def classes(ctx: click.Context, as_of: dt.date | None, fmt: str, verify: bool) -> None:
    """List every class on file: id, title, jurisdiction, class code, effective
    dates and a one-line summary of its minimum qualifications.

    Rule files that fail to load are named on standard error; the others are
    listed.

    \b
    Examples:
      eligibility classes
      eligibility classes --format markdown
      eligibility classes show la-1213
      eligibility classes --verify
    """
    if ctx.invoked_subcommand is not None:
        return
    book: RuleBook = ctx.obj.book
    if verify:
        _verify(book)
        return
    loaded = [book.classes[cid] for cid in sorted(book.classes)]
    click.echo(classes_table(loaded, _as_of(as_of), fmt), nl=False)
    for err in book.errors:
        click.echo(f"Warning: {err}", err=True)


def _verify(book: RuleBook) -> None:
    """`classes --verify`: every broken rule file and failing example on a line of its own, then a count."""
    results = verify_examples(book)
    for err in book.errors:
        click.echo(f"broken: {_printable(str(err))}")
    failed = [r for r in results if not r.passed]
    for r in failed:
        click.echo(f"failed: {_printable(str(r))}")
    n = len(book.classes)
    click.echo(f"{len(results)} example{'s' * (len(results) != 1)} in {n} class{'es' * (n != 1)}: "
               f"{len(results) - len(failed)} passed, {len(failed)} failed; "
               f"{len(book.errors)} rule file{'s' * (len(book.errors) != 1)} could not be loaded.")
    if failed or book.errors:
        sys.exit(1)


@classes.command("show")
@click.argument("class_id", metavar="ID")
@click.pass_obj
def classes_show(state: State, class_id: str) -> None:
    """Show one class: the verbatim MQ text of every version and the rule
    structure (paths, requirements, conditions, substitutions).

    \b
    Examples:
      eligibility classes show la-1213
    """
    click.echo(class_structure(state.get(class_id)), nl=False)


# ------------------------------------------------------------------ check

def _class_ids(state: State, wanted: tuple[str, ...]) -> list[str] | None:
    """The classes asked for, in order and without repeats; None means every class."""
    if any(w.lower() == "all" for w in wanted):
        return None
    out: list[str] = []
    for w in wanted:
        if w not in out:
            state.get(w)  # an unknown or broken class is an error before anything is evaluated
            out.append(w)
    return out


def _report(state: State, candidate: Candidate, wanted: tuple[str, ...], as_of: dt.date, fmt: str) -> None:
    ids = _class_ids(state, wanted)
    if ids is not None and len(ids) == 1:
        d = _evaluate(candidate, state.get(ids[0]), as_of)
        if fmt == "json":
            click.echo(json.dumps(determination_json(d), indent=2))
        else:
            click.echo(determination_text(d, fmt, colour=True), nl=False)
        return
    book = state.book
    results: list = []
    failed: list[str] = []  # classes that could not be checked: after the table, one line each, and exit 1
    for cid in ids if ids is not None else sorted(book.classes):
        loaded = book.classes[cid]
        try:
            loaded.version_for(as_of)
        except RuleError:
            results.append(Unavailable(cid, loaded.spec.title, f"no version in force on {as_of.isoformat()}"))
            continue
        try:
            results.append(evaluate(candidate, loaded, as_of))
        except Exception as exc:  # noqa: BLE001 - the other classes are still checked
            results.append(Unavailable(cid, loaded.spec.title, f"could not be evaluated ({type(exc).__name__})"))
            failed.append(_not_evaluated(candidate, loaded, as_of, exc))
    if ids is None:
        results += [Unavailable(Path(e.file).stem, "", f"rule file error: {e.message}") for e in book.errors]
        results.sort(key=lambda r: r.class_id)
        failed += [f"{Path(e.file).stem} was not checked: its rule file is broken: {e}" for e in book.errors]
    click.echo(class_map(candidate.id, as_of, results, fmt, colour=True), nl=False)
    for line in failed:
        click.echo(f"Error: {_printable(line)}", err=True)
    if failed:
        sys.exit(1)


@main.command()
@click.argument("candidate", required=False, metavar="CANDIDATE")
@click.option("--class", "-c", "class_ids", multiple=True, required=True, metavar="ID",
              help="Class id to check against; repeat it for several, or give 'all'.")
@click.option("--as-of", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Date of the determination, usually the filing deadline (default: today).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--id", "pick", default=None, help="Which candidate to check when the file holds several.")
@click.option("--interactive", "-i", is_flag=True,
              help="Enter the candidate's history at prompts instead of a file (prompts go to standard error, so "
                   "standard output holds only the result).")
@click.pass_obj
def check(state: State, candidate: str | None, class_ids: tuple[str, ...], as_of: dt.date | None, fmt: str,
          pick: str | None, interactive: bool) -> None:
    """Check one candidate against one or more classes.

    CANDIDATE is a JSON or YAML candidate file, or - for standard input.
    With one class, prints the status and a row per requirement. With
    several (--class repeated, or --class all), prints one row per class:
    status, path, shortfall and the earliest date the candidate would
    qualify. --format json prints the whole determination as JSON.

    \b
    Examples:
      eligibility check candidates/la-1213-csr-23-months.yaml --class la-1213 --as-of 2016-06-30
      eligibility check candidate.json --class la-1213 --format json
      eligibility check candidate.yaml --class la-1213 --class la-1230
      eligibility check candidate.yaml --class all
      cat candidate.yaml | eligibility check - --class la-1213
      eligibility check --interactive --class la-1213
    """
    day = _as_of(as_of)
    if interactive:
        if candidate is not None:
            raise click.UsageError("give either CANDIDATE or --interactive, not both")
        for w in class_ids:  # fail on an unknown class before asking any questions
            if w.lower() != "all":
                state.get(w)
        entered = _interview()
        click.echo(err=True)
        _report(state, entered, class_ids, day, fmt)
        click.echo(err=True)
        _offer_save(entered)
        return
    if candidate is None:
        raise click.UsageError("missing CANDIDATE (a JSON or YAML file, or - for standard input), or use --interactive")
    _report(state, _read_candidate(candidate, pick), class_ids, day, fmt)


# ------------------------------------------------------------------ interactive entry

def _problem(exc: ValidationError, field: str) -> str | None:
    """The error sentence for ``field`` (or for the whole entry, such as end before start), if any."""
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not str(p).startswith("function-")]
        if not loc or loc[0] == field:
            return err["msg"].removeprefix("Value error, ")
    return None


def _ask(model, data: dict, field: str, text: str, *, default=None, required: bool = False) -> None:
    """Prompt for one field and validate it with the candidate model, re-asking with the reason."""
    while True:
        raw = click.prompt(text, default="" if default is None else default, show_default=default is not None,
                           err=True)
        value = raw.strip() if isinstance(raw, str) else raw
        if value == "":
            if required:
                click.echo(f"  {text} is required.", err=True)
                continue
            data.pop(field, None)
            return
        try:
            model.model_validate({**data, field: value})
        except ValidationError as exc:
            problem = _problem(exc, field)
            if problem:
                click.echo(f"  {field.replace('_', ' ')}: {problem}. Please try again.", err=True)
                continue
        data[field] = value
        return


def _entries(kind: str, ask_one) -> list[dict]:
    out = []
    first = "an" if kind[0] in "aeiou" else "a"
    while click.confirm(f"Add {'another' if out else first} {kind}?", default=False, err=True):
        entry: dict = {}
        ask_one(entry)
        out.append(entry)
    return out


def _ask_job(job: dict) -> None:
    _ask(Job, job, "employer", "Employer", required=True)
    _ask(Job, job, "department", "Department (optional)")
    _ask(Job, job, "title", "Job title")
    _ask(Job, job, "class_code", "Class code (optional)")
    _ask(Job, job, "start", "Start date (YYYY-MM-DD or YYYY-MM)")
    _ask(Job, job, "end", "End date (blank if current)")
    _ask(Job, job, "hours_per_week", "Hours per week", default="40")
    job["paid"] = click.confirm("Paid", default=True, err=True)
    _ask(Job, job, "appointment", "Appointment (optional: exempt, civil service, temporary, contract)")
    _ask(Job, job, "experience", "Kinds of experience (optional, separated by ;)")
    _ask(Job, job, "supervision", "Supervision (none, lead, supervisor)", default="none")
    _ask(Job, job, "duties", "Duties (optional)")


def _ask_education(ed: dict) -> None:
    _ask(Education, ed, "level", "Level (high_school, ged, certificate, associate, bachelor, master, doctorate, "
                                 "college_units)", required=True)
    _ask(Education, ed, "field", "Field of study (optional)")
    _ask(Education, ed, "units", "Units (optional)")
    if "units" in ed:
        _ask(Education, ed, "unit_system", "Unit system (semester or quarter)", default="semester")
    _ask(Education, ed, "completed", "Completed (YYYY-MM-DD or YYYY-MM, optional)")


def _ask_training(tr: dict) -> None:
    _ask(Training, tr, "subject", "Subject", required=True)
    _ask(Training, tr, "hours", "Hours (optional)")
    _ask(Training, tr, "completed", "Completed (YYYY-MM-DD or YYYY-MM, optional)")


def _ask_license(lic: dict) -> None:
    _ask(License, lic, "kind", "Kind (driver or other)", required=True)
    if lic["kind"].lower() == "other":
        _ask(License, lic, "name", "Name of the licence")
    _ask(License, lic, "state", "State (optional)")
    _ask(License, lic, "class", "Class (optional)")
    _ask(License, lic, "expires", "Expires (YYYY-MM-DD, optional)")


def _interview() -> Candidate:
    data: dict = {}
    _ask(Candidate, data, "id", "Candidate id", required=True)
    _ask(Candidate, data, "name", "Name (optional)")
    data["employment"] = _entries("job", _ask_job)
    data["education"] = _entries("education entry", _ask_education)
    data["training"] = _entries("training course", _ask_training)
    data["licenses"] = _entries("licence", _ask_license)
    try:
        return candidate_from_dict(data)
    except InputError as exc:
        raise _fail(exc) from None


def _offer_save(candidate: Candidate) -> None:
    if not click.confirm("Save what was entered as a candidate file?", default=False, err=True):
        return
    path = Path(click.prompt("File name (.yaml or .json)", default=f"{candidate.id}.yaml", err=True))
    data = candidate.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    text = (json.dumps(data, indent=2) + "\n" if path.suffix.lower() == ".json"
            else yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"{path}: cannot be written ({exc.strerror}).") from None
    click.echo(f"Saved to {path}.", err=True)


# ------------------------------------------------------------------ explain

@main.command("explain")
@click.argument("candidate", metavar="CANDIDATE")
@click.option("--class", "-c", "class_id", required=True, metavar="ID", help="Class id to explain against.")
@click.option("--as-of", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Date of the determination, usually the filing deadline (default: today).")
@click.option("--id", "pick", default=None, help="Which candidate to explain when the file holds several.")
@click.option("--notice", "as_notice", is_flag=True, help="Print the applicant-facing disqualification notice instead.")
@click.pass_obj
def explain_command(state: State, candidate: str, class_id: str, as_of: dt.date | None, pick: str | None,
                    as_notice: bool) -> None:
    """Explain a determination in full: the status, the MQ quoted, each
    requirement (required, credited, shortfall), a table of every job with
    the months credited, the rate and why a job was not credited, the
    earliest qualifying date, conditions and analyst checks.

    With --notice, prints the letter to a candidate who does not qualify:
    the MQ quoted, what the application showed, the shortfall and how to
    appeal (from the jurisdiction policy, or marked placeholders where it
    has none). For a candidate who is not disqualified it prints no letter
    and says why on standard error.

    CANDIDATE is a JSON or YAML candidate file, or - for standard input.

    \b
    Examples:
      eligibility explain candidates/la-1213-csr-23-months.yaml --class la-1213 --as-of 2016-06-30
      eligibility explain candidates/la-1213-csr-23-months.yaml --class la-1213 --as-of 2016-06-30 --notice
    """
    loaded = state.get(class_id)
    person = _read_candidate(candidate, pick)
    d = _evaluate(person, loaded, _as_of(as_of))
    if as_notice:
        if d.status != "not_qualified":
            click.echo(f"No disqualification notice: {person.id} is {d.status.replace('_', ' ')} for "
                       f"{d.class_id} as of {d.as_of.isoformat()}. {d.reason}", err=True)
            return
        click.echo(notice(d, loaded.policy, name=person.name), nl=False)
        return
    click.echo(explain_text(d))
    click.echo(job_table(d), nl=False)


# ------------------------------------------------------------------ screen
# (issue 5: bulk screening of CSV exports; the library side is eligibility.screen and eligibility.csvio)

import contextlib  # noqa: E402
import itertools  # noqa: E402
from typing import Iterable, Iterator  # noqa: E402

from .csvio import ApplicantReader, ResultWriter, load_mapping  # noqa: E402
from .screen import Outcome, Summary, screen as screen_records  # noqa: E402

_SHOWN_ERRORS = 20


@main.command("screen")
@click.argument("applicants", metavar="APPLICANTS.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("employment", metavar="[EMPLOYMENT.csv]", required=False,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--class", "-c", "class_ids", multiple=True, required=True, metavar="ID",
              help="Class id to screen against; repeat it for several, or give 'all'.")
@click.option("--as-of", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Date of the determinations, usually the filing deadline (default: today).")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Results file: .csv (one row per applicant and class) or .jsonl (the full determination of "
                   "each). Default: CSV on standard output.")
@click.option("--workers", "-w", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes to screen with; the output is the same for any number.")
@click.option("--map", "mapping_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="MAPPING.yaml", help="Column mapping for an agency's own export: 'our_field: Their Header'.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no per-record error lines on standard error.")
@click.pass_obj
def screen_command(state: State, applicants: Path, employment: Path | None, class_ids: tuple[str, ...],
                   as_of: dt.date | None, out: Path | None, workers: int, mapping_file: Path | None,
                   quiet: bool) -> None:
    """Screen applicant records from CSV against one or more classes.

    APPLICANTS.csv holds one row per employment entry (candidate-level
    columns repeated or on the first row only), or, with EMPLOYMENT.csv, one
    row per applicant while EMPLOYMENT.csv holds one row per job with the
    applicant's id. The columns are those of the candidate format; --map
    renames an agency's own headers. UTF-8 with or without a byte-order mark.

    Writes one row per applicant and class: id, name, class_id, status, path,
    shortfall, reason, earliest_qualifying_date, rule_version. A record that
    cannot be read or validated gets status 'error' with a message naming
    its line(s), column and value, and the run goes on. A summary per class
    follows (on standard output with --out, else on standard error).

    With --class all, a class whose rule file is broken gets an error row
    for every record, naming the file and the problem, and the others are
    screened.

    Exit status: 0 when every record was screened, 1 when some records were
    errors (the summary says how many), when a class's rule file is broken,
    or for a user error such as an unreadable file or an unknown class.

    \b
    Examples:
      eligibility screen candidates/applicants-long.csv --class all --as-of 2024-06-30
      eligibility screen candidates/applicants.csv candidates/employment.csv --class la-1213 --out results.csv
      eligibility screen export.csv --map mapping.yaml --class all --workers 2 --out results.jsonl
    """
    day = _as_of(as_of)
    wanted = _class_ids(state, class_ids)
    book = state.book
    classes = []
    for cid in wanted if wanted is not None else sorted(book.classes):
        loaded = state.get(cid)
        try:
            loaded.version_for(day)
        except RuleError as exc:
            if wanted is not None:
                raise _fail(exc) from None
            click.echo(f"Warning: {cid} is not screened: no version is in force on {day.isoformat()}.", err=True)
            continue
        classes.append(loaded)
    # with --class all, a broken rule file is a class every record gets an error row for: none goes missing
    broken = {Path(e.file).stem: e for e in book.errors} if wanted is None else {}
    for cid, err in broken.items():
        click.echo(f"Warning: {cid} is not screened, its rule file is broken: {_printable(str(err))}", err=True)
    if not classes:
        raise _fail(f"no class has a version in force on {day.isoformat()}.")
    jsonl = out is not None and out.suffix.lower() in (".jsonl", ".ndjson")
    try:
        mapping = load_mapping(mapping_file) if mapping_file else None
        reader = ApplicantReader(applicants, employment, mapping)
    except InputError as exc:
        raise _fail(exc) from None
    order = sorted([c.spec.id for c in classes] + list(broken))
    summary = Summary(order)
    shown = 0
    with contextlib.ExitStack() as stack:
        stack.callback(reader.close)
        if out is None:
            stream = sys.stdout
        else:
            try:
                stream = stack.enter_context(open(out, "w", encoding="utf-8", newline=""))
            except OSError as exc:
                raise _fail(f"{out}: cannot be written ({exc.strerror}).") from None
        writer = None if jsonl else ResultWriter(stream)
        bar = None
        if not quiet and sys.stderr.isatty():
            bar = stack.enter_context(click.progressbar(length=reader.size, label="Screening", file=sys.stderr))
        done = 0
        try:
            for o in _with_broken(screen_records(reader, classes, day, workers=workers, details=jsonl), order,
                                  broken):
                if jsonl:
                    stream.write(o.json_line() + "\n")
                else:
                    writer.write(o.row())
                if o.class_id in broken:
                    summary.counts[o.class_id]["error"] += 1  # the class's error, not the record's
                else:
                    summary.add(o)
                if o.status == "error" and not quiet and o.class_id == classes[0].spec.id:
                    shown += 1
                    if shown <= _SHOWN_ERRORS:
                        # the message names record id, line(s), column and value, never the applicant's name;
                        # on a terminal it first clears the progress bar's line, which is drawn again after it
                        click.echo(("\r\x1b[K" if bar is not None else "") + f"error: {_printable(o.reason)}", err=True)
                if bar is not None and reader.position > done:
                    bar.update(reader.position - done)
                    done = reader.position
        except InputError as exc:
            raise _fail(exc) from None
        except Exception as exc:  # a worker that died, a full disk: one line, never a traceback
            raise _fail(f"screening stopped: {type(exc).__name__}: {exc}") from None
    if shown > _SHOWN_ERRORS and not quiet:
        click.echo(f"error: … and {shown - _SHOWN_ERRORS} more records with errors (see the results).", err=True)
    click.echo(summary.text(day), nl=False, err=out is None)
    for cid, err in broken.items():
        click.echo(f"Not screened: {cid}, its rule file is broken: {_printable(str(err))}", err=out is None)
    if summary.error_records or broken:
        sys.exit(1)


def _with_broken(outcomes: Iterable[Outcome], order: list[str], broken: dict[str, RuleError]) -> Iterator[Outcome]:
    """Each record's outcomes in class order, with an error row for each class whose rule file is broken."""
    if not broken:
        yield from outcomes
        return
    group: list[Outcome] = []
    for o in itertools.chain(outcomes, [None]):
        if group and (o is None or o.seq != group[0].seq):
            have, first = {g.class_id: g for g in group}, group[0]
            for cid in order:
                yield have.get(cid) or Outcome(
                    first.seq, first.id, first.name, cid, "error", None, "",
                    f"Class {cid} could not be screened: its rule file is broken: {broken[cid]}", "", "", first.source)
            group = []
        if o is not None:
            group.append(o)


if __name__ == "__main__":  # pragma: no cover - after every command is defined, so `python -m` has them all
    main()

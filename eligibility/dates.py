"""Calendar arithmetic shared by crediting and explanations.

Durations are measured on a *month coordinate*: every calendar month is one
month long and each of its days is 1/(days in that month).  A job held
2023-01-01 through 2023-12-31 is therefore exactly 12 months, and the measure
is additive, so splitting a job into consecutive pieces never changes the
total (which the anniversary method of counting would).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import yaml

_PARTIAL = re.compile(r"^(\d{4})-(\d{1,2})$")
_FULL = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def parse_date(value, *, end: bool = False) -> dt.date:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM``.

    A partial date means the first of the month as a start and the last day of
    the month as an end, as an analyst reads "03/2021" on an application.
    Raises ValueError with a sentence naming the value.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = _FULL.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if not 1 <= mo <= 12:
            raise ValueError(f"'{text}' is not a real date: month {mo} does not exist")
        if not 1 <= d <= days_in_month(y, mo):
            raise ValueError(f"'{text}' is not a real date: {calendar.month_name[mo]} {y} has no day {d}")
        return dt.date(y, mo, d)
    m = _PARTIAL.match(text)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueError(f"'{text}' is not a real date: month {mo} does not exist")
        return dt.date(y, mo, days_in_month(y, mo) if end else 1)
    raise ValueError(f"'{text}' is not a date in the form YYYY-MM-DD or YYYY-MM")


class SafeDateLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that leaves an impossible date such as 2021-02-30 as text, and refuses a key
    given twice in one mapping.

    PyYAML builds date-shaped scalars itself and fails with a bare ValueError
    (no file, record or field); left as text, the value reaches the validators,
    whose message names where it is.  PyYAML keeps the last of two equal keys
    without a word, so a rule file or candidate with ``months:`` twice would be
    read silently one way; here it is an error naming the key and both lines.
    No other constructor is added, so the loader stays as safe as ``safe_load``.
    """

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":  # '<<: *anchor' may be overridden
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # an unhashable key: PyYAML's own error follows
                    continue
                if first is not key_node:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found duplicate key {key!r} (first given on line {first.start_mark.line + 1})",
                        key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


SafeDateLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeDateLoader.construct_yaml_timestamp)


def load_yaml(text: str):
    """``yaml.safe_load`` with impossible dates left as text (see SafeDateLoader)."""
    return yaml.load(text, Loader=SafeDateLoader)  # a SafeLoader subclass: as safe as safe_load


def month_coord(day: dt.date) -> float:
    """Position of the start of ``day`` on the month axis."""
    return day.year * 12 + (day.month - 1) + (day.day - 1) / days_in_month(day.year, day.month)


def months_between(start: dt.date, end_inclusive: dt.date) -> float:
    """Months from the start of ``start`` to the end of ``end_inclusive``."""
    if end_inclusive < start:
        return 0.0
    return month_coord(end_inclusive + dt.timedelta(days=1)) - month_coord(start)


def date_at_coord(coord: float) -> dt.date:
    """The day whose *end* first reaches ``coord`` on the month axis."""
    whole = int(coord // 1)
    frac = coord - whole
    year, month0 = divmod(whole, 12)
    month = month0 + 1
    dim = days_in_month(year, month)
    # the end of day d sits at d/dim; find the smallest d with d/dim >= frac
    day = max(1, -int(-(frac * dim - 1e-9) // 1))
    if frac < 1e-12:
        # exactly on a month boundary: the last day of the previous month
        return dt.date(year, month, 1) - dt.timedelta(days=1)
    return dt.date(year, month, min(day, dim))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def fmt_months(value: float) -> str:
    """Months as an analyst writes them: 24, 16.5, 0.97."""
    rounded = round(value, 2)
    if abs(rounded - round(rounded)) < 1e-9:
        return str(int(round(rounded)))
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def months_text(value: float) -> str:
    """'1 month', '16.5 months'."""
    text = fmt_months(value)
    return f"{text} month" if text == "1" else f"{text} months"

"""Report periods: a quarter (``2026Q4``) or any span of days, and the periods before it.

A period is a half-open span of Shanghai calendar days ``[since, until)``; a crawl belongs to the
period its clock falls in. The period before a quarter is the previous quarter; the period before
a span of days is the span of the same length that ends where it begins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from monitor.clock import SHANGHAI, local_date

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")


class PeriodError(ValueError):
    """A period that cannot be read; the message says what is expected."""


@dataclass(frozen=True, slots=True)
class Period:
    since: date  # first day
    until: date  # the day after the last one
    quarter: tuple[int, int] | None = None  # (year, quarter) when the period is a quarter

    @property
    def label(self) -> str:
        if self.quarter:
            return f"{self.quarter[0]}Q{self.quarter[1]}"
        return f"{self.since.isoformat()}..{self.last_day.isoformat()}"

    @property
    def short(self) -> str:
        """For a chart's axis: ``2026Q4``, or ``11-01~11-30``."""
        if self.quarter:
            return self.label
        return f"{self.since:%m-%d}~{self.last_day:%m-%d}"

    @property
    def title(self) -> str:
        """The period as the notice writes it: ``2026年第四季度`` or ``2026-11-01至2026-11-30``."""
        if self.quarter:
            return f"{self.quarter[0]}年第{'一二三四'[self.quarter[1] - 1]}季度"
        return f"{self.since.isoformat()}至{self.last_day.isoformat()}"

    @property
    def last_day(self) -> date:
        return self.until - timedelta(days=1)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time(0), SHANGHAI)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until, time(0), SHANGHAI)

    def contains(self, moment: datetime | date) -> bool:
        day = local_date(moment)
        return self.since <= day < self.until

    def previous(self) -> "Period":
        if self.quarter:
            year, q = self.quarter
            return quarter(year - 1, 4) if q == 1 else quarter(year, q - 1)
        length = self.until - self.since
        return Period(self.since - length, self.since)

    def history(self, count: int) -> list["Period"]:
        """This period and the ``count - 1`` before it, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return list(reversed(periods))


def quarter(year: int, q: int) -> Period:
    since = date(year, 3 * (q - 1) + 1, 1)
    until = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Period(since, until, (year, q))


def quarter_of(moment: datetime | date) -> Period:
    day = local_date(moment)
    return quarter(day.year, (day.month - 1) // 3 + 1)


def parse_period(text: str) -> Period:
    """``2026Q4`` (a quarter)."""
    match = _QUARTER_RE.match(text or "")
    if not match:
        raise PeriodError(f"period {text!r} is not a quarter like 2026Q4")
    return quarter(int(match.group(1)), int(match.group(2)))


def span(since: date, until: date) -> Period:
    """The days from ``since`` to ``until``, both included."""
    if until < since:
        raise PeriodError(f"--until {until.isoformat()} is before --since {since.isoformat()}")
    return Period(since, until + timedelta(days=1))

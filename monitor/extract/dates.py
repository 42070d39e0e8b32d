"""Date strings as Chinese government portals print them, parsed to ``date`` or aware ``datetime``.

Hand-written regexes cover every form the portals use (``2024-09-10 09:24``, ``2024/09/06``,
``2020年09月15日 09时32分``,
``2024.09.30``, ``2026年05月09日``, ``2026-09-24-10:00:00``, ``10∶08`` with U+2236, full-width colons,
ideographic spaces, month-day ``02-25`` in lists). They are ~100x faster than dateparser, which
htmldate falls back to for 年月日 and which dominates its run time; dateparser is kept only as the
last resort (:func:`parse_loose`) for strings none of these forms match.

Times are Asia/Shanghai wall-clock times. Absurd values (``2026-13-45``, ``0000-00-00``, years before
:data:`MIN_YEAR`) give ``None``, never an exception.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from monitor.clock import SHANGHAI, iso  # noqa: F401  (iso: dates are written in one form)

#: portals older than this do not exist; earlier years are typos or placeholders
MIN_YEAR = 1990
#: a date later than ``now`` plus this is rejected as impossible (clock skew, time zones)
FUTURE_SLACK = timedelta(days=1)

_SEP = r"\s*[-/.．／－]\s*"
_TIME = (r"(?:(?:[T\-－]|&#32;)?\s*(?P<H>[012]?\d)\s*[:：∶时]\s*(?P<M>[0-5]\d)"
         r"(?:\s*[:：∶分]\s*(?P<S>[0-5]\d))?(?:\s*[分秒])?)?")
#: a full date with optional time: 2024-09-10 09:24, 2024/9/6, 2024.09.30, 2024年5月9日 10∶08
FULL_DATE_RE = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d\d)\s*(?:" + _SEP + r"|年\s*)(?P<m>\d{1,2})\s*(?:" + _SEP
    + r"|月\s*)(?P<d>\d{1,2})(?!\d)\s*(?:日|号)?" + _TIME)
#: a month-day list date: 02-25, 2/25, 02月25日 (year comes from ``now``)
MONTH_DAY_RE = re.compile(
    r"(?<![\d./\-])(?P<m>[01]?\d)\s*(?:[-/.]|月)\s*(?P<d>[0-3]?\d)(?![\d:/.\-])\s*日?" + _TIME)


def make(year: int, month: int, day: int, hour: str | None = None, minute: str | None = None,
         second: str | None = None) -> date | datetime | None:
    """A ``date`` (or aware datetime when a time is given) or ``None`` when the fields are absurd."""
    if year < MIN_YEAR:
        return None
    try:
        day_value = date(year, month, day)
        if hour is None or minute is None:
            return day_value
        return datetime(year, month, day, int(hour), int(minute), int(second or 0), tzinfo=SHANGHAI)
    except ValueError:
        return None


def as_datetime(value: date | datetime) -> datetime:
    """Comparable form: a ``date`` is midnight Shanghai."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    return datetime(value.year, value.month, value.day, tzinfo=SHANGHAI)


def day_of(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).date()
    return value


def not_future(value: date | datetime | None, now: datetime | None) -> date | datetime | None:
    """``value`` unless it lies more than a day after ``now``."""
    if value is None or now is None:
        return value
    return value if as_datetime(value) <= now + FUTURE_SLACK else None


def _from_match(m: re.Match, year: int | None = None) -> date | datetime | None:
    y = year if year is not None else int(m.group("y"))
    return make(y, int(m.group("m")), int(m.group("d")), m.group("H"), m.group("M"), m.group("S"))


def find_dates(text: str, now: datetime | None = None) -> list[tuple[int, date | datetime]]:
    """Every valid full date in ``text`` as ``(offset, value)``, skipping future ones."""
    found = []
    for m in FULL_DATE_RE.finditer(text):
        value = not_future(_from_match(m), now)
        if value is not None:
            found.append((m.start(), value))
    return found


def parse_date(text: str, now: datetime | None = None) -> date | datetime | None:
    """The first valid full date in ``text`` (not in the future of ``now``), or ``None``."""
    if not text:
        return None
    for m in FULL_DATE_RE.finditer(text):
        value = not_future(_from_match(m), now)
        if value is not None:
            return value
    return None


def year_for(month: int, day: int, now: datetime) -> int | None:
    """The year of a month-day list date: the latest year that makes it a real day not after
    ``now`` (plus a day of slack): this year, else last year; 02-29 goes back to a leap year."""
    latest = (now + FUTURE_SLACK).date()
    for year in range(now.year, now.year - 5, -1):
        try:
            if date(year, month, day) <= latest:
                return year
        except ValueError:
            if not 1 <= month <= 12 or not 1 <= day <= 31:
                return None
    return None


def parse_month_day(text: str, now: datetime) -> date | datetime | None:
    """A month-day list date (``02-25``, ``02月25日``) with the year from ``now``, never future."""
    for m in MONTH_DAY_RE.finditer(text):
        year = year_for(int(m.group("m")), int(m.group("d")), now)
        if year is not None:
            value = not_future(_from_match(m, year), now)
            if value is not None:
                return value
    return None


def parse_list_date(text: str, now: datetime) -> date | datetime | None:
    """A list item's date: the last full date in ``text``, else a month-day date."""
    dates = find_dates(text, now)
    if dates:
        return dates[-1][1]
    return parse_month_day(text, now)


def parse_loose(text: str, now: datetime) -> date | None:
    """Last resort for strings none of the hand-written forms match (dateparser, Chinese first).

    Slow (milliseconds per call): callers reach it only when nothing else found a date."""
    text = (text or "").strip()[:80]
    if not text or not re.search(r"\d", text):
        return None
    try:
        import dateparser

        value = dateparser.parse(
            text, languages=["zh", "en"],
            settings={"TIMEZONE": SHANGHAI.key, "RETURN_AS_TIMEZONE_AWARE": False,
                      "PREFER_DATES_FROM": "past", "RELATIVE_BASE": now.replace(tzinfo=None),
                      "STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]})
    except Exception:  # dateparser raises assorted errors on junk; a fallback must not
        return None
    if value is None or value.year < MIN_YEAR:
        return None
    return not_future(value.date(), now)

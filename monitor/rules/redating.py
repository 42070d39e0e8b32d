"""Forged freshness (伪造更新时间): list entries re-dated to look new. Pure functions over sightings.

A portal that must show something new every two weeks can change the dates instead of the content.
Two tricks, both visible only across crawls:

- one entry's printed date moves forward while its title and URL stay the same
  (``redated_entries``);
- a whole list is re-dated to the crawl day: (almost) every entry carries that day's date although
  most of them were listed on earlier days (``redated_lists``).

``honest_newest`` is the newest date of a list that does not believe either trick: each entry counts
with the earliest date it was printed with. The freshness rules (homepage_fresh, columns_fresh) take
their newest date from it, so a re-dated list does not count as updated.

The input is one ``Sighting`` per entry and printed date: the store's list entries with their
first and last sighting. An entry seen with two printed dates is two sightings (or one carrying
``first_published``, the date printed when it was first seen).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from monitor.clock import local_date

_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Sighting:
    """An entry of one list (column or homepage) as printed between two sightings."""

    title: str
    url: str
    published: date | datetime | None
    first_seen: date | datetime
    last_seen: date | datetime
    first_published: date | datetime | None = None  # printed date at the first sighting, if kept


@dataclass(frozen=True, slots=True)
class Redating:
    """One entry whose printed date moved forward with the same title and URL."""

    title: str
    url: str
    before: date  # the date printed first
    after: date  # the later date printed
    first_seen: date  # when the entry was first seen
    redated_seen: date  # when the later date was first seen

    def to_json(self) -> dict:
        return {"title": self.title, "url": self.url, "before": self.before.isoformat(),
                "after": self.after.isoformat(), "first_seen": self.first_seen.isoformat(),
                "redated_seen": self.redated_seen.isoformat()}


@dataclass(frozen=True, slots=True)
class ListRedating:
    """A list whose entries were all dated the crawl day although most had been seen before."""

    day: date
    entries: int  # entries listed that day
    dated_that_day: int
    seen_before: int  # of those, entries seen on an earlier day

    def to_json(self) -> dict:
        return {"day": self.day.isoformat(), "entries": self.entries,
                "dated_that_day": self.dated_that_day, "seen_before": self.seen_before}


def _key(s: Sighting) -> tuple[str, str]:
    return _SPACE_RE.sub("", s.title or ""), (s.url or "").strip()


def _day(value) -> date | None:
    return local_date(value) if value is not None else None


def _history(sightings: Iterable[Sighting]) -> dict[tuple[str, str], list[tuple[date, date, date | None]]]:
    """Per entry, its printed dates in the order they were seen: (first_seen, last_seen, day)."""
    history: dict[tuple[str, str], list] = {}
    for s in sightings:
        key = _key(s)
        if not key[0] and not key[1]:
            continue
        first, last = _day(s.first_seen), _day(s.last_seen)
        rows = history.setdefault(key, [])
        if s.first_published is not None and _day(s.first_published) != _day(s.published):
            rows.append((first, first, _day(s.first_published)))
            rows.append((first, last, _day(s.published)))
        else:
            rows.append((first, last, _day(s.published)))
    for rows in history.values():
        rows.sort(key=lambda r: (r[0], r[1]))
    return history


def redated_entries(sightings: Iterable[Sighting], min_shift_days: int = 1) -> list[Redating]:
    """Entries whose printed date moved forward by at least ``min_shift_days`` with the same title
    and URL, in the order the later date was seen."""
    out = []
    for (title, url), rows in _history(sightings).items():
        dated = [r for r in rows if r[2] is not None]
        for i in range(1, len(dated)):
            before = min(r[2] for r in dated[:i])
            after = dated[i][2]
            if (after - before).days >= min_shift_days:
                out.append(Redating(title=title, url=url, before=before, after=after,
                                    first_seen=rows[0][0], redated_seen=dated[i][0]))
                break
    out.sort(key=lambda r: r.redated_seen)
    return out


def redated_lists(sightings: Iterable[Sighting], crawl_days: Iterable[date | datetime] | None = None,
                  min_entries: int = 5, redated_share: float = 0.9,
                  seen_before_share: float = 0.5) -> list[ListRedating]:
    """Crawl days on which a list showed at least ``min_entries`` entries, ``redated_share`` of them
    dated that very day, and ``seen_before_share`` of those already listed on an earlier day."""
    history = _history(sightings)
    days = sorted({_day(d) for d in crawl_days} if crawl_days is not None else
                  {r[i] for rows in history.values() for r in rows for i in (0, 1)})
    out = []
    for day in days:
        listed = dated_today = seen_before = 0
        for rows in history.values():
            shown = [r for r in rows if r[0] <= day <= r[1]]
            if not shown:
                continue
            listed += 1
            if any(r[2] == day for r in shown):
                dated_today += 1
                if rows[0][0] < day:
                    seen_before += 1
        if (listed >= min_entries and dated_today >= min_entries
                and dated_today >= redated_share * listed and seen_before >= seen_before_share * dated_today):
            out.append(ListRedating(day=day, entries=listed, dated_that_day=dated_today,
                                    seen_before=seen_before))
    return out


def honest_newest(sightings: Iterable[Sighting], as_of: date | datetime | None = None) -> date | None:
    """The newest date of a list counting each entry with the first date it was printed with;
    only entries listed on ``as_of`` (a crawl day) when given. A date moved back (a typo
    corrected) is believed: the honest date is the earliest one printed."""
    day = _day(as_of) if as_of is not None else None
    newest = None
    for rows in _history(sightings).values():
        if day is not None and not any(r[0] <= day <= r[1] for r in rows):
            continue
        dates = [r[2] for r in rows if r[2] is not None]
        if not dates:
            continue
        honest = min(dates)  # a date moved forward is not believed; one moved back is a correction
        if newest is None or honest > newest:
            newest = honest
    return newest

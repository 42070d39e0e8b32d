"""Choosing one release when several fit an entry: the best score, then the release's date.

A repost follows its release, so among equal scores the release published last before the entry
wins (a day's slack for date-only entries), else the nearest one after it. A title several releases
share with different full titles (the main title 李强主持召开国务院常务会议 fits every meeting) is
attributed only to a release published at most AMBIGUOUS_WINDOW_DAYS before the entry (or a day
after): older ones are as likely as not wrong.
"""

from __future__ import annotations

import bisect

from .index import ReleaseIndex

__all__ = ["AMBIGUOUS_WINDOW_DAYS", "best", "latest", "recent"]

#: an ambiguous title (a prefix several releases share) counts only for a release this recent
AMBIGUOUS_WINDOW_DAYS = 7


def recent(etime: float | None, rtime: float | None) -> bool:
    """Published at most AMBIGUOUS_WINDOW_DAYS before the entry, or a day after it."""
    return (etime is not None and rtime is not None
            and -86400 <= etime - rtime <= AMBIGUOUS_WINDOW_DAYS * 86400)


def latest(index: ReleaseIndex, key: str, etime: float | None) -> int | None:
    """Of releases with the normalised title ``key`` (sorted oldest first), the last published
    before the entry (a day's slack for date-only entries), else the first after it."""
    group = index.by_text[key]
    dated, dtimes = index.dated[key]
    if etime is None or not dated:
        i = group[-1]
    else:
        k = bisect.bisect_right(dtimes, etime + 86400)
        i = dated[k - 1] if k else dated[0]
    if key in index.ambiguous and not recent(etime, index.times[i]):
        return None
    return i


def best(index: ReleaseIndex, scored: list[tuple[float, int]], etime: float | None,
         by_title: bool = True) -> tuple[float, int] | None:
    """The best-scoring (score, release); see the module docstring for ties."""
    times = index.times

    def key(item: tuple[float, int]) -> tuple[float, int, float, int]:
        s, i = item
        rt = times[i]
        if etime is None or rt is None:
            return (-round(s, 6), 2, 0.0, i)
        gap = etime - rt
        return (-round(s, 6), 0 if gap >= -86400 else 1, abs(gap), i)

    rounded = [round(t, 6) for t, _ in scored]
    top = max(rounded)
    tied = [item for item, r in zip(scored, rounded) if r == top]
    s, i = min(tied, key=key)
    if by_title and len({index.texts[j] for _, j in tied}) > 1 and not recent(etime, times[i]):
        return None
    return s, i

"""Choosing one release when several fit an entry, or saying that the entry is ambiguous.

Titles that are the same after normalisation (a score of at least EQUIVALENT: the same title,
main title, modifiers aside, or a companion naming its document the other way) all fit; else the
best fuzzy score does. Among those, in order:
1. a release of the entry's kind: a document for an entry without a companion label (X beats
   图解：X), a graphic for a graphic (图解：X beats X);
2. a release with the entry's very label (【图解】X is 图解：X rather than 一图读懂X); when the
   entry's companion label is none of theirs (一图看懂X for 图解：X and 一图读懂X), nothing tells
   which companion it is: the entry is ambiguous;
3. the best score (the same title beats the main title, the same modifiers beat others);
4. releases with the same title: the one published last before the entry (a day's slack for
   date-only entries), else the nearest one after it (a repost follows its release);
5. releases with different titles that fit equally (the main title 李强主持召开国务院常务会议
   fits every meeting; 关于推进X fits 关于加快推进X and 关于全面推进X): only a release published at
   most AMBIGUOUS_WINDOW_DAYS before the entry (or a day after) can win, then as in 4; when none
   is that recent the entry is ambiguous.
An ambiguous entry gets the candidates instead of a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from .features import Title
from .index import ReleaseIndex
from .normalize import NormTitle

__all__ = ["AMBIGUOUS_WINDOW_DAYS", "EQUIVALENT", "MAX_SHOWN", "Choice", "choose", "recent"]

#: an ambiguous title (a prefix several releases share) counts only for a release this recent
AMBIGUOUS_WINDOW_DAYS = 7
#: at most this many candidates of an ambiguous entry are listed
MAX_SHOWN = 10
#: scores from here up say "the same title" (1.0; a main title, other modifiers, another name: a
#: little less), so that kind and label decide among them before the score does
EQUIVALENT = 0.998


@dataclass(slots=True, frozen=True)
class Choice:
    """The release (position in the index) an entry reposts, or, when ``release`` is None, the
    candidates that fit it equally."""

    score: float
    release: int | None
    candidates: tuple[int, ...] = ()


def recent(etime: float | None, rtime: float | None) -> bool:
    """Published at most AMBIGUOUS_WINDOW_DAYS before the entry, or a day after it."""
    return (etime is not None and rtime is not None
            and -86400 <= etime - rtime <= AMBIGUOUS_WINDOW_DAYS * 86400)


def choose(index: ReleaseIndex, scored: list[tuple[float, int]], e: Title | NormTitle | None,
           etime: float | None, by_title: bool = True) -> Choice | None:
    """The release of ``scored`` (score, position) the entry reposts; see the module docstring.
    ``e``: the entry's title (its kind and label are used; None when a link decided); ``by_title``: ties between different
    titles are possible (not for links)."""
    if not scored:
        return None
    if len(scored) == 1:
        return Choice(*scored[0])
    feats, times = index.feats, index.times
    kind, label = (e.kind, e.label) if e is not None else ("", "")
    best = max(s for s, _ in scored)
    if best >= EQUIVALENT:
        pool = [item for item in scored if item[0] >= EQUIVALENT]
    else:
        pool = [item for item in scored if round(item[0], 6) == round(best, 6)]

    def ambiguous(items: list[tuple[float, int]]) -> Choice:
        shown = sorted(items, key=by_date)[:MAX_SHOWN]
        return Choice(max(s for s, _ in items), None, tuple(i for _, i in shown))

    def by_date(item: tuple[float, int]) -> tuple[int, float, int]:
        rt = times[item[1]]
        if etime is None or rt is None:
            return (2, -(rt or 0.0), item[1])  # undated: the latest release
        gap = etime - rt
        return (0 if gap >= -86400 else 1, abs(gap), item[1])

    if by_title and len(pool) > 1:
        pool = [item for item in pool if feats[item[1]].kind == kind] or pool
        if len(pool) == 1:  # the document beside its companions, or a companion beside its document
            return Choice(*pool[0])
        labelled = [item for item in pool if feats[item[1]].label == label]
        if labelled:
            pool = labelled
        elif len({feats[i].label for _, i in pool}) > 1:
            return ambiguous(pool)  # companions, none under the entry's label
        if len(pool) == 1:
            return Choice(*pool[0])
        top = max(round(s, 6) for s, _ in pool)
        pool = [item for item in pool if round(item[0], 6) == top]
        first = feats[pool[0][1]]
        if len(pool) > 1 and any(feats[i] is not first and feats[i].text != first.text for _, i in pool):
            near = [item for item in pool if recent(etime, times[item[1]])]
            if not near:
                return ambiguous(pool)
            pool = near
    s, i = min(pool, key=by_date)
    return Choice(s, i)

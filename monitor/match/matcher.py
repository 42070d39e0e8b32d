"""Recognise reposts of State Council releases among portal entries.

An entry matches a release when it links to the release's own URL, or when its normalised title
(see ``normalize``) is the release's, or close to it (rapidfuzz Indel ratio >= ``threshold``), or a
prefix of it when the portal cut the title with an ellipsis. Candidates come from an inverted index
of character trigrams, probed with the entry's rarest trigrams (prefix filtering), never all pairs.

Near-misses are blocked before scoring, since a similar title is often a different document:
- the issuer differs (国务院关于X vs 国务院办公厅关于X; a province's own 关于X的通知);
- the document type differs (…的通知 vs …的意见);
- the entry adds words that make it a local document (关于转发…的通知的通知, 学习贯彻…精神,
  …的实施意见, 解读, 答记者问);
- any number differs (2026年第一季度 vs 第二季度, 第十二次 vs 第十三次, 2025年 vs 2026年);
- inside the title, a character is changed or more than one in a row added or dropped (推进 vs
  推动, 芜湖市 vs 宜昌市): portals add labels around a title and drop a character by mistake.
An entry matches at most one release: the best score, then the release published last before it;
a title several releases share (李强主持召开国务院常务会议…) only within a week of the release.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import Indel, Levenshtein

from .forked import can_fork
from .normalize import analyze, number_tokens
from .timing import _release_id, canonical_url, lag_hours, sort_time

__all__ = ["DEFAULT_THRESHOLD", "Entry", "Match", "Matcher", "Release"]

#: minimum Indel similarity (0..1) between normalised titles
DEFAULT_THRESHOLD = 0.88
#: shorter normalised titles match only exactly or by URL ("国务院文件", "通知")
MIN_FUZZY_CHARS = 8
#: a truncated title must keep this many characters, and this share of the release title
MIN_PREFIX_CHARS = 10
MIN_PREFIX_SHARE = 0.3
#: probe at most this many index candidates per entry
MAX_CANDIDATES = 400
#: a full release title inside an entry after at most this many extra leading characters (an
#: unknown label such as "重要文件：") matches, markers and issuer permitting
MAX_LEADING_JUNK = 8
#: single-character edits tolerated inside a title (typos); any longer edit inside is a new word
MAX_INNER_EDITS = 2
#: an ambiguous title (a prefix several releases share) counts only for a release this recent
AMBIGUOUS_WINDOW_DAYS = 7
#: match_all splits this many entries or more between two processes (when the machine has two
#: cores); PARALLEL_WORKERS = 1 turns that off
PARALLEL_MIN_ENTRIES = 20_000
PARALLEL_WORKERS = min(2, os.cpu_count() or 1)

_NUMERALS = frozenset("0123456789〇零一二三四五六七八九十百千万")
_ISSUER = re.compile(r"^((?:(?!关于).){2,16}?)(?:关于|印发)")
_DOCTYPE = re.compile(
    r"(通知|意见|批复|决定|办法|规定|条例|公告|通告|方案|规划|纲要|计划|要点|报告|决议|通报|函|令)$"
)
#: words that turn a title into a local document about the release when only the entry has them
_MARKERS = (
    "转发", "学习", "贯彻", "落实", "传达", "精神", "解读", "读懂", "答记者问", "问答",
    "实施意见", "实施方案", "实施细则", "的通知的", "的意见的", "的决定的", "座谈", "宣讲",
    "我省", "我市", "我县", "我区",
)
_NO_MARKERS = (0,) * len(_MARKERS)
_ANY_MARKER = re.compile("|".join(_MARKERS))


@dataclass(slots=True, frozen=True)
class Release:
    """A State Council release (www.gov.cn)."""

    id: str
    title: str
    url: str | None = None
    published: datetime | date | None = None


@dataclass(slots=True, frozen=True)
class Entry:
    """An item a portal published (list entry or article)."""

    id: str
    portal_id: str | None
    title: str
    url: str | None = None
    published: datetime | date | None = None


@dataclass(slots=True, frozen=True)
class Match:
    """``entry_id`` reposts ``release_id``; ``score`` 0..1; ``lag_hours`` entry minus release."""

    entry_id: str
    release_id: str
    score: float
    lag_hours: float | None


@dataclass(slots=True)
class _Title:
    text: str
    truncated: bool
    head: str
    nums: tuple[str, ...]
    head_nums: tuple[str, ...]
    issuer: str
    doctype: str
    head_doctype: str
    markers: tuple[int, ...]


def _features(title: str) -> _Title:
    norm = analyze(title)
    text = norm.text
    m = _ISSUER.match(text)
    d = None if norm.truncated else _DOCTYPE.search(text)
    hd = _DOCTYPE.search(norm.head) if norm.head else None
    return _Title(
        text=text,
        truncated=norm.truncated,
        head=norm.head,
        nums=number_tokens(text),
        head_nums=number_tokens(norm.head) if norm.head else (),
        issuer=m.group(1) if m else "",
        doctype=d.group(1) if d else "",
        head_doctype=hd.group(1) if hd else "",
        markers=tuple(text.count(w) for w in _MARKERS) if _ANY_MARKER.search(text) else (),
    )


def _cached_features(title: str, cache: dict) -> _Title:
    """_features(title), through ``cache`` (by title, then by normalised title)."""
    f = cache.get(title)
    if f is None:
        norm = analyze(title)
        f = cache.get(norm)
        if f is None:
            f = cache[norm] = _features(title)
        cache[title] = f
    return f


def _grams(text: str) -> set[str]:
    """Character trigrams (the text itself when shorter)."""
    return {text[i:i + 3] for i in range(len(text) - 2)} if len(text) > 2 else {text}


def _inner_edits_ok(a: str, b: str, open_end: bool = False) -> bool:
    """Edits inside the titles (not at either end) must be single inserted or dropped characters,
    at most MAX_INNER_EDITS of them: a portal adds labels around a title and drops or doubles a
    character by mistake, while a changed character is a changed word (推进/推动, 深化/强化,
    芜湖市/宜昌市, 交通运输/农业农村). ``open_end``: ``a`` is a truncated prefix of ``b``."""
    inner = 0
    la, lb = len(a), len(b)
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(a, b):
        if tag == "equal" or i1 == 0 or j1 == 0 or i2 == la and (open_end or j2 == lb):
            continue
        if tag == "replace" and _NUMERALS.issuperset(a[i1:i2] + b[j1:j2]):
            continue  # 第1 vs 第一: the numbers were compared already
        if tag == "replace" or max(i2 - i1, j2 - j1) > 1:
            return False
        inner += 1
    return inner <= MAX_INNER_EDITS


def _leading_junk(e: str, r: str) -> int:
    """Length of an unknown label before the release's title in the entry (重要文件：), or 0."""
    if e[:2] == r[:2] or len(r) < 6:
        return 0
    off = e.find(r[:4], 1, MAX_LEADING_JUNK + 4)
    return off if 0 < off <= MAX_LEADING_JUNK and "关于" not in e[:off] else 0


def _compatible(e: _Title, r: _Title, head: bool = False) -> bool:
    """False for the near-misses listed in the module docstring (numbers are checked per text)."""
    # an entry may drop the issuer, or keep a stray label before it, but not name another one
    if e.issuer and not (r.issuer and e.issuer.endswith(r.issuer)):
        return False
    rdoc = r.head_doctype if head else r.doctype
    if e.doctype and rdoc and e.doctype != rdoc:
        return False
    return not e.markers or all(a <= b for a, b in zip(e.markers, r.markers or _NO_MARKERS))


class Matcher:
    """Match entries to releases. The index is built once, in ``__init__``; matching is pure.

    ``match_all`` normalises each distinct title once and scores each distinct normalised title
    once (unless the outcome depends on the entry's date), so repeated titles cost a lookup.
    """

    def __init__(self, releases: Iterable[Release], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = float(threshold)
        self._releases: list[Release] = list(releases)
        cache: dict = {}
        self._feats: list[_Title] = [_cached_features(rel.title, cache) for rel in self._releases]
        self._texts: list[str] = [f.text for f in self._feats]
        self._heads: list[str] = [f.head for f in self._feats]
        self._times: list[float | None] = [sort_time(rel.published) for rel in self._releases]
        self._by_url: dict[str, list[int]] = {}
        self._by_text: dict[str, list[int]] = {}
        self._postings: dict[str, list[int]] = {}
        self._by_start: dict[str, set[int]] = {}
        by_url, by_text, postings, by_start = self._by_url, self._by_text, self._postings, self._by_start
        for i, (rel, f) in enumerate(zip(self._releases, self._feats)):
            if rel.url:
                canon = canonical_url(rel.url)
                for key in {canon, _release_id(canon)}:
                    by_url.setdefault(key, []).append(i)
            for key in {f.text, f.head} - {""}:
                by_text.setdefault(key, []).append(i)
            if len(f.text) >= 6:
                by_start.setdefault(f.text[:4], set()).add(i)
            if f.text:
                for g in _grams(f.text):
                    postings.setdefault(g, []).append(i)
        self._sorted = sorted((f.text, i) for i, f in enumerate(self._feats) if f.text)
        self._sorted_texts = [t for t, _ in self._sorted]
        times = self._times
        #: per title: the releases with a time, oldest first, and their times (for bisection)
        self._dated: dict[str, tuple[list[int], list[float]]] = {}
        for key, group in by_text.items():  # oldest first; undated last
            group.sort(key=lambda i: (times[i] is None, times[i] or 0.0, i))
            dated = [j for j in group if times[j] is not None]
            self._dated[key] = (dated, [times[j] for j in dated])
        #: normalised titles (or main titles) that several different releases share
        self._ambiguous = {key for key, group in by_text.items()
                           if len({self._texts[i] for i in group}) > 1}

    def __len__(self) -> int:
        return len(self._releases)

    # --- public ---------------------------------------------------------------------------
    def match(self, entry: Entry) -> Match | None:
        """The release ``entry`` reposts, or ``None``."""
        return self._match(entry, {}, {})

    def match_all(self, entries: Iterable[Entry]) -> list[Match]:
        """Matches for the entries that have one, in input order.

        From PARALLEL_MIN_ENTRIES entries on, a forked process matches half of them while this
        one matches the other half: the same matches, in the same order, in less time.
        """
        entries = entries if isinstance(entries, list) else list(entries)
        if len(entries) >= PARALLEL_MIN_ENTRIES and PARALLEL_WORKERS > 1 and can_fork():
            return self._match_forked(entries)
        return [m for m in self._match_many(entries) if m is not None]

    def _match_many(self, entries: Iterable[Entry]) -> Iterator[Match | None]:
        feats: dict = {}
        scored: dict = {}
        for entry in entries:
            yield self._match(entry, feats, scored)

    def _match_forked(self, entries: list[Entry]) -> list[Match]:
        from .forked import match_forked

        return match_forked(self, entries)

    # --- internals ------------------------------------------------------------------------
    def _match(self, entry: Entry, feats: dict, scored: dict) -> Match | None:
        """match(), with caches of features by title and of scores by normalised title."""
        etime = sort_time(entry.published)
        if entry.url:
            canon = canonical_url(entry.url)
            hits = self._by_url.get(canon) or self._by_url.get(_release_id(canon))
            if hits:
                return self._result(entry, [(1.0, i) for i in hits], etime, by_title=False)
        e = feats.get(entry.title)
        if e is None:
            text = analyze(entry.title).text
            if not text:
                return None
            if text in self._by_text:  # the same title: the release published last before the entry
                return self._latest(entry, text, etime)
            e = _cached_features(entry.title, feats)
        found = self._scored(e, etime, scored)
        return self._result(entry, found, etime) if found else None

    def _scored(self, e: _Title, etime: float | None, cache: dict | None = None) -> list[tuple[float, int]]:
        """(score, release) of the releases ``e`` may repost, the best last. ``cache`` keeps the
        outcome per normalised title, or the candidates when the outcome depends on the date."""
        if len(e.text) < (MIN_PREFIX_CHARS if e.truncated else MIN_FUZZY_CHARS):
            return []
        key = (e.text, e.truncated)  # all the entry's features used in scoring come from these
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            same = self._prefixed(e.text) if e.truncated else []
            cands = self._candidates(e)
            if len(same) <= 8:
                hit = self._ranked(e, cands, same)
            else:
                hit = (cands, same)
            if cache is not None:
                cache[key] = hit
        if type(hit) is list:
            return hit
        cands, same = hit
        # a prefix this common is ambiguous: only recent releases can win
        times = self._times
        return self._ranked(e, cands, [i for i in same if self._recent(etime, times[i])])

    def _prefixed(self, text: str) -> list[int]:
        """Releases whose title starts with ``text`` (at most MAX_CANDIDATES)."""
        lo = bisect.bisect_left(self._sorted_texts, text)
        same = []
        for t, i in self._sorted[lo:lo + MAX_CANDIDATES]:
            if not t.startswith(text):
                break
            same.append(i)
        return same

    def _ranked(self, e: _Title, cands: set[int], same: list[int]) -> list[tuple[float, int]]:
        feats = self._feats
        verify: set[int] = set(same)  # releases that start with exactly this prefix
        # 重要文件：<title>: releases starting right after a short unknown label
        for k in range(1, min(MAX_LEADING_JUNK, len(e.text) - 6) + 1):
            starting = self._by_start.get(e.text[k:k + 4])
            if starting:
                verify.update(cands.intersection(starting))
        # one C call scores every candidate; the rules run on those above the threshold, best
        # first, and stop below the best score found (a lower one cannot win)
        ranked = [(2.0, i) for i in verify]
        idx = list(cands - verify)
        if idx:
            n = len(e.text)
            texts = self._texts
            choices = list(map(texts.__getitem__, idx))
            if e.truncated:
                choices = [t[:n] for t in choices]
            else:  # and the main titles, in the same call (ties come out in this order)
                heads = self._heads
                with_head = list(filter(heads.__getitem__, idx))
                choices += map(heads.__getitem__, with_head)
                idx += with_head
            ranked += [(s, idx[j]) for _, s, j in process.extract(
                e.text, choices, scorer=Indel.normalized_similarity, score_cutoff=self.threshold, limit=None)]
        ranked.sort(key=itemgetter(0), reverse=True)  # stable, as sorting by minus the score
        out: list[tuple[float, int]] = []
        best = self.threshold
        done: dict[int, float] = {}  # releases with the same title share their features: score once
        for raw, i in ranked:
            if raw < best - 1e-9:
                break
            r = feats[i]
            s = done.get(id(r))
            if s is None:
                s = done[id(r)] = self._score(e, r)
            if s >= best:
                out.append((s, i))
                best = s
        return out

    def _candidates(self, e: _Title) -> set[int]:
        """Releases sharing one of the entry's rarest trigrams. A title within the threshold shares
        all but a few of its trigrams, so probing the rarest few finds it (prefix filtering)."""
        postings = self._postings
        grams = sorted((len(p), g) for g in _grams(e.text) if (p := postings.get(g)))
        if not grams:
            return set()
        lost = max(2, int(len(e.text) * (1.0 - self.threshold) * 2) + 2)
        cands: set[int] = set()
        for df, g in grams[:lost]:
            if len(cands) + df > MAX_CANDIDATES:
                break  # a title made of common trigrams only: exact and prefix matches remain
            cands.update(postings[g])
        return cands

    def _score(self, e: _Title, r: _Title) -> float:
        thr = self.threshold
        etext, enums = e.text, e.nums
        if e.truncated:
            if not _compatible(e, r) and not (r.head and _compatible(e, r, head=True)):
                return 0.0
            junk = 0 if etext[:2] == r.text[:2] else _leading_junk(etext, r.text)
            if junk:
                etext = etext[junk:]
                enums = number_tokens(etext)
            n = len(etext)
            prefix = r.text[:n]
            if n < MIN_PREFIX_CHARS or n < MIN_PREFIX_SHARE * len(r.text):
                return 0.0
            s = Indel.normalized_similarity(etext, prefix)
            if s < thr or number_tokens(prefix) != enums:
                return 0.0
            return s if s == 1.0 or _inner_edits_ok(etext, r.text, True) else 0.0
        rtext, rhead = r.text, r.head
        junk = 0 if etext[:2] == rtext[:2] else _leading_junk(etext, rtext)
        if junk:
            etext = etext[junk:]
            enums = number_tokens(etext)
        best = 0.0
        # the release's title, then its main title; each must be compatible with the entry
        if r.nums == enums and _compatible(e, r):
            s = Indel.normalized_similarity(etext, rtext)
            if s >= thr and (s == 1.0 or _inner_edits_ok(etext, rtext)):
                best = s
        if rhead and r.head_nums == enums and _compatible(e, r, True):
            s = Indel.normalized_similarity(etext, rhead)
            if s > best and s >= thr and (s == 1.0 or _inner_edits_ok(etext, rhead)):
                best = s
        return best

    @staticmethod
    def _recent(etime: float | None, rtime: float | None) -> bool:
        """Published at most AMBIGUOUS_WINDOW_DAYS before the entry, or a day after it."""
        return (etime is not None and rtime is not None
                and -86400 <= etime - rtime <= AMBIGUOUS_WINDOW_DAYS * 86400)

    def _latest(self, entry: Entry, key: str, etime: float | None) -> Match | None:
        """Of releases with the same title (sorted oldest first), the last published before the
        entry (a day's slack for date-only entries), else the first after it."""
        group = self._by_text[key]
        dated, dtimes = self._dated[key]
        if etime is None or not dated:
            i = group[-1]
        else:
            k = bisect.bisect_right(dtimes, etime + 86400)
            i = dated[k - 1] if k else dated[0]
        if key in self._ambiguous and not self._recent(etime, self._times[i]):
            return None
        rel = self._releases[i]
        return Match(entry.id, rel.id, 1.0, lag_hours(entry.published, rel.published))

    def _result(self, entry: Entry, scored: list[tuple[float, int]], etime: float | None,
                by_title: bool = True) -> Match | None:
        """The best-scoring release; ties go to the release published last before the entry.

        When the tie is between different titles (a prefix such as "李强主持召开国务院常务会议…"
        fits every meeting), the entry is attributed only to a release published at most
        AMBIGUOUS_WINDOW_DAYS before it (or a day after): older ones are as likely as not wrong.
        """
        times = self._times

        def key(item: tuple[float, int]) -> tuple[float, int, float, int]:
            s, i = item
            rt = times[i]
            if etime is None or rt is None:
                return (-round(s, 6), 2, 0.0, i)
            gap = etime - rt
            # a repost follows its release: prefer the latest release not after the entry
            # (a day's slack for date-only entries), else the nearest one after it
            return (-round(s, 6), 0 if gap >= -86400 else 1, abs(gap), i)

        rounded = [round(t, 6) for t, _ in scored]
        best = max(rounded)
        tied = [item for item, r in zip(scored, rounded) if r == best]
        s, i = min(tied, key=key)
        if by_title:
            top = {self._texts[j] for _, j in tied}
            if len(top) > 1:
                rt = times[i]
                if etime is None or rt is None or not (
                        -86400 <= etime - rt <= AMBIGUOUS_WINDOW_DAYS * 86400):
                    return None
        rel = self._releases[i]
        return Match(entry.id, rel.id, round(s, 4), lag_hours(entry.published, rel.published))

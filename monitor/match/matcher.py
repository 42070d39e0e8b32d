"""Recognise reposts of State Council releases among portal entries.

An entry matches a release when it links to the release's own URL, or when its normalised title
(see ``normalize``) is the release's, or close to it (rapidfuzz Indel ratio >= ``threshold``, titles
compared without modifiers), or a prefix of it when the portal cut the title with an ellipsis. An
entry linking to another www.gov.cn article reposts that article, not a release. Candidates come
from the release index (``index``), near-misses are blocked before scoring (``blocking``), and an
entry matches at most one release (``ties``), or is reported as ambiguous between several.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from operator import itemgetter

from rapidfuzz import process
from rapidfuzz.distance import Indel

from . import blocking, ties
from .blocking import MAX_LEADING_JUNK, MIN_PREFIX_CHARS
from .features import Title, cached_features
from .forked import can_fork, map_forked
from .index import MAX_CANDIDATES, ReleaseIndex
from .model import Entry, Match, Release
from .normalize import analyze
from .timing import lag_hours, sort_time

__all__ = ["DEFAULT_THRESHOLD", "HEAD_ONLY", "MAX_CANDIDATES", "OTHER_NAME", "Matcher"]

#: minimum Indel similarity (0..1) between normalised titles
DEFAULT_THRESHOLD = 0.88
#: the score of an entry that is a release's main title exactly (below the full title's 1.0)
HEAD_ONLY = 0.9995
#: the score of a companion that names its document the other way (一图读懂《X行动方案》 for
#: 一图读懂国务院关于印发X行动方案的通知)
OTHER_NAME = 0.9985
#: issuers of the documents companions are about
_CENTRAL = ("国务院", "中共中央")
#: shorter normalised titles match only exactly or by URL ("国务院文件", "通知")
MIN_FUZZY_CHARS = 8
#: when the blocking rules leave at most this many releases for an entry, all are compared
FEW = 64
#: match_all splits this many entries or more between two processes (when the machine has two
#: cores); PARALLEL_WORKERS = 1 turns that off
PARALLEL_MIN_ENTRIES = 20_000
PARALLEL_WORKERS = min(2, os.cpu_count() or 1)


class Matcher:
    """Match entries to releases. The index is built once, in ``__init__``; matching is pure.

    ``match_all`` normalises each distinct title once and scores each distinct normalised title
    once (unless the outcome depends on the entry's date), so repeated titles cost a lookup.
    """

    def __init__(self, releases: Iterable[Release], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = float(threshold)
        self.index = ReleaseIndex(releases)

    def __len__(self) -> int:
        return len(self.index)

    # --- public ---------------------------------------------------------------------------
    def match(self, entry: Entry) -> Match | None:
        """The release ``entry`` reposts, or ``None`` (also when it is ambiguous)."""
        m = self._match(entry, {}, {})
        return None if m is None or m.ambiguous else m

    def match_all(self, entries: Iterable[Entry], ambiguous: bool = False) -> list[Match]:
        """Matches for the entries that have one, in input order; with ``ambiguous``, the entries
        that fit several releases equally too (``Match.ambiguous``, ``candidates``).

        From PARALLEL_MIN_ENTRIES entries on, a forked process matches half of them while this
        one matches the other half: the same matches, in the same order, in less time.
        """
        entries = entries if isinstance(entries, list) else list(entries)
        if len(entries) >= PARALLEL_MIN_ENTRIES and PARALLEL_WORKERS > 1 and can_fork():
            found = self._match_forked(entries)
        else:
            found = self._match_many(entries)
        return [m for m in found if m is not None and (ambiguous or not m.ambiguous)]

    def _match_many(self, entries: Iterable[Entry]) -> Iterator[Match | None]:
        feats: dict = {}
        scored: dict = {}
        for entry in entries:
            yield self._match(entry, feats, scored)

    def _match_forked(self, entries: list[Entry]) -> list[Match | None]:
        return map_forked(self._match_many, entries, key=lambda e: e.title or "",
                          pack=lambda m: (m.entry_id, m.release_id, m.score, m.lag_hours, m.candidates),
                          unpack=lambda row: Match(*row))

    # --- internals ------------------------------------------------------------------------
    def _match(self, entry: Entry, feats: dict, scored: dict) -> Match | None:
        """match_all() of one entry, with caches of features by title and of scores by
        normalised title."""
        index = self.index
        etime = sort_time(entry.published)
        if entry.url:
            hits, govcn = index.linked(entry.url)
            if hits:
                return self._result(entry, ties.choose(index, [(1.0, i) for i in hits], None, etime, False))
            if govcn:
                return None  # another gov.cn article: reposting it is not reposting a release
        e = feats.get(entry.title)
        if e is None:
            norm = analyze(entry.title)
            if not norm.text:
                return None
            if not norm.kind:  # a document's title: finding it needs no more than its text
                exact = [(1.0 if index.texts[i] == norm.text else HEAD_ONLY, i)
                         for i in index.by_text.get(norm.text, ())]
                if exact:
                    return self._result(entry, ties.choose(index, exact, norm, etime))
            e = cached_features(entry.title, feats)
        if not e.text:
            return None
        exact = self._exact(e)
        if exact:  # the same title (or main title): no fuzzy match can be closer
            return self._result(entry, ties.choose(index, exact, e, etime))
        found = self._scored(e, etime, scored)
        return self._result(entry, ties.choose(index, found, e, etime)) if found else None

    def _exact(self, e: Title) -> list[tuple[float, int]]:
        """(score, release) of the releases whose title or main title is the entry's; for a
        companion, also those that name its document the other way (一图读懂《X行动方案》 and
        一图读懂国务院关于印发X行动方案的通知)."""
        index = self.index
        kind, texts, feats = e.kind, index.texts, index.feats
        found = [(1.0 if texts[i] == e.text else HEAD_ONLY, i) for i in index.by_text.get(e.text, ())
                 if not kind or feats[i].kind == kind]
        if kind and (not e.issuer or e.issuer.startswith(_CENTRAL)):
            if e.issues:
                found += [(OTHER_NAME, i) for i in index.by_text.get(e.issues, ()) if feats[i].kind == kind]
            found += [(OTHER_NAME, i) for i in index.by_issues.get(e.text, ()) if feats[i].kind == kind]
        return found

    def _result(self, entry: Entry, choice: ties.Choice | None) -> Match | None:
        if choice is None:
            return None
        releases = self.index.releases
        if choice.release is None:
            return Match(entry.id, None, round(choice.score, 4), None,
                         tuple(releases[i].id for i in choice.candidates))
        rel = releases[choice.release]
        return Match(entry.id, rel.id, round(choice.score, 4), lag_hours(entry.published, rel.published))

    def _scored(self, e: Title, etime: float | None, cache: dict | None = None) -> list[tuple[float, int]]:
        """(score, release) of the releases ``e`` may repost, the best last. ``cache`` keeps the
        outcome per normalised title, or the candidates when the outcome depends on the date."""
        if len(e.skel) < (MIN_PREFIX_CHARS if e.truncated else MIN_FUZZY_CHARS):
            return []
        key = (e.text, e.truncated, e.kind)  # all the entry's features used in scoring come from these
        hit = cache.get(key) if cache is not None else None
        if hit is None:
            index = self.index
            same = index.prefixed(e.skel) if e.truncated else []
            # what the blocking rules would turn down anyway; when that leaves few releases,
            # they are the candidates (a local issuer's or another year's title leaves none)
            keeps = sorted(index.admissible(e), key=len)
            if keeps and len(keeps[0]) <= FEW:
                cands = set(keeps[0])
            else:
                cands = index.candidates(e, self.threshold)
            for keep in keeps:
                cands &= keep
                if same:
                    same = [i for i in same if i in keep]
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
        times = self.index.times
        return self._ranked(e, cands, [i for i in same if ties.recent(etime, times[i])])

    def _ranked(self, e: Title, cands: set[int], same: list[int]) -> list[tuple[float, int]]:
        index = self.index
        feats = index.feats
        skel = e.skel
        verify: set[int] = set(same)  # releases that start with exactly this prefix
        # 重要文件：<title>: releases starting right after a short unknown label
        by_start = index.by_start
        for k in range(1, min(MAX_LEADING_JUNK, len(skel) - 6) + 1):
            starting = by_start.get(skel[k:k + 4])
            if starting:  # rarely: the middle of a title is seldom the start of another
                verify.update(cands.intersection(starting))
        # one C call scores every candidate; the rules run on those above the threshold, best
        # first, and stop below the best score found (a lower one cannot win)
        ranked = [(2.0, i) for i in verify]
        idx = list(cands - verify)
        if idx:
            n = len(skel)
            # 关于X without the issuer is compared with the releases' titles from 关于 on
            skels = index.rests if not e.issuer and skel.startswith("关于") else index.skels
            choices = list(map(skels.__getitem__, idx))
            if e.truncated:
                choices = [t[:n] for t in choices]
            elif skels is index.skels:  # and the main titles, in the same call (ties come out in this order)
                heads = index.head_skels
                with_head = list(filter(heads.__getitem__, idx))
                choices += map(heads.__getitem__, with_head)
                idx += with_head
            ranked += [(s, idx[j]) for _, s, j in process.extract(
                skel, choices, scorer=Indel.normalized_similarity, score_cutoff=self.threshold, limit=None)]
        ranked.sort(key=itemgetter(0), reverse=True)  # stable, as sorting by minus the score
        out: list[tuple[float, int]] = []
        best = self.threshold
        done: dict[int, float] = {}  # releases with the same title share their features: score once
        for raw, i in ranked:
            if raw < best - 1e-3:  # modifiers aside the score is the raw one, or 0.999 for 1.0
                break
            r = feats[i]
            s = done.get(id(r))
            if s is None:
                s = done[id(r)] = self._score(e, r)
            if s >= best:
                out.append((s, i))
                best = s
        return out

    def _score(self, e: Title, r: Title) -> float:
        return blocking.score(e, r, self.threshold)

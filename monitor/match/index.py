"""The release index, built once: lookups by URL and by normalised title, and candidate search.

Candidates for a fuzzy match come from an inverted index of character trigrams, probed with the
entry's rarest trigrams (prefix filtering), never all pairs. A truncated title (cut with …) finds
the releases starting with it by bisection of the sorted titles.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from .features import Title, cached_features, grams
from .model import Release
from .timing import _release_id, canonical_url, sort_time

__all__ = ["MAX_CANDIDATES", "ReleaseIndex"]

#: probe at most this many index candidates per entry
MAX_CANDIDATES = 400


class ReleaseIndex:
    """Releases (by position) with their features, times, and the lookups the matcher needs."""

    def __init__(self, releases: Iterable[Release]) -> None:
        self.releases: list[Release] = list(releases)
        cache: dict = {}
        self.feats: list[Title] = [cached_features(rel.title, cache) for rel in self.releases]
        self.texts: list[str] = [f.text for f in self.feats]
        self.heads: list[str] = [f.head for f in self.feats]
        self.times: list[float | None] = [sort_time(rel.published) for rel in self.releases]
        self.by_url: dict[str, list[int]] = {}
        #: releases by normalised title and by main title
        self.by_text: dict[str, list[int]] = {}
        self.postings: dict[str, list[int]] = {}
        #: releases by the first four characters of their title (for a label before the title)
        self.by_start: dict[str, set[int]] = {}
        by_url, by_text, postings, by_start = self.by_url, self.by_text, self.postings, self.by_start
        for i, (rel, f) in enumerate(zip(self.releases, self.feats)):
            if rel.url:
                canon = canonical_url(rel.url)
                for key in {canon, _release_id(canon)}:
                    by_url.setdefault(key, []).append(i)
            for key in {f.text, f.head} - {""}:
                by_text.setdefault(key, []).append(i)
            if len(f.text) >= 6:
                by_start.setdefault(f.text[:4], set()).add(i)
            if f.text:
                for g in grams(f.text):
                    postings.setdefault(g, []).append(i)
        self._sorted = sorted((f.text, i) for i, f in enumerate(self.feats) if f.text)
        self._sorted_texts = [t for t, _ in self._sorted]
        times = self.times
        #: per title: the releases with a time, oldest first, and their times (for bisection)
        self.dated: dict[str, tuple[list[int], list[float]]] = {}
        for key, group in by_text.items():  # oldest first; undated last
            group.sort(key=lambda i: (times[i] is None, times[i] or 0.0, i))
            dated = [j for j in group if times[j] is not None]
            self.dated[key] = (dated, [times[j] for j in dated])
        #: normalised titles (or main titles) that several different releases share
        self.ambiguous = {key for key, group in by_text.items()
                          if len({self.texts[i] for i in group}) > 1}

    def __len__(self) -> int:
        return len(self.releases)

    def linked(self, url: str) -> list[int] | None:
        """Releases whose URL (or gov.cn article number) is ``url``'s."""
        canon = canonical_url(url)
        return self.by_url.get(canon) or self.by_url.get(_release_id(canon))

    def prefixed(self, text: str) -> list[int]:
        """Releases whose title starts with ``text`` (at most MAX_CANDIDATES)."""
        lo = bisect.bisect_left(self._sorted_texts, text)
        same = []
        for t, i in self._sorted[lo:lo + MAX_CANDIDATES]:
            if not t.startswith(text):
                break
            same.append(i)
        return same

    def candidates(self, e: Title, threshold: float) -> set[int]:
        """Releases sharing one of the entry's rarest trigrams. A title within the threshold shares
        all but a few of its trigrams, so probing the rarest few finds it (prefix filtering)."""
        postings = self.postings
        found = sorted((len(p), g) for g in grams(e.text) if (p := postings.get(g)))
        if not found:
            return set()
        lost = max(2, int(len(e.text) * (1.0 - threshold) * 2) + 2)
        cands: set[int] = set()
        for df, g in found[:lost]:
            if len(cands) + df > MAX_CANDIDATES:
                break  # a title made of common trigrams only: exact and prefix matches remain
            cands.update(postings[g])
        return cands

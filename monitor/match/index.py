"""The release index, built once: lookups by URL and by normalised title, and candidate search.

Exact lookups use the normalised title (and the main title of a two-part title). Candidates for a
fuzzy match come from an inverted index of the character trigrams of the skeletons (titles without
modifiers), probed with the entry's rarest trigrams (prefix filtering), never all pairs. A truncated
title (cut with …) finds the releases starting with it by bisection of the sorted skeletons.
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
        self.skels: list[str] = [f.skel for f in self.feats]
        self.head_skels: list[str] = [f.head_skel for f in self.feats]
        self.rests: list[str] = [f.rest for f in self.feats]
        self.times: list[float | None] = [sort_time(rel.published) for rel in self.releases]
        self.by_url: dict[str, list[int]] = {}
        #: companions by what the 印发 document they are about issues (一图读懂国务院关于印发X的通知: X)
        self.by_issues: dict[str, list[int]] = {}
        #: releases by normalised title and by main title
        self.by_text: dict[str, list[int]] = {}
        self.postings: dict[str, list[int]] = {}
        #: releases by the first four characters of their skeleton (for a label before the title)
        self.by_start: dict[str, set[int]] = {}
        by_url, by_text, postings, by_start = self.by_url, self.by_text, self.postings, self.by_start
        for i, (rel, f) in enumerate(zip(self.releases, self.feats)):
            if rel.url:
                canon = canonical_url(rel.url)
                for key in {canon, _release_id(canon)}:
                    by_url.setdefault(key, []).append(i)
            for key in {f.text, f.head} - {""}:
                by_text.setdefault(key, []).append(i)
            if f.kind and f.issues:
                self.by_issues.setdefault(f.issues, []).append(i)
            if len(f.skel) >= 6:
                by_start.setdefault(f.skel[:4], set()).add(i)
            if f.skel:
                for g in grams(f.skel):
                    postings.setdefault(g, []).append(i)
        #: how many releases have each trigram
        self.df: dict[str, int] = {g: len(p) for g, p in postings.items()}
        self._sorted = sorted((f.skel, i) for i, f in enumerate(self.feats) if f.skel)
        # what the blocking rules need of a release, for prefiltering candidates (see admissible)
        self._marked = frozenset(i for i, f in enumerate(self.feats) if f.markers)
        self._by_issuer: dict[str, set[int]] = {}
        self._by_nums: dict[tuple[str, ...], set[int]] = {}
        self._by_doctype: dict[str, set[int]] = {}  # by the type of the title or of its main title
        for i, f in enumerate(self.feats):
            if f.issuer:
                self._by_issuer.setdefault(f.issuer, set()).add(i)
            self._by_nums.setdefault(f.nums, set()).add(i)
            self._by_doctype.setdefault(f.doctype, set()).add(i)
            if f.head:
                self._by_nums.setdefault(f.head_nums, set()).add(i)
                self._by_doctype.setdefault(f.head_doctype, set()).add(i)
        self._issuers: dict[str, frozenset[int]] = {}
        self._doctypes: dict[str, frozenset[int]] = {}
        self._sorted_texts = [t for t, _ in self._sorted]

    def __len__(self) -> int:
        return len(self.releases)

    def linked(self, url: str) -> tuple[list[int] | None, bool]:
        """Releases whose URL (or gov.cn article number) is ``url``'s, and whether ``url`` is a
        www.gov.cn article at all."""
        canon = canonical_url(url)
        if not canon.startswith("gov.cn/"):  # only gov.cn articles have ids other than their URL's
            return self.by_url.get(canon), False
        rid = _release_id(canon)
        return self.by_url.get(canon) or self.by_url.get(rid), rid.startswith("govcn-")

    def prefixed(self, text: str) -> list[int]:
        """Releases whose skeleton starts with ``text`` (at most MAX_CANDIDATES)."""
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
        df, postings = self.df, self.postings
        found = sorted(grams(e.skel) & df.keys(), key=df.__getitem__)
        lost = max(2, int(len(e.skel) * (1.0 - threshold)) + 2)
        cands: set[int] = set()
        for g in found[:lost]:
            if len(cands) + df[g] > MAX_CANDIDATES:
                break  # a title made of common trigrams only: exact and prefix matches remain
            cands.update(postings[g])
        return cands

    def admissible(self, e: Title) -> list[set[int] | frozenset[int]]:
        """Sets of releases the blocking rules could let ``e`` match (a candidate must be in all),
        from the features that are the same whatever part of the title is compared: the issuer
        (an entry naming one matches only releases of an issuer it ends with), the local-document
        markers (an entry with 转发 or 学习 only releases that have them too), the document type
        and, for an entry that is not cut, the numbers."""
        keep = []
        if e.issuer:
            issuers = self._issuers.get(e.issuer)
            if issuers is None:
                issuers = self._issuers[e.issuer] = frozenset().union(
                    *(group for issuer, group in self._by_issuer.items() if e.issuer.endswith(issuer)))
            keep.append(issuers)
        if e.markers:
            keep.append(self._marked)
        if not e.truncated:
            keep.append(self._by_nums.get(e.nums, frozenset()))
        if e.doctype:  # …的通知 matches a release of another type neither by its title nor its main title
            doctypes = self._doctypes.get(e.doctype)
            if doctypes is None:
                by = self._by_doctype
                doctypes = self._doctypes[e.doctype] = frozenset(by.get("", ())).union(by.get(e.doctype, ()))
            keep.append(doctypes)
        return keep

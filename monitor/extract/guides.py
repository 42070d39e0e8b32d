"""Copied service guides (办事指南涉嫌抄袭): near-duplicate guides across portals that name another
region's places or offices.

Guides of one service are alike everywhere (the national catalogue of items gives them one
template), so similarity alone proves nothing: a county's guide is a copy when it is a
near-duplicate of another portal's guide AND still names that portal's own places or offices
(办理地点：乙县政务服务中心 in 甲县's guide). The steps:

1. ``guide_text``/``normalise``: the guide's main text, NFKC, boilerplate lines (网站标识码, 版权所有,
   打印, 字体大中小 …) dropped, then only Chinese characters and letters kept (numbers, dates, phone
   numbers, whitespace and punctuation differ between honest guides of one template);
2. character 5-shingles, MinHash signatures (128 permutations) and datasketch's ``MinHashLSH`` for
   candidate pairs; the exact Jaccard similarity of the shingle sets decides;
3. places named in each guide (``monitor.extract.places``) that are not its own (nor inside or
   around its own): a guide naming at least ``min_foreign`` places or offices of a near-duplicate's
   own region is the copy of it.

The signatures are datasketch's own ("affine32" scheme: the MurmurHash3 finalizer, then
``a·h + b mod 2³²`` with datasketch's permutation parameters for the seed), computed for a whole
batch of guides in a few numpy operations: ``MinHash.update_batch`` calls a Python hash function per
shingle, which is most of the time on 100,000 guides. A test checks the two give the same
signature for the same shingle hashes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from lxml import etree

from monitor.extract.page import Page
from monitor.extract.places import OFFICE_RE, Gazetteer, Mention, load_gazetteer, prefix, within
from monitor.extract.text import text_of

SHINGLE = 5
NUM_PERM = 128
SEED = 1
#: LSH finds candidates well below the similarity asked for (at 0.1 below, 0.76-similar copies went
#: missing now and then); the exact Jaccard decides
LSH_SLACK = 0.2
#: shingles per numpy batch when signing (bounds memory: shingles × 128 × 4 bytes)
BATCH_SHINGLES = 60_000
BOILERPLATE_RE = re.compile(
    r"网站标识码|ICP备|icp备|版权所有|主办单位|承办单位|技术支持|网站地图|联系我们|打印本页|关闭窗口|【打印】|【关闭】|"
    r"字体[:：]?\s*[【\[]?大|扫一扫|分享到|当前位置|您现在的位置|浏览次数|访问量|公网安备|政府网站找错|适老化|无障碍")
_KEEP_RE = re.compile(r"[^\u4e00-\u9fffa-z]+")
_CONTENT_RE = re.compile(r"content|article|zw|main|detail|bszn|guide|TRS_Editor|con\b|txt|text|show", re.I)
_NOISE_RE = re.compile(r"nav|menu|foot|header|top|copyright|banner|crumb|side|share|link", re.I)
_MASK32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True, slots=True)
class Guide:
    """One service guide: its URL (the key), its portal, its normalised text, and the division
    codes of its portal's own place (``Gazetteer.codes_in(portal name)``)."""

    url: str
    portal_id: str
    text: str
    own: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GuidePair:
    """A copied guide and the guide it copies, with the source's places the copy still names."""

    copy_url: str
    copy_portal: str
    source_url: str
    source_portal: str
    similarity: float
    foreign_names: tuple[str, ...]
    mentions: int  # the leftovers' weight (``_weight``: a place 1, an office 2)

    def to_json(self) -> dict:
        return {"copy_url": self.copy_url, "copy_portal": self.copy_portal,
                "source_url": self.source_url, "source_portal": self.source_portal,
                "similarity": self.similarity, "foreign_names": list(self.foreign_names),
                "mentions": self.mentions}

    @classmethod
    def from_json(cls, data: dict | None) -> "GuidePair | None":
        if not data:
            return None
        return cls(copy_url=str(data.get("copy_url") or ""), copy_portal=str(data.get("copy_portal") or ""),
                   source_url=str(data.get("source_url") or ""),
                   source_portal=str(data.get("source_portal") or ""),
                   similarity=float(data.get("similarity") or 0.0),
                   foreign_names=tuple(data.get("foreign_names") or ()),
                   mentions=int(data.get("mentions") or 0))


# -- text ------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Chinese characters and lower-case letters of the text's non-boilerplate lines."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    lines = [line for line in text.splitlines() if not BOILERPLATE_RE.search(line)]
    return _KEEP_RE.sub("", "".join(lines))


def guide_text(page: Page) -> str:
    """The normalised main text of a guide page: its content block (the element whose class/id says
    content/article/bszn… with the most text), else the body without navigation and footer."""
    try:
        tree = page.tree
        if tree is None:
            return ""
        best, best_len = None, 0
        for element in tree.iter("div", "td", "article", "section", "main"):
            marker = f"{element.get('class') or ''} {element.get('id') or ''}"
            if not _CONTENT_RE.search(marker) or _NOISE_RE.search(marker):
                continue
            length = len(element.text_content())
            if length > best_len:
                best, best_len = element, length
        if best is not None and best_len >= 200:
            return normalise(_element_text(best))
        body = text_of(page)
        if not body.text:
            return ""
        keep = []
        for start, element, end in zip(body.starts, body.elements, body.starts[1:] + (len(body.text),)):
            if any(_NOISE_RE.search(f"{a.get('class') or ''} {a.get('id') or ''}")
                   for a in [element, *element.iterancestors()] if isinstance(a.tag, str)):
                continue
            keep.append(body.text[start:end])
        return normalise("".join(keep))
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        return ""


GUIDE_TITLE_RE = re.compile(r"办事指南|服务指南|办事须知|申办指南|办理指南")


def looks_like_guide(page: Page) -> bool:
    """The page is a service guide: its title or first heading says 办事指南/服务指南/办事须知."""
    tree = page.tree
    if tree is None:
        return False
    heading = " ".join(tree.xpath("string(//title)").split()[:3]) + " " + \
        " ".join(h.text_content() for h in tree.iter("h1", "h2"))[:200]
    return GUIDE_TITLE_RE.search(heading) is not None


def own_codes(portal_name: str, gazetteer: Gazetteer | None = None) -> tuple[str, ...]:
    """Division codes of the places a portal's name names (``中牟县人民政府`` → ``("410122",)``),
    the ``Guide.own`` of its guides; empty for a ministry."""
    return (gazetteer or load_gazetteer()).codes_in(portal_name or "")


def _element_text(element) -> str:
    parts = []
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag in ("script", "style"):
            continue
        if isinstance(node.tag, str) and node.tag in ("p", "div", "tr", "li", "br", "h1", "h2", "h3"):
            parts.append("\n")
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        if node.tail:
            parts.append(node.tail)
    return "".join(parts)


# -- shingles and signatures -----------------------------------------------------------------------


def shingles(text: str, k: int = SHINGLE) -> np.ndarray:
    """The sorted, distinct 32-bit hashes of the text's character k-shingles (a polynomial hash
    over the code points, computed for all positions at once)."""
    if not text:
        return np.empty(0, dtype=np.uint32)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(points) - k + 1
    if n <= 0:
        points, n, k = points, 1, len(points)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = h * np.uint64(1_000_003) + points[j:j + n]
    h ^= h >> np.uint64(32)
    return np.unique((h & _MASK32).astype(np.uint32))


@lru_cache(maxsize=2)
def permutations(num_perm: int = NUM_PERM, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters (a, b) for the affine32 scheme and this seed."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer, as datasketch applies it before its permutations."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def signatures(sets: list[np.ndarray], num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """MinHash signatures (one row per set of 32-bit shingle hashes), equal to datasketch's
    ``MinHash(num_perm, seed, scheme="affine32", hashfunc=identity).update_batch(set)``; an empty
    set gives the empty sketch (all 2³²-1)."""
    a, b = permutations(num_perm, seed)
    out = np.full((len(sets), num_perm), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    start = 0
    while start < len(sets):
        stop, total = start, 0
        while stop < len(sets) and (total == 0 or total + len(sets[stop]) <= BATCH_SHINGLES):
            total += len(sets[stop])
            stop += 1
        chunk = [(i, s) for i, s in enumerate(sets[start:stop], start) if len(s)]
        if chunk:
            hv = _fmix32(np.concatenate([s for _, s in chunk]).astype(np.uint32))
            # (permutations × shingles), so each guide's minimum runs along contiguous memory;
            # uint32 arithmetic: the wrap-around is datasketch's modulo 2^32
            phv = a[:, None] * hv[None, :] + b[:, None]
            offsets = np.cumsum([0] + [len(s) for _, s in chunk[:-1]])
            out[[i for i, _ in chunk]] = np.minimum.reduceat(phv, offsets, axis=1).T
        start = stop
    return out


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted sets of distinct shingle hashes."""
    if not len(a) and not len(b):
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


# -- copies ----------------------------------------------------------------------------------------


#: characters of context either side of a foreign name that must read the same in the source
CONTEXT = 4


def _weight(named: list[Mention], text: str, source: str) -> int:
    """How strongly the source's names in a guide say it was copied from that source. A name
    counts only where it sits in text the source has too (the name with the characters just before
    or just after it, as the source prints it): a neighbour named in a sentence of the guide's own
    (跨区域通办, a shared river) is not a leftover. A leftover office (``汤阴县民政局`` as 实施机构)
    counts two, a bare place one: a copier who missed one office name still left a copy."""
    weight = 0
    for m in named:
        before = text[max(m.start - CONTEXT, 0):m.end]
        after = text[m.start:m.end + CONTEXT]
        if (len(before) > len(m.name) and before in source) or (len(after) > len(m.name) and after in source):
            weight += _mention_weight(m)
    return weight


def _mention_weight(m: Mention) -> int:
    """An office of a place (its name carries an office suffix) weighs two, a bare place one."""
    return 2 if OFFICE_RE.search(m.name) else 1


def find_copies(guides: list[Guide], min_similarity: float = 0.7, min_foreign: int = 2,
                gazetteer: Gazetteer | None = None) -> list[GuidePair]:
    """Pairs (copy, source) of near-duplicate guides of different portals in which the copy still
    names the source's own places or offices where the source names them (``_weight`` at least
    ``min_foreign``: two places, or one office). A copy is paired with the most similar guide of each
    portal it copies from."""
    gazetteer = gazetteer or load_gazetteer()
    sets = [shingles(g.text) for g in guides]
    sigs = signatures(sets)
    lsh = MinHashLSH(threshold=max(0.3, min_similarity - LSH_SLACK), num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, sig in enumerate(sigs):
            if len(sets[i]):
                session.insert(i, LeanMinHash(seed=SEED, hashvalues=sig, scheme="affine32"),
                               check_duplication=False)
    # MinHashLSH.query is datasketch's candidate lookup, not SQL (the architecture test looks for
    # ``.query()`` calls outside the store)
    lsh_candidates = lsh.query
    by_area: dict[str, set[int]] = {}
    for i, guide in enumerate(guides):
        for code in guide.own:
            by_area.setdefault(code, set()).add(i)
    pairs = []
    for i, guide in enumerate(guides):
        foreign = gazetteer.foreign(guide.text, guide.own)
        if sum(_mention_weight(m) for m in foreign) < min_foreign or not len(sets[i]):
            continue
        areas: set[int] = set()
        for mention in foreign:
            for code in mention.codes:
                for area in {code, code[:4] + "00", code[:2] + "0000"}:
                    areas |= by_area.get(area, set())
        if not areas:
            continue
        candidates = areas & set(lsh_candidates(LeanMinHash(seed=SEED, hashvalues=sigs[i], scheme="affine32")))
        best: dict[str, GuidePair] = {}
        for j in candidates:
            source = guides[j]
            if j == i or source.portal_id == guide.portal_id:
                continue
            named = [m for m in foreign if any(within(code, own) for code in m.codes for own in source.own)]
            weight = _weight(named, guide.text, source.text)
            if weight < min_foreign:
                continue
            similarity = jaccard(sets[i], sets[j])
            if similarity < min_similarity:
                continue
            named = [m.name for m in named]
            pair = GuidePair(copy_url=guide.url, copy_portal=guide.portal_id, source_url=source.url,
                             source_portal=source.portal_id, similarity=round(similarity, 4),
                             foreign_names=tuple(dict.fromkeys(named)), mentions=weight)
            held = best.get(source.portal_id)
            if held is None or pair.similarity > held.similarity:
                best[source.portal_id] = pair
        pairs.extend(best.values())
    return pairs


__all__ = ["Guide", "GuidePair", "normalise", "guide_text", "looks_like_guide", "own_codes", "shingles",
           "signatures", "jaccard", "find_copies", "prefix"]

"""Scoring a candidate release, and the near-misses blocked before any score counts.

A similar title is often a different document, so a candidate scores 0 when:
- the issuer differs (国务院关于X vs 国务院办公厅关于X; a province's own 关于X的通知);
- the document type differs (…的通知 vs …的意见);
- the entry adds words that make it a local document (关于转发…的通知的通知, 学习贯彻…精神,
  …的实施意见, 解读, 答记者问);
- any number differs (2026年第一季度 vs 第二季度, 第十二次 vs 第十三次, 2025年 vs 2026年);
- inside the title, a character is changed or more than one in a row added or dropped (推进 vs
  推动, 芜湖市 vs 宜昌市): portals add labels around a title and drop a character by mistake.
"""

from __future__ import annotations

from rapidfuzz.distance import Indel, Levenshtein

from .features import NO_MARKERS, Title
from .normalize import number_tokens

__all__ = ["MIN_PREFIX_CHARS", "MIN_PREFIX_SHARE", "MAX_LEADING_JUNK", "MAX_INNER_EDITS",
           "compatible", "inner_edits_ok", "leading_junk", "score"]

#: a truncated title must keep this many characters, and this share of the release title
MIN_PREFIX_CHARS = 10
MIN_PREFIX_SHARE = 0.3
#: a full release title inside an entry after at most this many extra leading characters (an
#: unknown label such as "重要文件：") matches, markers and issuer permitting
MAX_LEADING_JUNK = 8
#: single-character edits tolerated inside a title (typos); any longer edit inside is a new word
MAX_INNER_EDITS = 2

_NUMERALS = frozenset("0123456789〇零一二三四五六七八九十百千万")


def inner_edits_ok(a: str, b: str, open_end: bool = False) -> bool:
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


def leading_junk(e: str, r: str) -> int:
    """Length of an unknown label before the release's title in the entry (重要文件：), or 0."""
    if e[:2] == r[:2] or len(r) < 6:
        return 0
    off = e.find(r[:4], 1, MAX_LEADING_JUNK + 4)
    return off if 0 < off <= MAX_LEADING_JUNK and "关于" not in e[:off] else 0


def compatible(e: Title, r: Title, head: bool = False) -> bool:
    """False for the near-misses listed in the module docstring (numbers are checked per text)."""
    # an entry may drop the issuer, or keep a stray label before it, but not name another one
    if e.issuer and not (r.issuer and e.issuer.endswith(r.issuer)):
        return False
    rdoc = r.head_doctype if head else r.doctype
    if e.doctype and rdoc and e.doctype != rdoc:
        return False
    return not e.markers or all(a <= b for a, b in zip(e.markers, r.markers or NO_MARKERS))


def score(e: Title, r: Title, thr: float) -> float:
    """Similarity (0..1) of entry ``e`` to release ``r``: 0 below ``thr`` or when blocked."""
    etext, enums = e.text, e.nums
    if e.truncated:
        if not compatible(e, r) and not (r.head and compatible(e, r, head=True)):
            return 0.0
        junk = 0 if etext[:2] == r.text[:2] else leading_junk(etext, r.text)
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
        return s if s == 1.0 or inner_edits_ok(etext, r.text, True) else 0.0
    rtext, rhead = r.text, r.head
    junk = 0 if etext[:2] == rtext[:2] else leading_junk(etext, rtext)
    if junk:
        etext = etext[junk:]
        enums = number_tokens(etext)
    best = 0.0
    # the release's title, then its main title; each must be compatible with the entry
    if r.nums == enums and compatible(e, r):
        s = Indel.normalized_similarity(etext, rtext)
        if s >= thr and (s == 1.0 or inner_edits_ok(etext, rtext)):
            best = s
    if rhead and r.head_nums == enums and compatible(e, r, True):
        s = Indel.normalized_similarity(etext, rhead)
        if s > best and s >= thr and (s == 1.0 or inner_edits_ok(etext, rhead)):
            best = s
    return best

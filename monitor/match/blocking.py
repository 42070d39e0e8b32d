"""Scoring a candidate release, and the near-misses blocked before any score counts.

Titles are compared without modifiers (``features.skeleton``): Indel similarity of the skeletons,
less MODIFIER_PENALTY when the modifiers differ (关于推进X vs 关于加快推进X scores 0.999). A similar
title is often a different document, so a candidate scores 0 when:
- the issuer differs (国务院关于X vs 国务院办公厅关于X; a province's own 关于X的通知);
- the document type differs (…的通知 vs …的意见);
- the entry adds words that make it a local document (关于转发…的通知的通知, 学习贯彻…精神,
  …的实施意见, 解读, 答记者问), or a place before the title (杭州市X条例 vs X条例);
- any number differs (2026年第一季度 vs 第二季度, 第十二次 vs 第十三次, 2025年 vs 2026年);
- inside the title, a character is changed or more than one in a row added or dropped (推进 vs
  推动, 芜湖市 vs 宜昌市): portals add labels around a title and drop a character by mistake;
- the entry is a companion (图解：X) and the release is not one of that kind (the document X, or
  X（视频）). An entry without a companion label may match a companion; ``ties`` prefers documents.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Indel, Levenshtein

from .features import MODIFIERS, NO_MARKERS, Title
from .normalize import number_tokens

__all__ = ["MIN_PREFIX_CHARS", "MIN_PREFIX_SHARE", "MAX_LEADING_JUNK", "MAX_INNER_EDITS", "MODIFIER_PENALTY",
           "compatible", "inner_edits_ok", "leading_junk", "local_prefix", "score"]

#: a truncated title must keep this many characters, and this share of the release title
MIN_PREFIX_CHARS = 10
MIN_PREFIX_SHARE = 0.3
#: a full release title inside an entry after at most this many extra leading characters (an
#: unknown label such as "重要文件：") matches, markers and issuer permitting
MAX_LEADING_JUNK = 8
#: single-character edits tolerated inside a title (typos); any longer edit inside is a new word
MAX_INNER_EDITS = 2
#: taken off the score of a title whose modifiers are not the release's (关于推进X for 关于加快推进X
#: scores 0.999): among releases a modifier apart, the one with the entry's modifiers wins
MODIFIER_PENALTY = 0.001

_NUMERALS = frozenset("0123456789〇零一二三四五六七八九十百千万")
_MODIFIER = re.compile("|".join(sorted(MODIFIERS, key=len, reverse=True)))
#: an extra segment before the title that starts with a place (杭州市, 浙江省实施, 全市) or names a
#: local government
_PLACE = re.compile(r"^[\u4e00-\u9fff]{1,7}?(?:自治区|自治州|省|市(?!场)|县|区|州|盟|旗)")
_LOCAL_WORDS = ("人民政府", "办公厅", "办公室")


def local_prefix(prefix: str) -> bool:
    """``prefix`` names a place or a local government (杭州市, 浙江省实施, 某市人民政府办公厅):
    what follows is that place's own document (《杭州市X条例》, 浙江省实施《X》细则), not the
    release."""
    return len(prefix) >= 2 and (_PLACE.match(prefix) is not None or any(w in prefix for w in _LOCAL_WORDS))


def inner_edits_ok(a: str, b: str, open_end: bool = False) -> bool:
    """Edits inside the titles (not at either end) must be single inserted or dropped characters,
    at most MAX_INNER_EDITS of them: a portal adds labels around a title and drops or doubles a
    character by mistake, while a changed character is a changed word (推进/推动, 深化/强化,
    芜湖市/宜昌市, 交通运输/农业农村). An extra place before the title (``a`` = 杭州市X) fails
    too. ``open_end``: ``a`` is a truncated title and ``b`` the start of the release's (a little
    longer): ``b`` may go on after ``a`` ends, but the last characters of ``a`` must be ``b``'s."""
    inner = 0
    la, lb = len(a), len(b)
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(a, b):
        if tag == "equal":
            continue
        if i1 == 0 or j1 == 0:
            if i1 == 0 and j1 == 0 and tag != "insert" and local_prefix(a[:i2]):
                return False
            continue
        if i2 == la and j2 == lb and (not open_end or tag == "insert"):
            continue  # a label after the title, or the rest of a title the portal cut
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


def _same_modifiers(e: str, r: str, prefix: bool = False) -> bool:
    em, rm = _MODIFIER.findall(e), _MODIFIER.findall(r)
    return em == (rm[:len(em)] if prefix else rm)


def _prefix_score(eskel: str, enums: tuple[str, ...], rskel: str, thr: float) -> float:
    """How well a truncated title ``eskel`` fits the start of ``rskel``."""
    n = len(eskel)
    prefix = rskel[:n]
    if n < MIN_PREFIX_CHARS or n < MIN_PREFIX_SHARE * len(rskel):
        return 0.0
    s = Indel.normalized_similarity(eskel, prefix)
    if s < thr or number_tokens(prefix) != enums:
        return 0.0
    if s < 1.0 and not inner_edits_ok(eskel, rskel[:n + MAX_INNER_EDITS], True):
        return 0.0
    return s


def score(e: Title, r: Title, thr: float) -> float:
    """Similarity (0..1) of entry ``e`` to release ``r``: 0 below ``thr`` or when blocked."""
    if e.kind and e.kind != r.kind:
        return 0.0
    eskel, enums = e.skel, e.nums
    # 关于X for 国务院关于X: a 国务院文件 column lists titles without the issuer
    rskel = r.rest if not e.issuer and eskel.startswith("关于") else r.skel
    if e.truncated:
        if not compatible(e, r) and not (r.head and compatible(e, r, head=True)):
            return 0.0
        junk = 0 if eskel[:2] == rskel[:2] else leading_junk(eskel, rskel)
        if junk:
            if local_prefix(eskel[:junk]):
                return 0.0
            eskel = eskel[junk:]
            enums = number_tokens(eskel)
        s = _prefix_score(eskel, enums, rskel, thr)
        if e.cut and s < 1.0 and any(m.startswith(e.cut) and m in r.text for m in MODIFIERS):
            # cut inside a modifier the release has (…研究进… for 研究进一步…): compare without it
            shorter = eskel[:-len(e.cut)]
            s = max(s, _prefix_score(shorter, number_tokens(shorter), rskel, thr) - MODIFIER_PENALTY)
        if s and not _same_modifiers(e.text, r.text, prefix=True):
            s -= MODIFIER_PENALTY
        return s if s >= thr else 0.0
    rhead = r.head_skel
    junk = 0 if eskel[:2] == rskel[:2] else leading_junk(eskel, rskel)
    if junk:
        if local_prefix(eskel[:junk]):
            return 0.0
        eskel = eskel[junk:]
        enums = number_tokens(eskel)
    best = 0.0
    # the release's title, then its main title; each must be compatible with the entry
    if r.nums == enums and compatible(e, r):
        s = Indel.normalized_similarity(eskel, rskel)
        if s == 1.0 or s >= thr and inner_edits_ok(eskel, rskel):
            best = s if _same_modifiers(e.text, r.text) else s - MODIFIER_PENALTY
    if rhead and best < 1.0 and r.head_nums == enums and compatible(e, r, True):
        s = Indel.normalized_similarity(eskel, rhead)
        if s == 1.0 or s >= thr and inner_edits_ok(eskel, rhead):
            s = s if _same_modifiers(e.text, r.head) else s - MODIFIER_PENALTY
            best = max(best, s)
    return best if best >= thr else 0.0

"""What the matcher knows of a title: its normalised text and the features the blocking rules use.

The features come from the normalised title (``normalize.analyze``): the issuer before 关于/印发,
the document type at the end, the numbers in it, and the words that make a title a local document
about a release (转发, 学习贯彻, 实施意见, 解读…). Titles that normalise alike share one ``Title``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import analyze, number_tokens

__all__ = ["MARKERS", "NO_MARKERS", "Title", "cached_features", "features", "grams"]

_ISSUER = re.compile(r"^((?:(?!关于).){2,16}?)(?:关于|印发)")
_DOCTYPE = re.compile(
    r"(通知|意见|批复|决定|办法|规定|条例|公告|通告|方案|规划|纲要|计划|要点|报告|决议|通报|函|令)$"
)
#: words that turn a title into a local document about the release when only the entry has them
MARKERS = (
    "转发", "学习", "贯彻", "落实", "传达", "精神", "解读", "读懂", "答记者问", "问答",
    "实施意见", "实施方案", "实施细则", "的通知的", "的意见的", "的决定的", "座谈", "宣讲",
    "我省", "我市", "我县", "我区",
)
NO_MARKERS = (0,) * len(MARKERS)
_ANY_MARKER = re.compile("|".join(MARKERS))


@dataclass(slots=True)
class Title:
    """A normalised title and its features (``head``: the main title of a two-part title)."""

    text: str
    truncated: bool
    head: str
    nums: tuple[str, ...]
    head_nums: tuple[str, ...]
    issuer: str
    doctype: str
    head_doctype: str
    markers: tuple[int, ...]


def features(title: str) -> Title:
    norm = analyze(title)
    text = norm.text
    m = _ISSUER.match(text)
    d = None if norm.truncated else _DOCTYPE.search(text)
    hd = _DOCTYPE.search(norm.head) if norm.head else None
    return Title(
        text=text,
        truncated=norm.truncated,
        head=norm.head,
        nums=number_tokens(text),
        head_nums=number_tokens(norm.head) if norm.head else (),
        issuer=m.group(1) if m else "",
        doctype=d.group(1) if d else "",
        head_doctype=hd.group(1) if hd else "",
        markers=tuple(text.count(w) for w in MARKERS) if _ANY_MARKER.search(text) else (),
    )


def cached_features(title: str, cache: dict) -> Title:
    """features(title), through ``cache`` (by title, then by normalised title)."""
    f = cache.get(title)
    if f is None:
        norm = analyze(title)
        f = cache.get(norm)
        if f is None:
            f = cache[norm] = features(title)
        cache[title] = f
    return f


def grams(text: str) -> set[str]:
    """Character trigrams (the text itself when shorter)."""
    return {text[i:i + 3] for i in range(len(text) - 2)} if len(text) > 2 else {text}

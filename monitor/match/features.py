"""What the matcher knows of a title: its normalised text and the features the blocking rules use.

The features come from the normalised title (``normalize.analyze``): the issuer before 关于/印发,
the document type at the end, the numbers in it, the words that make a title a local document about
a release (转发, 学习贯彻, 实施意见, 解读…), the kind of companion it is (图解, 解读…), and its
skeleton: the text without the modifiers portals drop or add (加快, 进一步, 全面…), which fuzzy
matching compares, so that 关于推进X and 关于加快推进X are a light edit apart whatever the
modifier's length. Titles that normalise alike share one ``Title``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import analyze, number_tokens

__all__ = ["MARKERS", "MODIFIERS", "NO_MARKERS", "Title", "cached_features", "features", "grams", "skeleton"]

_ISSUER = re.compile(r"^((?:(?!关于).){2,16}?)(?:关于|印发)")
#: document types a title ends with (all one or two characters long)
_DOCTYPES = frozenset("通知 意见 批复 决定 办法 规定 条例 细则 公告 通告 方案 规划 纲要 计划 要点 报告 决议 通报 函 令".split())
#: words that turn a title into a local document about the release when only the entry has them
MARKERS = (
    "转发", "学习", "贯彻", "落实", "传达", "精神", "解读", "读懂", "答记者问", "问答",
    "实施意见", "实施方案", "实施细则", "的通知的", "的意见的", "的决定的", "座谈", "宣讲",
    "我省", "我市", "我县", "我区",
)
NO_MARKERS = (0,) * len(MARKERS)
_ANY_MARKER = re.compile("|".join(MARKERS))
#: adverbs a portal drops or adds before a verb without making another document (加快推进 / 推进)
MODIFIERS = (
    "进一步", "加快", "大力", "全面", "切实", "深入", "积极", "着力", "扎实", "持续", "不断", "稳步",
    "更好", "更加", "坚决", "有序", "认真",
)
_MODIFIER = re.compile("|".join(sorted(MODIFIERS, key=len, reverse=True)))


@dataclass(slots=True)
class Title:
    """A normalised title and its features (``head``: the main title of a two-part title;
    ``skel``/``head_skel``: the same without modifiers; ``rest``: the skeleton from 关于 on, without
    the issuer, which a 国务院文件 column may drop; ``cut``: the start of a modifier that a truncated
    title ends with; ``issues``: what a 关于印发X的通知 issues (X); numbers are those of the
    skeletons)."""

    text: str
    truncated: bool
    head: str
    skel: str
    head_skel: str
    rest: str
    cut: str
    issues: str
    nums: tuple[str, ...]
    head_nums: tuple[str, ...]
    issuer: str
    doctype: str
    head_doctype: str
    markers: tuple[int, ...]
    kind: str
    label: str


#: the start of a modifier at the end of a title cut inside it (…研究进… for 研究进一步…)
_CUT_MODIFIER = re.compile("(?:" + "|".join(sorted({m[:k] for m in MODIFIERS for k in range(1, len(m))},
                                                   key=len, reverse=True)) + ")$")
#: 国务院办公厅关于印发X行动方案的通知: what it issues (X行动方案), which companions may name instead
_ISSUES = re.compile(r"^(?:.{2,16}?)?关于印发(.{6,}?)的通知$")


def _doctype(text: str) -> str:
    """The document type ``text`` ends with, or ""."""
    if text[-2:] in _DOCTYPES:
        return text[-2:]
    return text[-1:] if text[-1:] in _DOCTYPES else ""


def skeleton(text: str) -> str:
    """A normalised text without modifiers."""
    return _MODIFIER.sub("", text) if _MODIFIER.search(text) else text


def features(title: str) -> Title:
    norm = analyze(title)
    text, head = norm.text, norm.head
    skel = skeleton(text)
    cut = _CUT_MODIFIER.search(skel) if norm.truncated else None
    issues = _ISSUES.match(text) if not norm.truncated and "印发" in text else None
    head_skel = skeleton(head) if head else ""
    m = _ISSUER.match(text)
    at = skel.find("关于", 2, 18) if m else -1

    return Title(
        text=text,
        truncated=norm.truncated,
        head=head,
        skel=skel,
        head_skel=head_skel,
        rest=skel[at:] if at > 0 else skel,
        cut=cut.group(0) if cut else "",
        issues=issues.group(1) if issues else "",
        nums=number_tokens(skel),
        head_nums=number_tokens(head_skel) if head else (),
        issuer=m.group(1) if m else "",
        doctype="" if norm.truncated else _doctype(text),
        head_doctype=_doctype(head) if head else "",
        markers=tuple(text.count(w) for w in MARKERS) if _ANY_MARKER.search(text) else (),
        kind=norm.kind,
        label=norm.label,
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

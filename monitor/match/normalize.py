"""Title normalisation for repost matching: the same release, whatever the portal did to its title.

Order matters: HTML entities, then NFKC (full width to half width, ``…`` to ``...``), then
Traditional to Simplified (OpenCC ``t2s``), then the labels portals wrap around a title are peeled
off repeatedly (``【国务院】``, ``转载：``, ``（全文）``, ``—中国政府网``, a list date, an appended
document number), a trailing ellipsis is recorded as truncation, and finally case is folded and
every character that is not a letter or a digit (punctuation, 《》, quotes, spaces) is dropped.

Companion labels are peeled too, but remembered: www.gov.cn publishes beside a document items about
it (``图解：X``, ``一图读懂X``, ``X政策解读``, ``某部负责人就《X》答记者问``, ``X（视频）``,
``受权发布：X``), distinct releases whose normalised text is the document's. ``NormTitle.kind`` says
which kind of companion a title is (``""`` for a document) and ``NormTitle.label`` the label that
said so (``一图读懂`` and ``图解`` are both graphics), compared when several releases normalise alike.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["COMPANIONS", "NormTitle", "analyze", "normalize_title", "number_tokens", "simplified_chars",
           "to_simplified"]

# --- Traditional -> Simplified -------------------------------------------------------------
# OpenCC ``hk2s`` then ``tw2s``: each is t2s plus its region's variant characters (衞 -> 卫 is Hong
# Kong's, 著力 -> 着力 Taiwan's). opencc-python-reimplemented converts ~3k titles a second, so the
# same conversion is done character by character with ``str.translate`` (first candidate of each
# table, as OpenCC does), and OpenCC itself runs only for titles holding a character that one of
# its phrase tables converts differently in context (乾, 著, 瞭, 沈…). Titles with no key character
# at all (nearly every Simplified title) are returned as they are.
_TABLES = ("HKVariantsRev", "TWVariantsRev", "TSCharacters")
_PHRASES = ("HKVariantsRevPhrases", "TWVariantsRevPhrases", "TSPhrases")


def _load(folder: Path, name: str) -> dict[str, str]:
    out = {}
    for line in (folder / f"{name}.txt").read_text("utf-8").splitlines():
        key, _, value = line.partition("\t")
        if key and value:
            out[key] = value.split(" ")[0]
    return out


def _t2s_tables() -> tuple[dict[int, str], dict[str, list[str]]]:
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    hk, tw, ts = (_load(folder, n) for n in _TABLES)

    def char(c: str) -> str:  # hk2s then tw2s, one character
        for step in (hk, ts, tw, ts):
            c = step.get(c, c)
        return c

    keys = set(hk) | set(tw) | set(ts)
    table = {ord(c): char(c) for c in keys if len(c) == 1}
    table = {k: v for k, v in table.items() if chr(k) != v}
    # characters whose conversion depends on the phrase: several candidates in TSCharacters
    # (乾 -> 干/乾, 著 -> 著/着) or none at all but a phrase that converts them (瞭, 沈)
    multi = {line.partition("\t")[0] for line in (folder / "TSCharacters.txt").read_text("utf-8").splitlines()
             if " " in line.partition("\t")[2]}
    context: dict[str, list[str]] = {}
    for name in _PHRASES:
        for key, value in _load(folder, name).items():
            plain = key.translate(table)
            if plain != value and len(plain) == len(value):
                for k, p, v in zip(key, plain, value):
                    if p != v and (k in multi or ord(k) not in table):
                        context.setdefault(k, []).append(key)
    return table, context


try:
    _T2S_TABLE, _T2S_CONTEXT = _t2s_tables()
    _T2S_KEYS = frozenset(chr(k) for k in _T2S_TABLE) | frozenset(_T2S_CONTEXT)
except (ImportError, OSError):  # pragma: no cover - pinned dependency
    _T2S_TABLE, _T2S_CONTEXT, _T2S_KEYS = {}, {}, frozenset()
_OPENCC: list = []


_T2S_CHARS = {k: v for k, v in _T2S_TABLE.items() if len(v) == 1}


def simplified_chars(text: str) -> str:
    """Traditional characters to Simplified one for one (no phrase context): the same length, so
    offsets into the result are offsets into ``text`` (for scanners that cite where they matched)."""
    if _T2S_KEYS.isdisjoint(text):
        return text
    return text.translate(_T2S_CHARS)


def to_simplified(text: str) -> str:
    """Traditional Chinese (Hong Kong and Taiwan variants too) to Simplified, as OpenCC does."""
    if _T2S_KEYS.isdisjoint(text):
        return text
    if not any(p in text for c in _T2S_CONTEXT.keys() & set(text) for p in _T2S_CONTEXT[c]):
        return text.translate(_T2S_TABLE)
    if not _OPENCC:
        from opencc import OpenCC

        _OPENCC.extend([OpenCC("hk2s"), OpenCC("tw2s")])
    for converter in _OPENCC:
        text = converter.convert(text)
    return text


# --- companions: the label, and the kind of item it makes a title ------------------------------
COMPANIONS = {
    "图解": "图解", "图表": "图解", "一图读懂": "图解", "一图看懂": "图解", "一图了解": "图解",
    "一图速览": "图解", "一图解读": "图解", "图说": "图解", "长图": "图解", "海报": "图解",
    "解读": "解读", "政策解读": "解读", "权威解读": "解读", "专家解读": "解读", "图文解读": "解读",
    "答记者问": "答问", "答问": "答问", "问答": "答问",
    "视频": "视频", "微视频": "视频", "动画": "视频", "音频": "视频",
    "受权发布": "受权发布",
}
#: labels that make a companion only in front of a title (图文：X is a graphic, X（图文） has photos)
_LEADING_ONLY = {"图文": "图解"}


def _spaced(words: str) -> str:
    """An alternation of ``words`` ("图解|视频") that tolerates stray spaces inside each word."""
    return "|".join(r"\s*".join(w) for w in words.split("|"))


_SPACES = re.compile(r"\s+")

# --- labels portals add (matched after NFKC: （）->(), ：->:, ｜->|, －->-) ---------------------
_SEP = r"[:|丨/]"
_LABELS = _spaced(
    "转载|转发|转自|来源|图解|图表|图说|视频|微视频|音频|直播|动画|权威发布|受权发布|政策解读|权威解读|解读|"
    "重磅|最新|快讯|要闻|头条|聚焦|关注|"
    "国务院|国务院信息|国务院文件|国务院要闻|国务院政策|国务院动态|中国政府网|新华社|新华网|人民网|"
    "央视网|政策|文件|政策文件|全文|原文|图文|专题|推荐|置顶|热点|新闻|公告"
)
_LEADING = [
    # a bracketed label up front: 【国务院】 [转载] 〖要闻〗 (视频) <图解>
    re.compile(r"^\s*[【\[〖〔(<〈「『]([^】\]〗〕)>〉」』]{1,12})[】\]〗〕)>〉」』]\s*"),
    # a label and a separator: 转载： 视频丨 权威发布|
    re.compile(rf"^\s*({_LABELS})\s*{_SEP}\s*"),
    # a list date in front: 2026-03-01 / [2026.03.01]
    re.compile(r"^\s*[\[(]?\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[\])]?\s+"),
]
_TRAILING = [
    # (全文) (图) 【视频】 (附解读) ...: with 附/含 the document comes with it, without a companion
    re.compile(
        r"\s*[(【\[〖<]\s*((?:附|含)?)\s*("
        + _spaced("全文|图|组图|图文|图表|图解|视频|微视频|音频|动画|双语|中英文|解读|政策解读|全文发布|原文|实录|"
                  "文字实录|附件|直播|H5|h5|高清")
        + r")\s*[)】\]〗>]\s*$"
    ),
    # a site name after a separator: —中国政府网  -新华网  _中华人民共和国中央人民政府  | 新华社
    re.compile(
        r"\s*(?:-{1,2}|—{1,2}|_|\||丨|–)\s*(?:[\u4e00-\u9fff]{1,16}(?:网|网站|人民政府|政府|新华社|"
        r"人民日报|客户端|公报)|中国政府网|新华社|www\.gov\.cn|gov\.cn)\s*$"
    ),
    # a date the list printed after the title: 2026-03-01, [03-01], (2026/03/01 10:00)
    re.compile(
        r"\s*[\[(]?\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*[\])]?\s*$"
    ),
    re.compile(r"\s*[\[(]\s*\d{1,2}[-/.]\d{1,2}\s*[\])]\s*$"),
    # a document number appended by the portal: (国发〔2026〕5号)  国办发[2026]12号
    re.compile(
        r"\s*[(]?\s*[\u4e00-\u9fff]{1,8}\s*[〔\[(]\s*\d{4}\s*[〕\])]\s*\d{1,4}\s*号\s*[)]?\s*$"
    ),
]
#: companions named without brackets or separator: 一图读懂《X》, 《X》政策解读, 某部负责人就《X》答记者问
_COMPANION_HEAD = re.compile(rf"^\s*({_spaced('一图读懂|一图看懂|一图了解|一图速览|一图解读|图解|图说')})\s*")
_COMPANION_TAIL = re.compile(rf"\s*({_spaced('政策解读|权威解读|专家解读|解读|答记者问|答问|问答')})\s*$")
#: what must be left of a title once a companion word is taken off it
_MIN_LEFT = 6
_SPOKESMAN = re.compile(r"^.{0,30}?就\s*(?=\S)")
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|⋯+|。{2,}|…+|-{3,}|·{3,})\s*$")
# the last character (spaces aside) each trailing rule can end on, and whether a digit can be it:
# a rule whose end is not there cannot apply, so its search is skipped
_TRAILING_ENDS = ((")】]〗>", False), ("网站府社报端n", False), ("])", True), ("])", False), ("号)", False))
_ELLIPSIS_ENDS = ".⋯。…-·"
# what a title must start or end with for any rule above to apply: most titles have neither and
# skip the rules altogether, the others stop as soon as nothing is left to peel
_MAY_PEEL = re.compile(
    rf"^\s*(?:[【\[〖〔(<〈「『]|\d{{4}}|(?:{_LABELS})\s*{_SEP})|[)】\]〗>网站府社报端n\d号.⋯。…\-·]\s*$"
)
_NOT_WORD = re.compile(r"[\W_]+")

#: Chinese numeral runs and digit runs; see number_tokens()
_NUMBER = re.compile(r"([第前]?)(\d+|[〇零一二三四五六七八九十百千万]+)")
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}


@dataclass(slots=True, frozen=True)
class NormTitle:
    """A normalised title: ``text`` (letters and digits only) and whether the portal cut it (…)."""

    text: str
    truncated: bool
    head: str = ""  # the part before the first space of a two-part title (main title), normalised
    kind: str = ""  # the kind of companion (图解, 解读, 答问, 视频, 受权发布); "" for a document
    label: str = ""  # the companion label itself (一图读懂, 图解, 政策解读, 答记者问…)


def _peel(text: str) -> tuple[str, bool, str]:
    """(title without labels, truncated, companion label)."""
    truncated = False
    label = ""
    while _MAY_PEEL.search(text):
        before = text
        for rx in _LEADING:
            m = rx.match(text)
            if m:
                text = text[m.end():]
                if m.lastindex:
                    word = _SPACES.sub("", m.group(1))
                    if word in COMPANIONS or word in _LEADING_ONLY:
                        label = word
        for rx, (ends, digits) in zip(_TRAILING, _TRAILING_ENDS):
            last = text.rstrip()[-1:]
            if last and (last in ends or digits and last.isdecimal()):
                m = rx.search(text)
                if m:
                    text = text[:m.start()]
                    word = _SPACES.sub("", m.group(2)) if m.lastindex else ""
                    if word in COMPANIONS and not m.group(1):
                        label = word
        last = text.rstrip()[-1:]
        if last and last in _ELLIPSIS_ENDS:
            cut = _ELLIPSIS.sub("", text, count=1)
            if cut != text:
                truncated, text = True, cut
        if text == before:
            break
    if "图" in text[:6]:
        m = _COMPANION_HEAD.match(text)
        if m and len(text) - m.end() >= _MIN_LEFT:
            text, label = text[m.end():], _SPACES.sub("", m.group(1))
    if text.rstrip()[-1:] in ("读", "问", "答") and not truncated:
        m = _COMPANION_TAIL.search(text)
        if m and m.start() >= _MIN_LEFT:
            text, label = text[:m.start()], _SPACES.sub("", m.group(1))
            if COMPANIONS[label] == "答问":  # 某部负责人就《X》答记者问: X
                m = _SPOKESMAN.match(text)
                if m:
                    text = text[m.end():]
    return text.strip(), truncated, label


@lru_cache(maxsize=65536)
def analyze(title: str | None) -> NormTitle:
    """Normalise ``title`` and tell whether it was truncated (ends in … or ...)."""
    if not title:
        return NormTitle("", False)
    text = html.unescape(title) if "&" in title else title
    text = to_simplified(unicodedata.normalize("NFKC", text))
    text, truncated, label = _peel(text)
    head = ""
    parts = text.split()
    if len(parts) > 1 and not truncated:
        head = _NOT_WORD.sub("", parts[0]).lower()
    kind = COMPANIONS.get(label) or _LEADING_ONLY.get(label, "")
    return NormTitle(_NOT_WORD.sub("", text).lower(), truncated, head, kind, label)


def normalize_title(title: str | None) -> str:
    """The comparable form of a title: see the module docstring. ``""`` for an empty title."""
    return analyze(title).text


def _cn_values(token: str) -> list[str]:
    """Decimal values of a digit run or a Chinese numeral run (十四五 -> 14, 5; 二〇二六 -> 2026)."""
    if token.isascii():
        return [str(int(token))]
    if not any(c in _CN_UNIT for c in token):  # 二〇二六 -> 2026, 一 -> 1
        return [str(int("".join(str(_CN_DIGIT[c]) for c in token)))]
    values: list[str] = []
    total = section = 0
    digit: int | None = None
    for c in token:
        if c in "零〇" and digit is None and section:  # 一百零五: a placeholder zero
            continue
        if c in _CN_DIGIT:
            if digit is not None:  # two digits in a row after a unit: a new number (十四五)
                values.append(str(total + section + digit))
                total = section = 0
            digit = _CN_DIGIT[c]
        elif c == "万":
            total += (section + (digit or 0)) * 10000 or 10000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _CN_UNIT[c]
            digit = None
    values.append(str(total + section + (digit or 0)))
    return values


@lru_cache(maxsize=16384)
def number_tokens(text: str) -> tuple[str, ...]:
    """Numbers in a normalised title, in order, as decimal strings (第一季度 and 第1季度 both give
    第1; 前三季度 gives 前3).

    Two titles that differ only in a number (quarter, year, meeting or order number) are different
    releases, so the matcher requires these sequences to agree.
    """
    out: list[str] = []
    for qualifier, run in _NUMBER.findall(text):
        values = _cn_values(run)
        values[0] = qualifier + values[0]  # 第三季度 (ordinal) vs 前三季度 (cumulative)
        out.extend(values)
    return tuple(out)

"""Harmful and injected content: gambling, pornography and spam terms, hidden link farms, spam links.

Three findings, each with its evidence (a snippet of at most 80 characters and its place in the
page, a CSS-ish path):

- ``term``: a term of the editable list ``data/harmful_terms.csv`` in the page's text (title and
  body, hidden parts included) or its keywords/description meta. A term with a "counter" word
  within 20 characters (打击, 查处, 扫黄打非 …) is a report about the harm, not the harm: it is shown
  with ``counted=False``. A page fails on terms when the weights of its distinct counted terms
  add up to the threshold (``page_scores``).
- ``hidden_links``: a CSS-hidden block (inline ``display:none``, ``visibility:hidden``, off-screen
  positioning, zero height with overflow hidden, ``font-size:0``, the ``hidden`` attribute, or a
  class/id a ``<style>`` block hides) that carries many outbound links. A hidden drop-down menu of
  the portal's own pages is not outbound; links to ``.gov.cn``, the registry's allowed hosts and
  the central media of ``data/trusted_hosts.csv`` never count.
- ``spam_link``: an outbound link whose anchor text (or title) carries a listed term.

The terms are found with an Aho-Corasick automaton (ahocorasick-rs): one pass over the text
whatever the list's length. bench/harmful.py measures it: on 1 MB it is as fast as a compiled
regex alternation of today's 85 words and stays flat as the list grows, where the alternation (and
pyahocorasick, whose transitions slow down with many CJK words) grow with it.
"""

from __future__ import annotations

import bisect
import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import ahocorasick_rs
from lxml import etree

from monitor.extract.page import Page
from monitor.extract.privacy import redact
from monitor.extract.text import css_path, text_of
from monitor.match.normalize import simplified_chars
from monitor.paths import DATA_DIR

TERMS_CSV = DATA_DIR / "harmful_terms.csv"
TRUSTED_HOSTS_CSV = DATA_DIR / "trusted_hosts.csv"
CATEGORIES = ("gambling", "porn", "spam")
COUNTER = "counter"
#: characters either side of a term searched for a counter word
COUNTER_WINDOW = 20
SNIPPET = 80
MAX_FINDINGS = 50
#: ASCII upper to lower, one character for one (str.lower may change a text's length)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    category: str
    weight: int


@dataclass(frozen=True, slots=True)
class HarmfulFinding:
    """One harmful or injected thing on a page, with its evidence."""

    kind: str  # term | hidden_links | spam_link
    category: str  # gambling | porn | spam
    snippet: str  # at most 80 characters
    where: str  # CSS-ish path, or "meta[name=keywords]"
    url: str = ""
    term: str = ""
    weight: int = 0
    counted: bool = True  # False: a counter word stands beside the term (a report about it)
    links: int = 0  # outbound links of a hidden block
    hosts: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"kind": self.kind, "category": self.category, "snippet": self.snippet,
                "where": self.where, "url": self.url, "term": self.term, "weight": self.weight,
                "counted": self.counted, "links": self.links, "hosts": list(self.hosts)}

    @classmethod
    def from_json(cls, data: dict | None) -> "HarmfulFinding | None":
        if not data:
            return None
        return cls(kind=str(data.get("kind") or ""), category=str(data.get("category") or ""),
                   snippet=str(data.get("snippet") or ""), where=str(data.get("where") or ""),
                   url=str(data.get("url") or ""), term=str(data.get("term") or ""),
                   weight=int(data.get("weight") or 0), counted=bool(data.get("counted", True)),
                   links=int(data.get("links") or 0), hosts=tuple(data.get("hosts") or ()))


# -- the lists -------------------------------------------------------------------------------------


def load_terms(path: str | Path | None = None) -> tuple[Term, ...]:
    """The term list (``data/harmful_terms.csv`` by default), parsed once per path."""
    return _load_terms(str(path or TERMS_CSV))


@lru_cache(maxsize=8)
def _load_terms(path: str) -> tuple[Term, ...]:
    terms = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            term = (row.get("term") or "").strip().translate(_ASCII_LOWER)
            category = (row.get("category") or "").strip()
            if not term or category not in CATEGORIES + (COUNTER,):
                continue
            terms.append(Term(term, category, int((row.get("weight") or "0").strip() or 0)))
    return tuple(terms)


@lru_cache(maxsize=8)
def _automaton(path: str) -> tuple[object, tuple[Term, ...]]:
    """The list's Aho-Corasick automaton (ahocorasick-rs: one pass whatever the list's length)
    and the terms in its pattern order."""
    terms = _load_terms(path)
    return ahocorasick_rs.AhoCorasick([t.term for t in terms]), terms


def _hits(text: str, terms_path) -> list[tuple[int, int, Term]]:
    """Every (overlapping) occurrence of a listed word in lower-cased ``text``: (start, end, term)."""
    automaton, terms = _automaton(str(terms_path or TERMS_CSV))
    return [(start, end, terms[index])
            for index, start, end in automaton.find_matches_as_indexes(text, overlapping=True)]


@lru_cache(maxsize=8)
def trusted_hosts(path: str | None = None) -> tuple[str, ...]:
    """Host suffixes of ``data/trusted_hosts.csv``."""
    with open(path or TRUSTED_HOSTS_CSV, encoding="utf-8-sig", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return tuple((row.get("host") or "").strip().lower() for row in rows if (row.get("host") or "").strip())


def _suffix_of(host: str, suffixes) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


def is_outbound(url: str, page_host: str, allow_hosts=()) -> str | None:
    """The link's host when it leaves the government web (not .gov.cn, not the page's host, not an
    allowed or trusted host), else None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    if host.endswith(".gov.cn") or host == "gov.cn":
        return None
    bare = host[4:] if host.startswith("www.") else host
    page = page_host[4:] if page_host.startswith("www.") else page_host
    if bare == page or _suffix_of(host, tuple(a.lower().lstrip(".") for a in allow_hosts)):
        return None
    if _suffix_of(host, trusted_hosts()):
        return None
    return host


# -- terms -----------------------------------------------------------------------------------------


def find_terms(text: str, *, where=None, url: str = "", terms_path: str | Path | None = None,
               limit: int = MAX_FINDINGS) -> list[HarmfulFinding]:
    """Each listed term in ``text`` once (its first counted occurrence, else its first one)."""
    # Traditional characters are read as Simplified (娛樂城 is 娱乐城), one for one so offsets hold
    lowered = simplified_chars((text or "").translate(_ASCII_LOWER))
    if not lowered:
        return []
    hits, counters = [], []
    for start, end, term in _hits(lowered, terms_path):
        (counters if term.category == COUNTER else hits).append((start, end, term))
    if not hits:
        return []
    counter_starts = [s for s, _, _ in counters]
    chosen: dict[str, tuple[int, int, Term, bool]] = {}
    for start, end, term in hits:
        lo = bisect.bisect_left(counter_starts, start - COUNTER_WINDOW)
        counted = not (lo < len(counter_starts) and counter_starts[lo] <= end + COUNTER_WINDOW)
        previous = chosen.get(term.term)
        if previous is None or (counted and not previous[3]):
            chosen[term.term] = (start, end, term, counted)
    # a longer term covers the shorter ones inside it (北京赛车pk10 and pk10)
    spans = sorted(chosen.values(), key=lambda h: (h[0], -(h[1] - h[0])))
    findings = []
    for start, end, term, counted in spans:
        if any(o[0] <= start and end <= o[1] and o[2] is not term for o in spans
               if (o[1] - o[0]) > (end - start)):
            continue
        findings.append(HarmfulFinding(
            kind="term", category=term.category, snippet=_snippet(text, start, end),
            where=where(start) if where else "", url=url, term=term.term, weight=term.weight,
            counted=counted))
        if len(findings) >= limit:
            break
    return findings


def _snippet(text: str, start: int, end: int) -> str:
    """At most 80 characters around a hit, personal numbers masked (the snippet is stored): the
    window is widened to whole runs of digits first, so no number is cut and left unmasked."""
    room = max(0, (SNIPPET - (end - start)) // 2)
    lo, hi = max(0, start - room), min(len(text), end + room)
    while lo > 0 and text[lo - 1].isdigit():
        lo -= 1
    while hi < len(text) and (text[hi].isdigit() or text[hi] in "Xx"):
        hi += 1
    return redact(_SPACE_RE.sub(" ", text[lo:hi]).strip())[:SNIPPET]


def matches_term(text: str, terms_path: str | Path | None = None) -> Term | None:
    """The heaviest harmful (not counter) term in a short text such as a link's anchor."""
    best = None
    for _, _, term in _hits((text or "").translate(_ASCII_LOWER), terms_path):
        if term.category != COUNTER and (best is None or term.weight > best.weight):
            best = term
    return best


def page_scores(findings) -> dict[str, int]:
    """Per page URL, the summed weight of its distinct counted terms."""
    scores: dict[str, int] = {}
    seen = set()
    for f in findings:
        if f.kind == "term" and f.counted and (f.url, f.term) not in seen:
            seen.add((f.url, f.term))
            scores[f.url] = scores.get(f.url, 0) + f.weight
    return scores


# -- hidden blocks ---------------------------------------------------------------------------------

HIDDEN_STYLE_RE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\s*(?:;|$|!)"
    r"|(?:left|top|text-indent|margin-left|margin-top)\s*:\s*-\d{3,}", re.I)
_ZERO_BOX_RE = re.compile(r"(?:^|;|\s)(?:height|width)\s*:\s*[01](?:px)?\s*(?:;|$|!)", re.I)
_OVERFLOW_HIDDEN_RE = re.compile(r"overflow\s*:\s*hidden", re.I)
_CSS_RULE_RE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR_RE = re.compile(r"^(?:[a-z0-9]*)([.#])([\w-]+)$", re.I)


def is_hidden_style(style: str) -> bool:
    if not style:
        return False
    if HIDDEN_STYLE_RE.search(style):
        return True
    return bool(_ZERO_BOX_RE.search(style) and _OVERFLOW_HIDDEN_RE.search(style))


def _hidden_selectors(tree) -> tuple[set[str], set[str]]:
    """Classes and ids that a ``<style>`` block hides with a simple ``.x``/``#x`` selector."""
    classes, ids = set(), set()
    for style in tree.iter("style"):
        css = re.sub(r"/\*.*?\*/", "", style.text or "", flags=re.S)
        for selectors, body in _CSS_RULE_RE.findall(css):
            if not is_hidden_style(body):
                continue
            for selector in selectors.split(","):
                m = _SIMPLE_SELECTOR_RE.match(selector.strip())
                if m is not None:
                    (classes if m.group(1) == "." else ids).add(m.group(2))
    return classes, ids


def hidden_elements(tree) -> list:
    """The outermost CSS-hidden elements of the body, in document order."""
    classes, ids = _hidden_selectors(tree)
    found = []
    body = tree.find("body")
    root = body if body is not None else tree
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "template", "noscript"):
            continue
        hidden = (element.get("hidden") is not None or is_hidden_style(element.get("style") or "")
                  or (element.get("id") or "") in ids
                  or any(c in classes for c in (element.get("class") or "").split()))
        if hidden and not any(a in found for a in element.iterancestors()):
            found.append(element)
    return found


# -- the page --------------------------------------------------------------------------------------


def find_harmful(page: Page, allow_hosts=(), hidden_min_links: int = 5,
                 terms_path: str | Path | None = None) -> list[HarmfulFinding]:
    """Every harmful term, hidden link block and spam link of the page. Never raises."""
    try:
        return _find(page, tuple(allow_hosts), hidden_min_links, terms_path)
    except (ValueError, TypeError, etree.LxmlError, RecursionError):
        return []


def _find(page: Page, allow_hosts, hidden_min_links: int, terms_path) -> list[HarmfulFinding]:
    tree = page.tree
    if tree is None:
        return []
    host = (urlsplit(page.url).hostname or "").lower()
    text = text_of(page)
    findings = find_terms(text.text, where=text.where, url=page.url, terms_path=terms_path)
    for meta in tree.iter("meta"):
        name = (meta.get("name") or "").lower()
        if name in ("keywords", "description"):
            findings.extend(find_terms(meta.get("content") or "", where=lambda _, n=name: f"meta[name={n}]",
                                       url=page.url, terms_path=terms_path))
    for block in hidden_elements(tree):
        outbound, hosts, texts = 0, [], []
        for anchor in block.iter("a"):
            target = is_outbound(page.absolute(anchor.get("href")) or "", host, allow_hosts)
            if target is None:
                continue
            outbound += 1
            if target not in hosts:
                hosts.append(target)
            label = _SPACE_RE.sub(" ", anchor.text_content()).strip()
            if label:
                texts.append(label)
        if outbound >= hidden_min_links:
            findings.append(HarmfulFinding(
                kind="hidden_links", category="spam", snippet=redact(" | ".join(texts))[:SNIPPET],
                where=css_path(block), url=page.url, links=outbound, hosts=tuple(hosts[:5])))
    for anchor in tree.iter("a"):
        target = is_outbound(page.absolute(anchor.get("href")) or "", host, allow_hosts)
        if target is None:
            continue
        label = _SPACE_RE.sub(" ", anchor.text_content()).strip() or (anchor.get("title") or "").strip()
        term = matches_term(label, terms_path)
        if term is not None:
            findings.append(HarmfulFinding(
                kind="spam_link", category=term.category, snippet=redact(label)[:SNIPPET], where=css_path(anchor),
                url=page.url, term=term.term, weight=term.weight, hosts=(target,)))
    return findings[:MAX_FINDINGS * 2]


def failing(findings, min_score: int = 10) -> list[HarmfulFinding]:
    """The findings that fail a portal: hidden link blocks, spam links, and the counted terms of
    pages whose term score reaches ``min_score``."""
    scores = page_scores(findings)
    return [f for f in findings
            if f.kind in ("hidden_links", "spam_link")
            or (f.kind == "term" and f.counted and scores.get(f.url, 0) >= min_score)]

"""State Council releases: parsing www.gov.cn's lists and release pages, and release import files.

Pure functions over bytes and text (no Scrapy, no SQLite); they never raise on bad input. Times are
Beijing time: a naive time read from gov.cn is Asia/Shanghai.

- JSON feeds (``/zhengce/zuixin/ZUIXINZHENGCE.json``, ``/yaowen/liebiao/YAOWENLIEBIAO.json``): an
  array of ``{TITLE, URL, DOCRELPUBTIME}``, sometimes after a UTF-8 BOM; URLs relative or absolute;
  ``DOCRELPUBTIME`` usually a bare date.
- HTML lists (the 国务院信息 list ``/pushinfo/v150203/``, list pages as a fallback): ``<a>`` links to
  article pages (``…/content_6986382.htm``) with a date printed next to them.
- Release pages: ``<meta name="firstpublishedtime" content="2026-09-24-10:00:00">`` first, then the
  visible ``<div class="pages-date">2026-09-24 10:00 来源：新华社</div>``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from monitor.clock import iso
from monitor.clock import SHANGHAI
from monitor.extract.page import Page

__all__ = [
    "FeedRow", "ReleasePage", "ImportResult", "parse_feed", "parse_list_html", "parse_release_page",
    "parse_time", "is_release_url", "read_import", "release_row",
]

#: a www.gov.cn article: ``content_`` and the CMS number (old and new URL shapes)
ARTICLE_URL = re.compile(r"/content_\d{5,}\.s?html?$", re.I)

_DATETIME = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*[-T ]?\s*(?P<H>\d{1,2})\s*[:：∶时]\s*(?P<M>\d{1,2})(?:\s*[:：∶分]\s*(?P<S>\d{1,2}))?)?"
    r"(?P<tz>\s*(?:Z|[+-]\d\d:?\d\d))?"
)
_SOURCE = re.compile(r"来源\s*[:：]\s*([^\s<|]{1,40})")
_WS = re.compile(r"[\s\u3000\xa0]+")


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One release as a list or feed shows it."""

    title: str
    url: str
    published: date | datetime | None


@dataclass(frozen=True, slots=True)
class ReleasePage:
    """What a release page says about itself."""

    published: datetime | date | None
    title: str | None = None
    source: str | None = None


def _clean(text: object) -> str:
    return _WS.sub(" ", str(text or "")).strip()


def parse_time(value: object) -> date | datetime | None:
    """A date or date-time in the forms gov.cn and import files use, else ``None``.

    ``2026-09-24``, ``2026-09-24 10:00``, ``2026-09-24-10:00:00`` (firstpublishedtime),
    ``2026-09-24T10:00:00+08:00``, ``2026/9/24``, ``2026年09月24日 10:00``. A naive time is Beijing
    time; an aware one is converted to it. Impossible dates give ``None``.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value.astimezone(SHANGHAI)
    if isinstance(value, date):
        return value
    text = _clean(value)
    m = _DATETIME.search(text) if text else None
    if m is None:
        return None
    try:
        day = date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["H"] is None:
            return day
        moment = datetime(day.year, day.month, day.day, int(m["H"]), int(m["M"]), int(m["S"] or 0))
    except ValueError:
        return None
    if m["tz"]:
        try:
            aware = datetime.fromisoformat(moment.isoformat() + m["tz"].strip().replace("Z", "+00:00"))
            return aware.astimezone(SHANGHAI)
        except ValueError:
            return None
    return moment.replace(tzinfo=SHANGHAI)


def is_release_url(url: str, host: str = "www.gov.cn") -> bool:
    """An article page on the given host (``…/content_NNNN.htm``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.hostname or "").lower() == host and bool(ARTICLE_URL.search(parts.path))


# ---------------------------------------------------------------------------- feeds and lists
def _json_text(body: bytes | str) -> str:
    if isinstance(body, bytes):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return body.decode(enc)
            except UnicodeDecodeError:
                continue
        return body.decode("utf-8", errors="replace")
    return body.lstrip("\ufeff")


def parse_feed(body: bytes | str, base_url: str) -> list[FeedRow]:
    """Rows of a gov.cn JSON feed (``[{TITLE, URL, DOCRELPUBTIME}, …]``, a BOM tolerated); ``[]`` when
    the body is not such a feed. URLs are made absolute against ``base_url``; rows without a title
    or URL are left out, duplicates (same URL) kept once."""
    try:
        data = json.loads(_json_text(body).strip() or "null")
    except ValueError:
        return []
    if isinstance(data, dict):  # some channels wrap the array: {"data": [...]} or similar
        data = next((v for v in data.values() if isinstance(v, list)), [])
    if not isinstance(data, list):
        return []
    rows, seen = [], set()
    for obj in data:
        if not isinstance(obj, dict):
            continue
        fields = {str(k).upper(): v for k, v in obj.items()}
        title = _clean(fields.get("TITLE"))
        href = _clean(fields.get("URL"))
        if not title or not href:
            continue
        url = urljoin(base_url, href)
        if url in seen:
            continue
        seen.add(url)
        rows.append(FeedRow(title, url, parse_time(fields.get("DOCRELPUBTIME") or fields.get("PUBTIME"))))
    return rows


def parse_list_html(body: bytes | str, base_url: str) -> list[FeedRow]:
    """Article links of an HTML list page (the 国务院信息 list, list fallbacks), in page order, with
    the date printed in the same list item (``<li><a>…</a><span>2026-09-24</span></li>``)."""
    page = Page(html=body, url=base_url) if isinstance(body, str) else Page.from_bytes(body, base_url)
    tree = page.tree
    if tree is None:
        return []
    rows, seen = [], set()
    for a in tree.iter("a"):
        href = urljoin(base_url, (a.get("href") or "").strip())  # whether or not the tree made it absolute
        path = urlsplit(href).path if href else ""
        if not ARTICLE_URL.search(path) or href in seen:
            continue
        title = _clean(a.text_content()) or _clean(a.get("title"))
        if not title:
            continue
        seen.add(href)
        published = parse_time(_after(a)) or parse_time(_item_text(a, title))
        rows.append(FeedRow(_clean(a.get("title")) or title, href, published))
    return rows


def _is_article_link(el) -> bool:
    return el.tag == "a" and bool(ARTICLE_URL.search(urlsplit((el.get("href") or "").strip()).path))


def _after(a) -> str:
    """Text after the link up to the next article link (``<a>…</a><span>2026-09-24</span>``)."""
    parts = [a.tail or ""]
    for sib in a.itersiblings():
        if _is_article_link(sib) or any(_is_article_link(x) for x in sib.iter("a")):
            break
        parts.append(sib.text_content())
        parts.append(sib.tail or "")
    return _clean(" ".join(parts))


def _item_text(a, title: str) -> str:
    """The text of the list item holding the link, when it holds no other article link."""
    holder = a.getparent()
    while holder is not None and holder.tag not in ("li", "tr", "dd", "p"):
        holder = holder.getparent()
    if holder is None or sum(1 for x in holder.iter("a") if _is_article_link(x)) > 1:
        return ""
    return _clean(holder.text_content()).replace(title, " ")


def parse_release_page(body: bytes | str, url: str = "") -> ReleasePage:
    """The exact publication time of a release page: ``firstpublishedtime`` meta, else the visible
    ``div.pages-date``, else the ``PubDate`` meta; with its title and source when printed."""
    page = Page(html=body, url=url) if isinstance(body, str) else Page.from_bytes(body, url)
    tree = page.tree
    if tree is None:
        return ReleasePage(None)
    metas = {}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name and name not in metas:
            metas[name] = meta.get("content") or ""
    dates = tree.xpath('//div[contains(concat(" ", normalize-space(@class), " "), " pages-date ")]')
    visible = _clean(dates[0].text_content()) if dates else ""
    published = None
    for candidate in (metas.get("firstpublishedtime"), visible, metas.get("pubdate")):
        published = parse_time(candidate)
        if published is not None:
            break
    title = _clean(metas.get("articletitle")) or None
    if title is None:
        heads = tree.xpath("//h1")
        title = _clean(heads[0].text_content()) if heads else None
    m = _SOURCE.search(visible)
    source = m.group(1) if m else (_clean(metas.get("contentsource")) or None)
    return ReleasePage(published, title or None, source)


# ---------------------------------------------------------------------------- import files
@dataclass
class ImportResult:
    rows: list[dict]
    problems: list[str]  # "FILE:LINE: message"


def release_row(record: dict) -> tuple[dict | None, str | None]:
    """A releases row from an import record ``{title, url, published[, category, source]}``,
    or ``(None, message)``. The id is the matcher's ``release_id_for_url``."""
    from monitor.match import release_id_for_url
    if not isinstance(record, dict):
        return None, "not an object"
    rec = {str(k).strip().lower(): v for k, v in record.items() if k is not None}
    title = _clean(rec.get("title"))
    url = _clean(rec.get("url"))
    raw = rec.get("published")
    if not title:
        return None, "title is empty"
    if not url:
        return None, "url is empty"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None, f"url {url!r} is not an http(s) URL"
    if raw is None or not _clean(raw):
        return None, "published is empty"
    published = parse_time(raw) if isinstance(raw, str) else None
    if published is None:
        return None, f"published {raw!r} is not a date (use YYYY-MM-DD or YYYY-MM-DD HH:MM)"
    return {"id": release_id_for_url(url), "title": title, "url": url, "published": iso(published),
            "category": _clean(rec.get("category")) or None,
            "source": _clean(rec.get("source")) or None}, None


def _records_csv(text: str):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("title", "url", "published") if c not in header]
    if missing:
        yield 1, None, f"header lacks column(s) {', '.join(missing)} (need title,url,published)"
        return
    for rec in reader:
        line = reader.line_num
        if None in rec:
            yield line, None, "more fields than the header has"
        elif not any((v or "").strip() for v in rec.values()):
            continue
        else:
            yield line, rec, None


def _records_jsonl(text: str):
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            yield n, json.loads(raw), None
        except ValueError as exc:
            yield n, None, f"not JSON: {exc.msg}"


def _records_json(text: str):
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if not text.startswith("[", pos):
        yield text.count("\n", 0, pos) + 1, None, "a JSON file must hold an array of objects"
        return
    pos += 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text):
            yield text.count("\n") + 1, None, "the array is not closed"
            return
        if text[pos] == "]":
            return
        line = text.count("\n", 0, pos) + 1
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except ValueError as exc:
            yield line, None, f"not JSON: {exc.msg}"
            return
        yield line, obj, None


def read_import(path: str | Path) -> ImportResult:
    """Releases from a CSV (header ``title,url,published[,category,source]``), a JSON array or JSONL
    file. Bad rows become ``FILE:LINE: message``; good rows are kept (the last of a duplicated URL).
    Raises ``OSError`` only when the file cannot be read."""
    path = Path(path)
    text = _json_text(path.read_bytes())
    suffix = path.suffix.lower()
    stripped = text.lstrip()
    if suffix in (".jsonl", ".ndjson") or (suffix != ".json" and stripped.startswith("{")):
        records = _records_jsonl(text)
    elif suffix == ".json" or stripped.startswith("["):
        records = _records_json(text)
    else:
        records = _records_csv(text)
    rows: dict[str, dict] = {}
    problems = []
    for line, rec, error in records:
        if error is None:
            row, error = release_row(rec)
            if row is not None:
                rows[row["id"]] = row
                continue
        problems.append(f"{path}:{line}: {error}")
    return ImportResult(list(rows.values()), problems)

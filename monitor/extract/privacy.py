"""Leaked personal data: resident ID numbers, mobile numbers and bank card numbers.

One compiled scan finds every run of 11–19 digits (or a grouped ``138 1234 5678`` /
``6222 0212 3456 7890``) that is not part of a longer run of digits or letters; each candidate is
then checked by what it claims to be:

- a resident ID number (居民身份证号码, GB 11643): 18 characters, a 6-digit division code known to
  python-stdnum's table of China's administrative divisions (or, for divisions newer than the
  table, a known prefecture), a birth date that exists, is not before 1900 and not in the future,
  and the ISO 7064 MOD 11-2 check digit (``stdnum.cn.ric``); the old 15-digit form with a known
  division and a valid 19YYMMDD birth date;
- a mobile number: 11 digits ``1[3-9]X…`` (office numbers ``0371-12345678`` and hotlines such as
  12345 never match);
- a bank card: 16–19 digits with a card BIN (UnionPay 62, Visa 4, Mastercard 51–55/2221–2720, JCB
  35, the old 9558/9559 debit cards) and the Luhn check digit.

A candidate labelled as a serial number just before it (订单号, 流水号, 编号, 文号, 许可证号 …) is not a
leak, nor is an ID-like number failing its check digit. A mobile labelled as an office contact
(联系电话, 咨询电话, 举报电话 …) is marked ``contact``: one office number on a notice is not a leak,
many mobiles on one page are (``leaks(findings, mobile_bulk)``).

Evidence is masked before it leaves this module: ``410105********1234``, ``138****5678``,
``6222***********1234``, and the few characters of context around it have every digit masked. The
full number exists only inside ``scan_text`` and is never returned, logged or stored.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import urlsplit
from datetime import date, datetime

from lxml import etree
from stdnum import numdb
from stdnum.cn import ric

from monitor.extract.page import Page
from monitor.extract.text import text_of

KINDS = ("id_card", "mobile", "bank_card")
#: characters of context kept on each side of a finding (digits masked)
CONTEXT_CHARS = 8
#: most findings listed per scan (counts stay complete)
MAX_FINDINGS = 50

#: every candidate starts with a digit, so the regex engine skips ahead to digits on its own (a
#: leading lookbehind would defeat that and cost half the scan); the character before a candidate
#: is checked in Python instead
_CANDIDATE_RE = re.compile(
    r"[0-9](?:"
    r"(?P<run>[0-9]{10,18}[Xx]?)"
    r"|(?P<mobile>[3-9][0-9][ -][0-9]{4}[ -][0-9]{4})"
    r"|[0-9]{3}(?:(?P<card>(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?)"
    r"|(?P<idgroups>[0-9]{2}[ -][0-9]{8}[ -][0-9]{3}[0-9Xx]))"  # an ID in its 6-8-4 groups
    r")(?![0-9A-Za-z])")
_RUN_LENGTHS = frozenset((11, 15, 16, 17, 18, 19))
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_FULLWIDTH_RE = re.compile(r"[０-９]{3}")
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_CARD_BIN_RE = re.compile(r"62|4|5[1-5]|2(?:2[2-9]|[3-6][0-9]|7[01]|720)|35|955[89]")
#: a label right before a number that makes it a serial/document number, not personal data
_SERIAL_RE = re.compile(r"(?:订单|单号|流水|编号|编码|文号|序号|序列|批次|许可证|证书|登记号|备案|代码|条码|条形码|"
                        r"发票|工单|受理号|申请号|案号|批准|追溯|快递|运单|邮编|版本|ISBN|ISSN|No\.?|NO\.?)"
                        r"[^0-9\n]{0,6}$")
#: a label right before a mobile number that makes it an office's published contact
_CONTACT_RE = re.compile(r"(?:联系电话|联系方式|咨询电话|举报电话|投诉电话|监督电话|服务电话|办公电话|值班电话|"
                         r"热线|联系人|电话|手机)[^0-9\n]{0,12}$")
#: a person's role in front of the contact label: 被征收人联系电话 is that person's own number
_PERSON_RE = re.compile(r"(?:被征收人|被拆迁人|申请人|当事人|被处罚人|被申请人|户主|本人|家属|监护人|患者|学生|"
                        r"家长|投诉人|举报人|来信人|留言人|收件人|受助人|救助对象|补贴对象|领取人)"
                        r"[^0-9\n]{0,8}$")
#: a table of offices: a unit column, no 姓名 column; its phone column's mobiles are the offices'
_UNIT_HEADER_RE = re.compile(r"部门|科室|单位|机构|窗口|处室|中心")
_NAME_HEADER_RE = re.compile(r"姓名|户主|申请人|对象")
_PHONE_HEADER_RE = re.compile(r"电话|手机|联系方式")
_DIGIT_RE = re.compile(r"[0-9]")
_SPACE_RE = re.compile(r"\s+")
_LOOKBACK = 16


@dataclass(frozen=True, slots=True)
class PrivacyFinding:
    """One personal number, masked. ``count``: how often it occurs in the scanned text."""

    kind: str  # id_card | mobile | bank_card
    masked: str
    context: str
    offset: int
    where: str = ""  # CSS-ish path, "script", or "attachment"
    url: str = ""
    contact: bool = False  # a mobile labelled as an office contact
    count: int = 1

    def to_json(self) -> dict:
        return {"kind": self.kind, "masked": self.masked, "context": self.context,
                "offset": self.offset, "where": self.where, "url": self.url,
                "contact": self.contact, "count": self.count}

    @classmethod
    def from_json(cls, data: dict | None) -> "PrivacyFinding | None":
        if not data:
            return None
        return cls(kind=str(data.get("kind") or ""), masked=str(data.get("masked") or ""),
                   context=str(data.get("context") or ""), offset=int(data.get("offset") or 0),
                   where=str(data.get("where") or ""), url=str(data.get("url") or ""),
                   contact=bool(data.get("contact")), count=int(data.get("count") or 1))


@dataclass(frozen=True, slots=True)
class PrivacyReport:
    """What one scan found: masked findings (at most ``MAX_FINDINGS``) and complete counts of
    distinct numbers per kind. ``error`` says why an attachment could not be read."""

    findings: tuple[PrivacyFinding, ...] = ()
    counts: dict = field(default_factory=lambda: {kind: 0 for kind in KINDS})
    scanned_chars: int = 0
    error: str | None = None

    def to_json(self) -> dict:
        return {"findings": [f.to_json() for f in self.findings], "counts": dict(self.counts),
                "scanned_chars": self.scanned_chars, "error": self.error}


# -- checks ----------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _division_known(code: str) -> bool:
    """A 6-digit division code in stdnum's table (any era: a person keeps the code of the place
    where the number was issued), or a county of a known prefecture created after the table."""
    return _in_table(code) or (code[4:] != "00" and _in_table(code[:4] + "00"))


def _in_table(code: str) -> bool:
    parts = numdb.get("cn/loc").info(code)
    return len(parts) >= 2 and bool(parts[0][1]) and bool(parts[1][1])


def _birth_ok(year: int, month: int, day: int, today: date | None) -> bool:
    if year < 1900:
        return False
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return today is None or born <= today


def is_id18(number: str, today: date | None = None) -> bool:
    """An 18-character resident ID number: division, birth date, MOD 11-2 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    number = number.upper()
    if ric.calc_check_digit(number) != number[17]:
        return False
    if not _birth_ok(int(number[6:10]), int(number[10:12]), int(number[12:14]), today):
        return False
    return _division_known(number[:6])


def is_id15(number: str, today: date | None = None) -> bool:
    """The old 15-digit ID number (no check digit): division and a 19YYMMDD birth date."""
    if len(number) != 15 or not number.isdigit():
        return False
    if not _birth_ok(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), today):
        return False
    return _division_known(number[:6])


_DOUBLED = tuple(sum(divmod(2 * d, 10)) for d in range(10))


def luhn_ok(number: str) -> bool:
    """The Luhn check of a string of decimal digits. Written here because ``stdnum.luhn`` serves any
    alphabet (an ``index`` per character, ~5 µs a number) and a page of serial numbers runs it
    thousands of times; a test checks both agree."""
    digits = [ord(c) - 48 for c in reversed(number)]
    return (sum(digits[::2]) + sum(_DOUBLED[d] for d in digits[1::2])) % 10 == 0


def is_bank_card(number: str) -> bool:
    """16–19 digits, a card BIN, and the Luhn check digit."""
    return (16 <= len(number) <= 19 and _CARD_BIN_RE.match(number) is not None and number.isdigit()
            and luhn_ok(number))


def id_shaped(number: str, today: date | None = None) -> bool:
    """18 digits with a known division and a birth date that exists: a resident ID number, or one
    whose check digit is wrong (a typo, a made-up number), never a bank card."""
    return (len(number) == 18 and number.isdigit()
            and _birth_ok(int(number[6:10]), int(number[10:12]), int(number[12:14]), today)
            and _division_known(number[:6]))


def classify(number: str, today: date | None = None) -> str | None:
    """``id_card``, ``mobile``, ``bank_card`` or None for a bare number (no separators). An
    ID-shaped 18-digit number failing its check digit is nothing: a tenth of them pass Luhn, and
    province codes 41-46, 51-55, 35 and 62 start like Visa, Mastercard, JCB and UnionPay BINs."""
    n = len(number)
    if n == 18 and is_id18(number, today):
        return "id_card"
    if n == 15 and is_id15(number, today):
        return "id_card"
    if n == 11 and _MOBILE_RE.fullmatch(number):
        return "mobile"
    if 16 <= n <= 19 and is_bank_card(number) and not id_shaped(number, today):
        return "bank_card"
    return None


def mask(kind: str, number: str) -> str:
    """The number with its middle hidden: ``410105********1234``, ``138****5678``, ``6222…1234``."""
    if kind == "id_card":
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if kind == "mobile":
        return number[:3] + "****" + number[-4:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _masked_context(text: str, start: int, end: int, masked: str) -> str:
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    clean = lambda s: _DIGIT_RE.sub("*", " ".join(s.split()))  # noqa: E731
    return f"{clean(before)}{masked}{clean(after)}"


# -- scanning --------------------------------------------------------------------------------------


def scan_text(text: str, now: date | datetime | None = None, *, where=None, url: str = "",
              limit: int = MAX_FINDINGS) -> PrivacyReport:
    """Every personal number in ``text``, masked. ``where(offset)`` names the place of a finding
    (a page's element path); ``now`` rejects birth dates in the future. Never raises."""
    try:
        return _scan(text or "", now, where, url, limit)
    except Exception as exc:  # a detector must not stop a crawl; say why instead
        return PrivacyReport(scanned_chars=len(text or ""), error=f"scan failed: {type(exc).__name__}")


def _candidate(m: re.Match, today: date | None) -> tuple[str, str | None]:
    """A candidate of ``_CANDIDATE_RE``: its digits without separators and what they are (None:
    nothing personal). Separators say the form: a 6-8-4 grouped ID, a 3-4-4 mobile, a 4-4-4-4 card."""
    raw = m.group()
    number = raw.replace(" ", "").replace("-", "")
    if number == raw:
        return number, classify(number, today) if len(raw) in _RUN_LENGTHS else None
    if m.group("idgroups") is not None:
        return number, "id_card" if is_id18(number, today) else None
    if m.group("mobile") is not None:
        return number, "mobile" if raw[0] == "1" else None
    return number, "bank_card" if is_bank_card(number) else None


def _scan(text: str, now, where, url: str, limit: int) -> PrivacyReport:
    if _FULLWIDTH_RE.search(text):
        text = text.translate(_FULLWIDTH)
    today = now.date() if isinstance(now, datetime) else now
    found: dict[str, list] = {}  # number -> [kind, first offset, count, contact, start, end]
    for m in _CANDIDATE_RE.finditer(text):
        start = m.start()
        if start and text[start - 1] in _ALNUM:
            continue  # the tail of a longer run of digits or letters
        number, kind = _candidate(m, today)
        if kind is None:
            continue
        before = text[max(0, start - _LOOKBACK):start]
        if _SERIAL_RE.search(before):
            continue
        entry = found.get(number)
        if entry is not None:
            entry[2] += 1
            continue
        contact = kind == "mobile" and _CONTACT_RE.search(before) is not None and not _PERSON_RE.search(before)
        found[number] = [kind, start, 1, contact, start, m.end()]
    counts = {kind: 0 for kind in KINDS}
    findings = []
    for number, (kind, offset, count, contact, start, end) in found.items():
        counts[kind] += 1
        if len(findings) < limit:
            masked = mask(kind, number.upper())
            findings.append(PrivacyFinding(
                kind=kind, masked=masked, context=_masked_context(text, start, end, masked),
                offset=offset, where=where(offset) if where else "", url=url, contact=contact,
                count=count))
    return PrivacyReport(findings=tuple(findings), counts=counts, scanned_chars=len(text))


def redact(text: str, now: date | datetime | None = None) -> str:
    """``text`` with every personal number masked in place (labelled or not): for the evidence other
    detectors keep (a snippet, a message title), so no full number reaches the store that way."""
    if not text or not _DIGIT_RE.search(text):
        return text or ""
    if _FULLWIDTH_RE.search(text):
        text = text.translate(_FULLWIDTH)
    today = now.date() if isinstance(now, datetime) else now
    out, last = [], 0
    for m in _CANDIDATE_RE.finditer(text):
        start = m.start()
        if start and text[start - 1] in _ALNUM:
            continue
        number, kind = _candidate(m, today)
        if kind is not None:
            out.append(text[last:start])
            out.append(mask(kind, number.upper()))
            last = m.end()
    out.append(text[last:])
    return "".join(out)


def leaks(findings, mobile_bulk: int = 5) -> list[PrivacyFinding]:
    """The findings that are leaks: every ID and bank card number, every mobile not labelled as an
    office contact, and all mobiles of a page (URL) that shows ``mobile_bulk`` or more."""
    mobiles: dict[str, int] = {}
    for f in findings:
        if f.kind == "mobile":
            mobiles[f.url] = mobiles.get(f.url, 0) + 1
    return [f for f in findings
            if f.kind != "mobile" or not f.contact or mobiles.get(f.url, 0) >= mobile_bulk]


def find_personal_data(page: Page, limit: int = MAX_FINDINGS) -> PrivacyReport:
    """Personal numbers in a page's text (tables included) and in its inline scripts and data
    islands (a Hanweb ``<datastore>``, JSON a list is built from)."""
    try:
        body = text_of(page)
        report = scan_text(body.text, page.now, where=body.where, url=page.url, limit=limit)
        offices = _office_mobiles(page)
        if offices:
            report = replace(report, findings=tuple(
                replace(f, contact=True) if f.kind == "mobile" and f.masked in offices else f
                for f in report.findings))
        scripts = _script_text(page)
        if not scripts:
            return report
        extra = scan_text(scripts, page.now, where=lambda _: "script", url=page.url, limit=limit)
        return merge(report, extra, limit)
    except Exception as exc:
        return PrivacyReport(error=f"scan failed: {type(exc).__name__}")


def _office_mobiles(page: Page) -> set[str]:
    """Masked mobiles published in the phone column of a table of offices (部门/科室 | 咨询电话): an
    office's contact, labelled by the column header rather than the words in front of it."""
    out: set[str] = set()
    tree = page.tree
    if tree is None:
        return out
    for table in tree.iter("table"):
        rows = [[_SPACE_RE.sub("", c.text_content()) for c in tr if c.tag in ("td", "th")]
                for tr in table.iter("tr")]
        rows = [r for r in rows if r]
        if len(rows) < 2:
            continue
        header = rows[0]
        if not any(_UNIT_HEADER_RE.search(h) for h in header if len(h) <= 8) \
                or any(_NAME_HEADER_RE.search(h) for h in header):
            continue
        columns = [i for i, h in enumerate(header) if len(h) <= 10 and _PHONE_HEADER_RE.search(h)]
        for row in rows[1:]:
            for i in columns:
                if i < len(row):
                    out.update(mask("mobile", m.group()) for m in _MOBILE_RE.finditer(row[i]))
    return out


def merge(first: PrivacyReport, second: PrivacyReport, limit: int = MAX_FINDINGS) -> PrivacyReport:
    """Two scans of one document as one report (a number found in both is kept once)."""
    seen = {(f.kind, f.masked, f.context) for f in first.findings}
    findings = list(first.findings)
    counts = dict(first.counts)
    for f in second.findings:
        if (f.kind, f.masked, f.context) in seen:
            continue
        counts[f.kind] = counts.get(f.kind, 0) + 1
        if len(findings) < limit:
            findings.append(f)
    return PrivacyReport(tuple(findings), counts, first.scanned_chars + second.scanned_chars,
                         first.error or second.error)


_SCRIPT_XPATH = etree.XPath("//script[not(@src)]/text()")


def _script_text(page: Page) -> str:
    tree = page.tree
    if tree is None:
        return ""
    return "\n".join(str(t) for t in _SCRIPT_XPATH(tree))


# -- attachments -----------------------------------------------------------------------------------

ATTACHMENT_TYPES = ("txt", "csv", "xls", "xlsx", "docx")
_MAX_CELLS = 200_000


def attachment_type(name: str, data: bytes = b"") -> str | None:
    """``txt``/``csv``/``xls``/``xlsx``/``docx`` from the file name, else from the content."""
    lower = (name or "").lower().split("?")[0].split("#")[0]
    for ext in ATTACHMENT_TYPES:
        if lower.endswith("." + ext):
            return ext
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError):
            return None
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return None


def attachment_links(page: Page, limit: int = 10) -> list[str]:
    """Absolute URLs of the page's links to txt/csv/xls/xlsx/docx files on the page's own host (the
    attachments worth a privacy scan), in document order, at most ``limit``."""
    tree = page.tree
    host = (urlsplit(page.url).hostname or "").lower()
    if tree is None or not host:
        return []
    bare = host[4:] if host.startswith("www.") else host
    out: list[str] = []
    for anchor in tree.iter("a"):
        url = page.absolute(anchor.get("href"))
        if not url or url in out or attachment_type(url) is None:
            continue
        target = (urlsplit(url).hostname or "").lower()
        if (target[4:] if target.startswith("www.") else target) != bare:
            continue
        out.append(url)
        if len(out) >= limit:
            break
    return out


def scan_attachment(data: bytes, name: str = "", url: str = "", now: date | datetime | None = None,
                    max_bytes: int = 2_000_000, limit: int = MAX_FINDINGS) -> PrivacyReport:
    """Personal numbers in a small attachment (txt, csv, xls, xlsx, docx). Files over
    ``max_bytes`` (and archives that would inflate past ten times that) are not read; a file that
    cannot be read gives a report with ``error``, never an exception."""
    data = data or b""
    if len(data) > max_bytes:
        return PrivacyReport(error=f"too large ({len(data)} bytes > {max_bytes})")
    kind = attachment_type(name or url, data)
    if kind is None:
        return PrivacyReport(error="not a text, spreadsheet or Word attachment")
    try:
        if kind in ("txt", "csv"):
            text = decode_text(data)
        elif kind == "xlsx":
            text = _xlsx_text(data, max_bytes * 10)
        elif kind == "xls":
            text = _xls_text(data)
        else:
            text = _docx_text(data, max_bytes * 10)
    except _Inflates:
        return PrivacyReport(error=f"{kind} inflates past {max_bytes * 10} bytes: not read")
    except Exception as exc:  # broken files of every kind: openpyxl, xlrd and zipfile raise freely
        # (the class only: a library's message might quote the file's content)
        return PrivacyReport(error=f"unreadable {kind}: {type(exc).__name__}")
    where = f"attachment:{kind}"
    report = scan_text(text, now, where=lambda _: where, url=url, limit=limit)
    return report


def decode_text(data: bytes) -> str:
    """Text of a txt/csv file: UTF-8 (with or without a BOM), else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", errors="replace")


class _Inflates(ValueError):
    """An archive whose members would inflate past the cap (a zip bomb, or just too large)."""


def _inflated_size(data: bytes) -> int:
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())


def _xlsx_text(data: bytes, max_inflated: int) -> str:
    import openpyxl  # only when an xlsx attachment is read

    if _inflated_size(data) > max_inflated:
        raise _Inflates()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines, cells = [], 0
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                values = [_cell_text(v) for v in row]
                cells += len(values)
                lines.append("\t".join(values))
                if cells > _MAX_CELLS:
                    return "\n".join(lines)
    finally:
        book.close()
    return "\n".join(lines)


def _xls_text(data: bytes) -> str:
    import xlrd  # only when an old-format xls attachment is read

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    lines, cells = [], 0
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            for r in range(sheet.nrows):
                values = [_cell_text(v) for v in sheet.row_values(r)]
                cells += len(values)
                lines.append("\t".join(values))
                if cells > _MAX_CELLS:
                    return "\n".join(lines)
    finally:
        book.release_resources()
    return "\n".join(lines)


def _cell_text(value) -> str:
    """A spreadsheet cell as text; whole floats (11-digit phones stored as numbers) without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_text(data: bytes, max_inflated: int) -> str:
    """The text of ``word/document.xml`` (paragraphs as lines, table cells as tabs): reading the
    XML with zipfile and lxml needs no python-docx, and tables come out in document order."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("word/document.xml")
    if info.file_size > max_inflated:
        raise _Inflates()
    root = etree.fromstring(archive.read(info), parser=etree.XMLParser(resolve_entities=False,
                                                                       huge_tree=False))
    parts = []
    for element in root.iter(_W + "t", _W + "p", _W + "tc", _W + "tab", _W + "br"):
        if element.tag == _W + "t":
            parts.append(element.text or "")
        elif element.tag == _W + "tc":
            parts.append("\t")
        else:
            parts.append("\n" if element.tag != _W + "tab" else "\t")
    return "".join(parts)


def with_url(report: PrivacyReport, url: str) -> PrivacyReport:
    """The report with every finding attributed to ``url``."""
    return replace(report, findings=tuple(replace(f, url=url) for f in report.findings))

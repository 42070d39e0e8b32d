"""Planted cases for the findings beyond freshness (issue 12), positive and negative.

A portal's ``plants`` in ``data/sandbox/fleet.json`` add to its pages, deterministically (every
choice a hash of the portal, the item and the row; xlsx/csv bytes stable for a given clock):

- ``articles``: 公示 articles placed in a column at the audit (``"at": "audit"``, 08:40 of the audit
  day) or at the post-audit event (``"at": "event"``, see ``Clock.event``), with a ``content``:
  ``leak`` (a table of residents with full ID numbers and mobiles), ``masked`` (IDs shown masked on
  the page, the attachment leaking them with bank card numbers), ``clean`` (office phones, a hotline,
  one mobile labelled as the office contact, examination numbers and 18-digit ID-like numbers whose
  check digit is wrong) or ``counter`` (a notice about cracking down on gambling, the terms beside
  打击/严禁/违法); and ``attachments`` (xlsx, GBK csv or UTF-8 csv of the same rows), linked from the
  article page under ``/uploadfile/``;
- ``board``: a message board linked from the homepage's 互动交流 block: 40 consultation messages
  before the audit (one every 4.5 days, each answered within days) and one every 5 days after it;
  ``open_days`` makes the message asked that many days before the audit unanswered; 20 a page, as
  a table (标题 | 留言时间 | 办理状态 | 回复时间) or a ul/li list, paged TRS-style (``index_1.html``) or
  with 下一页 links;
- ``guides``: service guides (办事指南) linked from the homepage's 办事服务 block, written from one
  template with the portal's own offices, road and phone; ``decay.copy_guides`` (at the event)
  replaces them with another portal's guide under the portal's own title;
- ``special_links``: a 专题 strip right under the navigation (the first links a liveness check
  reaches); ``decay.remove_special`` (at the event) deletes the pages while the strip stays;
- ``hidden_menus``: legitimately hidden menus (a drop-down of the portal's columns hidden by a
  style rule, neighbouring .gov.cn portals and central media in display:none boxes);
- ``decay.inject`` (at the event): a CSS-hidden block of outbound gambling links right after
  ``<body>``: the site was hacked after the audit;
- ``decay.redate`` (at the event): every entry of those columns is shown with the crawl day's date
  (pages.shown_ts) while titles and URLs stay the audit's (with ``decay.freeze`` on the same columns).

Personal numbers are made valid the way the detector checks them: resident IDs with a real division
code (the portal's own county), a birth date and the GB 11643 check digit; mobiles 1[3-9]…; bank cards
with a UnionPay BIN and the Luhn digit. ID-like numbers of the clean portal differ only in the check
digit.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from functools import lru_cache
from html import escape

from monitor.sandbox import common
from monitor.sandbox.rand import h, pick
from monitor.sandbox.timeline import Item
from monitor.sandbox.words import GIVEN, SURNAMES

#: planted article ids: doc_base + PLANT_DOC + index (never a day of the ordinary timeline: that
#: would be decades ahead)
PLANT_DOC = 950_000
UPLOAD = "/uploadfile/"
_UPLOAD_RE = re.compile(r"^/uploadfile/(\d{6})/(\d+)_(\d+)\.(xlsx|csv)$")
BOARD_PAGE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- time ----------------------------------------------------------------------------------------

def audit_moment(clock) -> datetime:
    """08:40 of the audit day (a minute before the audit's clock when that is earlier)."""
    moment = clock.audit_now.replace(hour=8, minute=40, second=0)
    return moment if moment <= clock.audit_now else clock.audit_now - timedelta(minutes=1)


def _spec(portal, key, default=None):
    return (portal.plants or {}).get(key, default)


# --- personal numbers ----------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "176",
                    "177", "180", "182", "183", "186", "187", "188", "189", "198")


def id_check_digit(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character of a resident ID number's first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return "10X98765432"[total % 11]


def resident_id(division: str, *key) -> str:
    """A valid 18-character resident ID number born 1950-1999 in ``division``."""
    born = date(1950, 1, 1) + timedelta(days=h("born", *key) % 18_262)
    first = f"{division}{born:%Y%m%d}{h('seq', *key) % 1000:03d}"
    return first + id_check_digit(first)


def wrong_check_id(division: str, *key) -> str:
    """An ID-like number: valid division and birth date, the wrong check character."""
    number = resident_id(division, *key)
    digits = "0123456789X"
    return number[:17] + digits[(digits.index(number[17]) + 1 + h("bad", *key) % 9) % 11]


def mobile(*key) -> str:
    return pick(_MOBILE_PREFIXES, "mp", *key) + f"{h('mn', *key) % 10**8:08d}"


def luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def bank_card(*key) -> str:
    """A 19-digit UnionPay debit card number (BIN 621700, a rural credit BIN 622991) with its Luhn digit."""
    body = pick(("621700", "622991", "623059"), "bin", *key) + f"{h('card', *key) % 10**12:012d}"
    return body + luhn_digit(body)


def office_phone(portal, *key) -> str:
    area = "0371" if portal.region == "henan" else "0311"
    return f"{area}-{6 + h('tel', portal.id, *key) % 3}{h('tel2', portal.id, *key) % 10**7:07d}"


def division(portal) -> str:
    code = (portal.site_code or "")[:6]
    return code if code.isdigit() and not code.endswith("00") else "410122"


def name(*key) -> str:
    x = h("name", *key)
    return SURNAMES[x % len(SURNAMES)] + GIVEN[(x >> 8) % len(GIVEN)]


_TOWNS = ("城关镇", "新华路街道", "东风街道", "白沙镇", "官渡镇", "刘集镇", "大孟镇", "黄店镇", "张庄镇", "三官庙乡")
_VILLAGES = ("东村", "西村", "南街村", "北庄村", "前营村", "后岗村", "王庄村", "李湾村", "河西村", "孙寨村")


def address(portal, *key) -> str:
    return portal.place + pick(_TOWNS, "town", *key) + pick(_VILLAGES, "vil", *key)


# --- planted articles ----------------------------------------------------------------------------

def _articles(portal) -> list[dict]:
    return _spec(portal, "articles", []) or []


def _article_ts(spec: dict, clock) -> datetime | None:
    if spec.get("at") == "event":
        return clock.event if clock.after_event else None
    return audit_moment(clock)


def _title(spec: dict, portal, ts: datetime) -> str:
    return spec["title"].format(year=ts.year, place=portal.place)


def column_plants(portal, column, clock, cut: datetime) -> list[Item]:
    """The planted articles of ``column`` published by ``cut``, newest first."""
    out = []
    for i, spec in enumerate(_articles(portal)):
        if spec.get("column") != column.key:
            continue
        ts = _article_ts(spec, clock)
        if ts is not None and ts <= cut:
            out.append(Item(ts, _title(spec, portal, ts), portal.doc_base + PLANT_DOC + i))
    out.sort(key=lambda it: it.ts, reverse=True)
    return out


def planted_article(portal, column, docid: int, clock, cut: datetime) -> Item | None:
    for item in column_plants(portal, column, clock, cut):
        if item.docid == docid:
            return item
    return None


def is_plant(portal, docid: int) -> bool:
    return 0 <= docid - portal.doc_base - PLANT_DOC < len(_articles(portal))


def _article_spec(portal, docid: int) -> dict | None:
    i = docid - portal.doc_base - PLANT_DOC
    articles = _articles(portal)
    return articles[i] if 0 <= i < len(articles) else None


def attachment_url(item, n: int, kind: str) -> str:
    return f"{UPLOAD}{item.ts:%Y%m}/{item.docid}_{n}.{kind}"


def article_body(portal, item) -> str | None:
    """The content of a planted article (paragraphs, table, attachment links), or None."""
    spec = _article_spec(portal, item.docid)
    if spec is None:
        return None
    content = spec.get("content", "clean")
    office = _office(portal, spec)
    parts = []
    if content == "leak":
        parts.append(_p(f"根据《社会救助暂行办法》和有关规定，经个人申请、乡镇（街道）审核、{office}审批，"
                        f"拟将以下{spec.get('rows', 12)}户纳入城乡居民最低生活保障范围，现予以公示。"))
        rows = [[str(r + 1), name(portal.id, item.docid, r), resident_id(division(portal), portal.id, item.docid, r),
                 address(portal, item.docid, r), mobile(portal.id, item.docid, r), str(1 + h("pp", item.docid, r) % 5)]
                for r in range(int(spec.get("rows", 12)))]
        parts.append(_table(("序号", "姓名", "身份证号码", "家庭住址", "联系电话", "保障人数"), rows))
        parts.append(_p(f"公示期为7天。公示期间如有异议，请向{office}反映，联系电话：{office_phone(portal, 'mz')}。"))
    elif content == "masked":
        parts.append(_p(f"按照{office}关于做好{item.ts.year}年耕地地力保护补贴工作的通知要求，现将补贴发放对象及"
                        "金额予以公示（身份证号码已作脱敏处理），公示期5个工作日，明细详见附件。"))
        rows = []
        for r in range(8):
            full = resident_id(division(portal), portal.id, item.docid, r)
            rows.append([str(r + 1), name(portal.id, item.docid, r), full[:6] + "********" + full[-4:],
                         f"{2 + h('mu', item.docid, r) % 15}.{h('mu2', item.docid, r) % 10}",
                         f"{(2 + h('mu', item.docid, r) % 15) * 103}.50"])
        parts.append(_table(("序号", "姓名", "身份证号码", "补贴面积（亩）", "补贴金额（元）"), rows))
        parts.append(_p(f"监督电话：{office_phone(portal, 'nync')}。"))
    elif content == "counter":
        parts.append(_p("为严厉打击网络赌博违法犯罪活动，维护社会治安秩序，现就有关事项通告如下："))
        parts.append(_p("一、严禁任何单位和个人开设网上赌场、组织参与六合彩、时时彩、百家乐等赌博活动，"
                        "违法者将依法从严查处。"))
        parts.append(_p("二、严禁为赌博网站提供推广、支付结算、技术支持等服务，涉嫌犯罪的依法追究刑事责任。"))
        parts.append(_p(f"三、欢迎广大群众积极举报涉赌违法犯罪线索，举报电话：{office_phone(portal, 'ga')}、110。"))
    else:  # clean
        parts.append(_p(f"根据{item.ts.year}年{portal.place}公开招聘工作人员公告，经笔试、面试、体检和考察，"
                        f"现将拟聘用人员名单予以公示（身份证号码已脱敏）。"))
        rows = []
        for r in range(10):
            full = resident_id(division(portal), portal.id, item.docid, r)
            rows.append([str(r + 1), name(portal.id, item.docid, r),
                         f"{item.ts.year}{h('zkz', item.docid, r) % 10**8:08d}",
                         full[:6] + "********" + full[-4:],
                         wrong_check_id(division(portal), portal.id, item.docid, r, "dj"),
                         f"{70 + h('score', item.docid, r) % 25}.{h('s2', item.docid, r) % 10}"])
        parts.append(_table(("序号", "姓名", "准考证号", "身份证号码", "登记编码", "综合成绩"), rows))
        parts.append(_p(f"公示期间，如有异议，请以书面形式向{office}反映。联系电话：{office_phone(portal, 'rs')}，"
                        f"监督电话：{office_phone(portal, 'jd')}，政务服务便民热线：12345。"))
        parts.append(_p(f"联系人：{name(portal.id, 'lxr')}，手机：{mobile(portal.id, 'lxr')}。"))
    links = []
    for n, att in enumerate(spec.get("attachments", ())):
        url = attachment_url(item, n, att["type"])
        links.append(f'<p class="fj">附件{n + 1}：<a href="{url}" target="_blank">{escape(att["name"])}.{att["type"]}</a></p>')
    if links:
        parts.append('<div class="attachments">' + "".join(links) + "</div>")
    parts.append(_p(f'<span class="luokuan">{escape(office)}</span>', raw=True))
    parts.append(_p(f"{item.ts.year}年{item.ts.month}月{item.ts.day}日", right=True))
    return "\n".join(parts)


def _office(portal, spec: dict) -> str:
    return spec.get("office", "{place}人民政府办公室").format(place=portal.place)


def _p(text: str, raw: bool = False, right: bool = False) -> str:
    style = "text-align:right" if right else "text-indent:2em"
    return f'<p style="{style}">{text if raw else escape(text)}</p>'


def _table(header, rows) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="gs" border="1" cellspacing="0" cellpadding="4"><tr>{head}</tr>{body}</table>'


# --- attachments ---------------------------------------------------------------------------------

def attachment(portal, path: str, clock, column_cut) -> tuple[str, bytes] | None:
    """``(content_type, bytes)`` of a planted article's attachment, when the article is published."""
    m = _UPLOAD_RE.match(path)
    if m is None:
        return None
    docid, n, kind = int(m.group(2)), int(m.group(3)), m.group(4)
    spec = _article_spec(portal, docid)
    if spec is None or n >= len(spec.get("attachments", ())) or spec["attachments"][n]["type"] != kind:
        return None
    column = portal.column(spec["column"])
    item = planted_article(portal, column, docid, clock, column_cut(column)) if column else None
    if item is None or m.group(1) != f"{item.ts:%Y%m}":
        return None
    return _attachment_bytes(portal.id, portal.place, portal.region, portal.site_code, item, n, kind,
                             spec.get("content", "clean"), int(spec.get("attachment_rows", 30)))


@lru_cache(maxsize=64)
def _attachment_bytes(pid, place, region, site_code, item, n, kind, content, count) -> tuple[str, bytes]:
    portal = _Stub(pid, place, region, site_code)
    if content == "leak":
        header = ("序号", "姓名", "身份证号码", "联系电话", "家庭住址", "保障类别")
        rows = [[r + 1, name(pid, item.docid, "x", r), resident_id(division(portal), pid, item.docid, "x", r),
                 int(mobile(pid, item.docid, "x", r)), address(portal, item.docid, "x", r),
                 pick(("A类", "B类", "C类"), "cls", item.docid, r)] for r in range(count)]
    elif content == "masked":
        header = ("序号", "姓名", "身份证号码", "社保卡（一卡通）账号", "补贴面积（亩）", "补贴金额（元）")
        rows = [[r + 1, name(pid, item.docid, r), resident_id(division(portal), pid, item.docid, r),
                 bank_card(pid, item.docid, r), f"{2 + h('mu', item.docid, r) % 15}.{h('mu2', item.docid, r) % 10}",
                 f"{(2 + h('mu', item.docid, r) % 15) * 103}.50"] for r in range(count)]
    else:
        header = ("序号", "姓名", "准考证号", "登记编码", "综合成绩", "咨询电话")
        rows = [[r + 1, name(pid, item.docid, r), f"{item.ts.year}{h('zkz', item.docid, r) % 10**8:08d}",
                 wrong_check_id(division(portal), pid, item.docid, r, "dj"),
                 f"{70 + h('score', item.docid, r) % 25}.{h('s2', item.docid, r) % 10}",
                 office_phone(portal, "rs")] for r in range(count)]
    if kind == "xlsx":
        return XLSX, xlsx_bytes(header, rows, item.ts)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    if content == "masked":  # a county office's export from Excel: GBK
        return "text/csv", text.getvalue().encode("gbk")
    return "text/csv; charset=utf-8", b"\xef\xbb\xbf" + text.getvalue().encode("utf-8")


class _Stub:
    """The few portal fields the attachment rows need (a hashable cache key instead of the portal)."""

    def __init__(self, pid, place, region, site_code):
        self.id, self.place, self.region, self.site_code = pid, place, region, site_code


def xlsx_bytes(header, rows, when: datetime) -> bytes:
    """An xlsx workbook of one sheet; ID numbers as text, mobiles as numbers (as offices type them).
    Byte-stable: the document properties and every zip entry carry ``when``."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    stamp = when.replace(tzinfo=None, microsecond=0)
    book.properties.creator = "Administrator"
    book.properties.created = stamp
    book.properties.modified = stamp
    raw = io.BytesIO()
    book.save(raw)
    return _stable_zip(raw.getvalue(), stamp)


def _stable_zip(data: bytes, when: datetime) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                body = re.sub(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
                              b"<dcterms:modified\\1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                              + b"</dcterms:modified>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, body)
    return out.getvalue()


# --- the message board ---------------------------------------------------------------------------

_ASK = ("咨询{place}城乡居民医保缴费时间", "关于{village}路灯长期不亮的问题", "反映{town}农贸市场占道经营",
        "咨询孩子入学需要提交哪些材料", "关于小区供暖温度不达标的投诉", "建议增开城区至{town}的公交线路",
        "咨询住房公积金提取办理流程", "反映农民工工资被拖欠的问题", "关于夜间施工噪音扰民的投诉",
        "咨询个体工商户营业执照办理", "反映{village}道路破损影响出行", "咨询新生儿落户需要的手续",
        "关于老旧小区改造进度的咨询", "反映{town}垃圾清运不及时", "咨询高龄津贴申领条件",
        "建议在{village}增设便民服务点", "咨询不动产登记办理时限", "关于物业收费不规范的投诉",
        "咨询退役军人优待证办理", "反映{village}自来水水压不足")


@lru_cache(maxsize=256)
def _board_history(pid: str, place: str, audit_now: datetime, now: datetime, count: int,
                   open_days, open_status: str) -> tuple:
    """(asked, title, status, replied) of every message, newest first."""
    msgs = []
    open_k = None
    if open_days is not None:
        open_k = min(range(count), key=lambda k: abs(5 + 4.5 * k - open_days))
    for k in range(count):
        title = _ask_title(pid, place, "before", k)
        if k == open_k:
            asked = (audit_now - timedelta(days=open_days)).replace(hour=15, minute=20, second=0)
            msgs.append((asked, title, open_status, None))
            continue
        asked = (audit_now - timedelta(days=5 + 4.5 * k)).replace(second=0) - timedelta(hours=h(pid, "bh", k) % 7)
        replied = asked + timedelta(days=1 + h(pid, "br", k) % 4, hours=2)
        msgs.append((asked, title, "已回复", replied))
    j = 0
    while True:
        asked = (audit_now + timedelta(days=3 + 5 * j)).replace(hour=10, minute=30, second=0)
        if asked > now:
            break
        replied = asked + timedelta(days=1 + h(pid, "ar", j) % 4, hours=5)
        if replied <= now:
            msgs.append((asked, _ask_title(pid, place, "after", j), "已回复", replied))
        else:
            msgs.append((asked, _ask_title(pid, place, "after", j), "处理中", None))
        j += 1
    msgs.sort(key=lambda m: m[0], reverse=True)
    return tuple(msgs)


def _ask_title(pid: str, place: str, era: str, k: int) -> str:
    x = h(pid, "ask", era, k)
    return _ASK[x % len(_ASK)].format(place=place, town=_TOWNS[(x >> 8) % len(_TOWNS)],
                                      village=_VILLAGES[(x >> 16) % len(_VILLAGES)])


def board_messages(portal, clock) -> tuple:
    spec = _spec(portal, "board")
    if not spec:
        return ()
    return _board_history(portal.id, portal.place, clock.audit_now, clock.now, int(spec.get("messages", 40)),
                          spec.get("open_days"), spec.get("open_status", "未回复"))


def board_link(portal) -> tuple[str, str] | None:
    spec = _spec(portal, "board")
    return (spec["path"] + "index.html", spec.get("text", "领导信箱")) if spec else None


def board_page_number(spec: dict, path: str) -> int | None:
    base = spec["path"]
    if not path.startswith(base):
        return None
    rest = path[len(base):]
    if rest in ("", "index.html"):
        return 0
    m = re.fullmatch(r"index_(\d+)\.html", rest) if spec.get("paging", "trs") == "trs" else \
        re.fullmatch(r"list_(\d+)\.html", rest)
    if m is None:
        return None
    n = int(m.group(1))
    return n if spec.get("paging", "trs") == "trs" else (n - 1 if n >= 2 else None)


def _message_number(portal, message) -> int:
    return 7_000_000 + h(portal.id, "msg", message[0].isoformat()) % 1_000_000


def message_page(portal, spec: dict, path: str, clock) -> str | None:
    """One message and its reply (``content_N.html`` under the board)."""
    m = re.fullmatch(re.escape(spec["path"]) + r"content_(\d+)\.html", path)
    if m is None:
        return None
    message = next((x for x in board_messages(portal, clock) if _message_number(portal, x) == int(m.group(1))), None)
    if message is None:
        return None
    asked, title, status, replied = message
    reply = (f'<div class="reply"><h3>答复内容</h3><p>您好！您反映的问题已转交相关单位办理，现答复如下：经核实，'
             f'相关单位已按规定处理。感谢您对我们工作的关心和支持。</p><p>答复单位：{escape(portal.place)}人民政府办公室'
             f'　答复时间：{replied:%Y-%m-%d}</p></div>') if replied else '<div class="reply"><p>正在办理中。</p></div>'
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}_{escape(portal.name)}</title>'
            f'</head><body><div class="xj-detail"><h1>{escape(title)}</h1><p>留言时间：{asked:%Y-%m-%d %H:%M}'
            f'　办理状态：{status}</p><div class="ask"><p>{escape(title)}，请相关部门予以关注，谢谢！</p></div>'
            f'{reply}</div></body></html>\n')


def board_page(portal, path: str, clock) -> str | None:
    spec = _spec(portal, "board")
    if not spec:
        return None
    page = board_page_number(spec, path)
    if page is None:
        return message_page(portal, spec, path, clock)
    msgs = board_messages(portal, clock)
    pages = max(1, -(-len(msgs) // BOARD_PAGE))
    if page >= pages:
        return None
    chunk = msgs[page * BOARD_PAGE:(page + 1) * BOARD_PAGE]
    text = spec.get("text", "领导信箱")
    base = spec["path"]
    charset = "gb2312" if portal.encoding == "gbk" else "utf-8"
    out = [common.head(portal, f"{text}_{portal.name}", column=text, column_type="互动交流", charset=charset,
                       css_weight=9000), "<body>\n", common.header(portal),
           common.nav(portal, [c for c in portal.columns if c.kind != "gwy"][:10]),
           f'<div class="main w"><div class="position">当前位置：<a href="/">首页</a> &gt; 互动交流 &gt; '
           f'{escape(text)}</div>\n<div class="list-box"><h2 class="lm">{escape(text)}</h2>\n'
           f'<p class="tip">来信须知：请如实反映问题，我们将在15个工作日内予以答复。</p>\n']
    number = lambda m: _message_number(portal, m)  # noqa: E731
    if spec.get("layout", "table") == "table":
        rows = "".join(
            f'<tr><td class="t"><a href="{base}content_{number(m)}.html" target="_blank" title="{escape(m[1])}">'
            f'{escape(m[1])}</a></td><td>{m[0]:%Y-%m-%d}</td><td>{m[2]}</td>'
            f'<td>{f"{m[3]:%Y-%m-%d}" if m[3] else ""}</td></tr>' for m in chunk)
        out.append('<table class="xjlist" width="100%"><tr><th>标题</th><th>留言时间</th><th>办理状态</th>'
                   f'<th>回复时间</th></tr>{rows}</table>\n')
    else:
        rows = "".join(
            f'<li><a href="{base}content_{number(m)}.html" target="_blank" title="{escape(m[1])}">{escape(m[1])}</a>'
            f'<span class="time">留言时间：{m[0]:%Y-%m-%d}</span><span class="zt">{m[2]}</span>'
            + (f'<span class="time">回复时间：{m[3]:%Y-%m-%d}</span>' if m[3] else "") + "</li>" for m in chunk)
        out.append(f'<ul class="lylist">{rows}</ul>\n')
    if spec.get("paging", "trs") == "trs":
        out.append(f'<div class="page"><script type="text/javascript">\ncreatePageHTML({pages}, {page}, '
                   '"index", "html");\n</script></div>\n')
    else:
        nxt = f'<a href="list_{page + 2}.html">下一页</a>' if page + 1 < pages else ""
        prev = (f'<a href="{"index.html" if page == 1 else f"list_{page}.html"}">上一页</a>' if page else "")
        out.append(f'<div class="page">共{len(msgs)}条 第{page + 1}/{pages}页 {prev} {nxt}</div>\n')
    out.append("</div></div>\n")
    out.append(common.footer(portal))
    out.append(common.page_end())
    return "".join(out)


# --- service guides ------------------------------------------------------------------------------

GUIDES = {
    "gtgsh": ("个体工商户设立登记", "{P}市场监督管理局", "市场监管窗口", "行政许可",
              "《促进个体工商户发展条例》《中华人民共和国市场主体登记管理条例》及其实施细则",
              ("个体工商户登记（备案）申请书", "经营者身份证明", "经营场所使用相关文件",
               "委托代理人办理的，提交委托书及代理人身份证明"),
              "有经营能力的自然人，依照规定经市场监督管理部门登记，从事工商业经营的，可以申请登记为个体工商户。"),
}
_ROADS = ("人民路", "文化路", "建设路", "府前街", "新华路", "中华大街", "迎宾大道", "滨河路", "解放路", "青年路")


def guide_links(portal) -> list[tuple[str, str]]:
    return [(f"/bszn/{g['service']}.shtml", GUIDES[g["service"]][0] + "办事指南")
            for g in _spec(portal, "guides", []) or ()]


def guide_page(portal, path: str, clock) -> str | None:
    spec = next((g for g in _spec(portal, "guides", []) or () if path == f"/bszn/{g['service']}.shtml"), None)
    if spec is None:
        return None
    service, office, window, kind, basis, papers, conditions = GUIDES[spec["service"]]
    source = clock.event_rule(portal, "copy_guides")
    if source:   # the whole guide taken from another portal; only the heading was changed
        place, road, phone = source["place"], pick(_ROADS, "road", source["portal"]), _phone_of(source)
    else:
        place, road, phone = portal.place, pick(_ROADS, "road", portal.id), office_phone(portal, "guide")
    office = office.format(P=place)
    lines = [
        f"一、事项名称：{service}", f"二、事项类型：{kind}", f"三、设定依据：{basis}",
        f"四、受理机构：{office}",
        f"五、办理地点：{place}政务服务中心一楼{window}（{place}{road}{8 + h('no', road) % 180}号）",
        "六、办理时间：周一至周五上午8:30—12:00，下午14:30—17:30（法定节假日除外）",
        f"七、申请条件：{conditions}",
        "八、申请材料：" + "；".join(f"{i + 1}.{p}" for i, p in enumerate(papers)) + "。",
        f"九、办理流程：申请人通过{place}政务服务网或到窗口提交申请—窗口受理—审核—作出决定—送达。",
        "十、办理时限：材料齐全、符合法定形式的，当场办结。",
        "十一、收费标准：不收费。",
        f"十二、咨询电话：{phone}",
        f"十三、监督投诉：{office}，或拨打{place}12345政务服务便民热线。",
    ]
    title = f"{portal.place}{service}办事指南"
    charset = "gb2312" if portal.encoding == "gbk" else "utf-8"
    body = "".join(f"<p>{escape(line)}</p>\n" for line in lines)
    return "".join([
        common.head(portal, f"{title}_{portal.name}", column="办事指南", column_type="办事服务", charset=charset,
                    css_weight=6000), "<body>\n", common.header(portal),
        common.nav(portal, [c for c in portal.columns if c.kind != "gwy"][:10]),
        '<div class="main w"><div class="position">当前位置：<a href="/">首页</a> &gt; 办事服务 &gt; 办事指南</div>\n',
        f'<div class="guide-detail"><h1>{escape(title)}</h1>\n<div class="bszn-content">\n{body}</div></div></div>\n',
        common.footer(portal), common.page_end()])


def _phone_of(source: dict) -> str:
    stub = _Stub(source["portal"], source["place"], source.get("region", "henan"), "")
    return office_phone(stub, "guide")


# --- homepage pieces -----------------------------------------------------------------------------

#: outbound links a hacked homepage carries (hosts under .example: never real sites)
GAMBLING = (("新葡京娱乐", "http://www.xpj8888.example/"), ("皇冠体育", "http://www.hg0088.example/"),
            ("金沙娱乐城", "http://www.js9999.example/"), ("澳门银河", "http://www.amyh.example/"),
            ("威尼斯人娱乐", "http://www.wnsr.example/"), ("北京赛车pk10", "http://www.bjsc-pk10.example/"),
            ("真人荷官百家乐", "http://www.zrhg.example/"), ("太阳城集团", "http://www.tyc.example/"))
MEDIA = (("人民网", "http://www.people.com.cn/"), ("新华网", "http://www.xinhuanet.com/"),
         ("央视网", "http://www.cctv.com/"), ("光明网", "http://www.gmw.cn/"), ("中国经济网", "http://www.ce.cn/"))


def injected(portal, clock) -> str:
    """The hidden link farm a hacked homepage carries right after ``<body>``, or ''."""
    if clock.event_rule(portal, "inject") != "gambling":
        return ""
    links = "".join(f'<a href="{url}" target="_blank">{escape(text)}</a>' for text, url in GAMBLING)
    return f'<div style="position:absolute;top:-9999px;left:-9999px;overflow:hidden">{links}</div>\n'


def after_nav(portal, clock) -> str:
    """Legitimately hidden menus and the 专题 strip, right under the navigation."""
    out = []
    menus = _spec(portal, "hidden_menus")
    if menus:
        own = "".join(f'<li><a href="{c.path}">{escape(c.name)}</a></li>' for c in portal.columns if c.kind != "gwy")
        govs = "".join(f'<li><a href="{url}" target="_blank">{escape(text)}</a></li>' for text, url in menus.get("gov", ()))
        media = "".join(f'<li><a href="{url}" target="_blank">{escape(text)}</a></li>' for text, url in MEDIA)
        out.append('<style type="text/css">.sub-menu{display:none;position:absolute;z-index:99}'
                   '.nav li:hover .sub-menu{display:block}</style>\n'
                   f'<div class="sub-menu" id="subnav_zwgk"><ul>{own}</ul></div>\n'
                   f'<div class="xqzf" style="display:none"><h4>县（市、区）政府网站</h4><ul>{govs}</ul></div>\n'
                   f'<div class="yqlj-media" style="display:none"><h4>中央媒体</h4><ul>{media}</ul></div>\n')
    specials = _spec(portal, "special_links")
    if specials:
        links = "".join(f'<li><a href="{path}" target="_blank">{escape(text)}</a></li>' for text, path in specials)
        out.append(f'<div class="ztbanner w"><h3>专题专栏</h3><ul>{links}</ul></div>\n')
    return "".join(out)


def blocks(portal) -> str:
    """The 互动交流 (board) and 办事服务 (guides) blocks of the homepage."""
    out = []
    link = board_link(portal)
    if link:
        out.append('<div class="block hdjl"><div class="hd"><h3>互动交流</h3></div><ul class="hdlist">'
                   f'<li><a href="{link[0]}" target="_blank">{escape(link[1])}</a></li>'
                   '<li><a href="javascript:;">在线访谈</a></li><li><a href="javascript:;">意见征集</a></li></ul></div>\n')
    guides = guide_links(portal)
    if guides:
        items = "".join(f'<li><a href="{url}" target="_blank">{escape(text)}</a></li>' for url, text in guides)
        out.append(f'<div class="block bsfw"><div class="hd"><h3>办事服务</h3></div><ul class="bslist">{items}</ul></div>\n')
    return "".join(out)


def special_page(portal, path: str, clock) -> str | None:
    for text, special in _spec(portal, "special_links", []) or ():
        if path == special:
            if clock.event_rule(portal, "remove_special"):
                return None   # removed in a revamp; the homepage still links it
            return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(text)}_{escape(portal.name)}'
                    f'</title></head><body><h1>{escape(text)}</h1><p>{escape(portal.place)}深入开展{escape(text)}'
                    '相关工作，本专题集中展示工作动态、政策文件和经验做法。</p></body></html>\n')
    return None


def serve(portal, path: str, clock, column_cut) -> tuple[str, str | bytes] | None:
    """A planted page or file: ``(content_type, text or bytes)``, or None when ``path`` is none."""
    if not portal.plants:
        return None
    if path.startswith(UPLOAD):
        return attachment(portal, path, clock, column_cut)
    board = _spec(portal, "board")
    if board and path.startswith(board["path"]):
        text = board_page(portal, path, clock)
        return ("text/html", text) if text is not None else None
    if path.startswith("/bszn/"):
        text = guide_page(portal, path, clock)
        return ("text/html", text) if text is not None else None
    text = special_page(portal, path, clock)
    return ("text/html", text) if text is not None else None

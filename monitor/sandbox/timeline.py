"""What each column holds at a given moment: items on an absolute timeline, cut at ``now``.

A column publishes on calendar days chosen by hash (news every weekday, notices at least once a
week, plans every two months...), so moving the clock forward adds items on top and never changes
old ones: the audit and decay phases are two views of one history. A frozen column (a portal that
stopped updating) is simply cut at an earlier moment. State Council releases follow the same idea
(two releases every three days), and a portal's 国务院信息 column reposts some of them after a lag.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from monitor.sandbox import words
from monitor.sandbox.rand import at, day_number, frac, h, mix

#: a guaranteed item every PERIOD days (plus a few random ones); news: every weekday
PERIOD = {"notice": 7, "policy": 20, "personnel": 30, "planning": 60, "finance": 45, "xxgk": 5}
LOOKBACK_DAYS = 730
MAX_ITEMS = 100
#: a portal that stops reposting already reposts late in the two weeks before the audit
STOP_LATE_DAYS = 14


class Item(NamedTuple):
    ts: datetime
    title: str
    docid: int
    release: "Release | None" = None   # for reposts
    external: bool = False              # the entry links to the release on www.gov.cn


class Release(NamedTuple):
    k: int
    ts: datetime
    title: str
    category: str   # zhengce | yaowen
    docid: int
    url: str
    doc_no: str


# --- ordinary columns -----------------------------------------------------------------------

@lru_cache(maxsize=65536)
def seed(pid: str, key: str) -> int:
    return h(pid, key)


def day_count(pid: str, key: str, kind: str, day: int) -> int:
    """Items the column publishes on day number ``day``."""
    if kind == "news":
        x = mix(seed(pid, key), day)
        if (day + 5) % 7 < 5:   # 2000-01-01 was a Saturday
            return 1 + (x % 3 == 0) + (x % 11 == 0)
        return 1 if x % 4 == 0 else 0
    p, q, s1, s2 = _periodic(pid, key, kind)
    return 1 if (day + s1) % p == 0 or (day + s2) % q == 0 else 0


@lru_cache(maxsize=65536)
def _periodic(pid: str, key: str, kind: str) -> tuple:
    """A periodic column publishes every ``p`` days, plus every ``q`` days (an irregular-looking mix)."""
    p = PERIOD.get(kind, 10)
    return p, 3 * p + 1, seed(pid, key) % p, (seed(pid, key) >> 16) % (3 * p + 1)


def item_minutes(pid: str, key: str, day: int, i: int) -> int:
    return 510 + mix(seed(pid, key), day * 8 + i) % 170 + i * 180   # 08:30 onwards, in order


def _days(pid: str, key: str, kind: str, start: int):
    """Publishing days at or before ``start``, newest first."""
    if kind == "news":
        yield from range(start, start - LOOKBACK_DAYS, -1)
        return
    p, q, s1, s2 = _periodic(pid, key, kind)
    a = start - (start + s1) % p
    b = start - (start + s2) % q
    end = start - LOOKBACK_DAYS
    while max(a, b) > end:
        if a >= b:
            yield a
            if a == b:
                b -= q
            a -= p
        else:
            yield b
            b -= q


@lru_cache(maxsize=8192)
def column_slots(pid: str, key: str, kind: str, cut: datetime, limit: int = 100) -> tuple:
    """``(day, i, ts)`` of the newest ``limit`` items at or before ``cut``."""
    out = []
    for day in _days(pid, key, kind, day_number(cut.date())):
        n = day_count(pid, key, kind, day)
        for i in range(n - 1, -1, -1):
            ts = at(day, item_minutes(pid, key, day, i))
            if ts <= cut:
                out.append((day, i, ts))
                if len(out) >= limit:
                    return tuple(out)
    return tuple(out)


def context(portal, year: int) -> dict:
    key = (portal.id, portal.place, portal.level, portal.name, year)
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        ctx = _CONTEXTS[key] = _context(portal, year)
    return ctx


_CONTEXTS: dict = {}


def _context(portal, year: int) -> dict:
    lv = {"province": "省", "city": "市", "county": "县", "township": "镇", "department": "部"}.get(
        portal.level, "市")
    if portal.place.endswith("区"):
        lv = "区"
    gov = portal.name if portal.level == "department" else portal.place + "人民政府"
    office = (portal.name + "办公厅" if portal.level == "department"
              else gov + ("办公厅" if portal.level in ("province",) or portal.place in ("郑州市", "石家庄市")
                          else "办公室"))
    units = (words.UNITS_DEPT if portal.level == "department"
             else tuple(lv + u for u in words.UNITS_LOCAL))
    return {"place": portal.place, "gov": gov, "office": office, "lv": lv, "lv_short": lv,
            "units": units, "year": year}


def doc_id(portal, column, day: int, i: int) -> int:
    return portal.doc_base + day * 80 + column.index * 5 + i


def parse_doc_id(portal, docid: int) -> tuple[int, int, int]:
    rel = docid - portal.doc_base
    return rel // 80, (rel % 80) // 5, rel % 5


def column_items(portal, column, cut: datetime, limit: int = MAX_ITEMS, *, clock=None) -> list[Item]:
    """The newest ``limit`` items of ``column`` at ``cut`` (reposts for a 国务院信息 column)."""
    if column.kind == "gwy":
        return repost_items(portal, column, cut, limit, clock)
    slots = column_slots(portal.id, column.key, column.kind, cut, MAX_ITEMS)[:limit]
    return [make_item(portal, column, s) for s in slots]


def make_item(portal, column, slot) -> Item:
    day, i, ts = slot
    return Item(ts, item_title(portal, column, day, i, ts.year), doc_id(portal, column, day, i))


def item_title(portal, column, day: int, i: int, year: int) -> str:
    kind = column.kind if column.kind in words.SHAPES else "news"
    return words.title_for(kind, context(portal, year), mix(seed(portal.id, column.key), day * 8 + i + 3))


def item_at(portal, column, day: int, i: int, cut: datetime) -> Item | None:
    """The item stored at (day, i), if it exists and is published by ``cut``."""
    if i >= day_count(portal.id, column.key, column.kind, day):
        return None
    ts = at(day, item_minutes(portal.id, column.key, day, i))
    if ts > cut:
        return None
    return Item(ts, item_title(portal, column, day, i, ts.year), doc_id(portal, column, day, i))


# --- State Council releases (the mock www.gov.cn) -------------------------------------------

GWY_TOPICS = (
    "进一步优化营商环境", "加快发展银发经济", "推动大规模设备更新和消费品以旧换新", "促进民营经济发展壮大",
    "健全社会保障体系", "加强基层应急管理能力建设", "深入实施新型城镇化战略", "完善生育支持政策体系",
    "提升公共服务数字化水平", "加快构建现代化基础设施体系", "促进平台经济健康发展", "做好高校毕业生等青年就业创业",
    "加强耕地保护和粮食安全", "深化医药卫生体制改革", "全面推进美丽中国建设", "加快建设全国统一大市场",
    "推动外贸稳规模优结构", "完善职业技能培训体系", "开展安全生产治本攻坚", "推动文化和旅游深度融合",
    "促进服务消费高质量发展", "加快发展新型储能", "推进城市更新行动", "健全养老服务体系",
    "加强新时代未成年人保护", "优化调整稳就业政策措施", "加快推进数字政府建设", "加强水资源节约集约利用",
    "推动数据要素市场化配置", "提高义务教育办学质量", "扩大高水平对外开放", "推进普惠金融高质量发展",
    "加强矿山安全生产", "促进低空经济健康发展", "规范涉企行政检查", "加快农业农村现代化", "完善防灾减灾救灾体系",
)
GWY_SHAPES = (
    ("zhengce", "国务院关于{t}的意见"), ("zhengce", "国务院办公厅关于{t}的通知"),
    ("zhengce", "国务院关于{t}的决定"), ("zhengce", "国务院办公厅关于{t}的实施意见"),
    ("zhengce", "国务院办公厅印发《关于{t}的若干措施》"),
    ("zhengce", "国务院办公厅转发国家发展改革委《关于{t}的指导意见》的通知"),
    ("zhengce", "国务院关于印发《{t}行动方案》的通知"),
    ("yaowen", "李强主持召开国务院常务会议 研究{t}等工作"),
    ("yaowen", "国务院新闻办公室举行发布会 介绍{t}有关情况"),
    ("yaowen", "国务院政策例行吹风会聚焦{t}"),
)
RELEASE_MINUTES = (600, 900, 990, 1080, 1230)   # 10:00 15:00 16:30 18:00 20:30


def release_k_before(ts: datetime) -> int:
    """The largest k whose day is at or before ``ts``'s day (two releases every three days)."""
    d = day_number(ts.date())
    return 2 * (d // 3) + min(d % 3, 1)


@lru_cache(maxsize=4096)
def release(k: int) -> Release:
    day = 3 * (k // 2) + k % 2
    ts = at(day, RELEASE_MINUTES[h("rel", k) % len(RELEASE_MINUTES)])
    category, shape = GWY_SHAPES[k % len(GWY_SHAPES)]
    title = shape.format(t=GWY_TOPICS[k % len(GWY_TOPICS)])
    docid = 6_900_000 + k
    section = "zhengce/content" if category == "zhengce" else "yaowen/liebiao"
    url = f"http://www.gov.cn/{section}/{ts:%Y%m}/content_{docid}.htm"
    office = "国办发" if "办公厅" in title else "国发"
    return Release(k, ts, title, category, docid, url, f"{office}〔{ts.year}〕{1 + k % 40}号")


def releases(cut: datetime, days: int = 60, category: str | None = None) -> list[Release]:
    """Releases published in the ``days`` before ``cut``, newest first."""
    out = []
    k = release_k_before(cut) + 1
    start = cut - timedelta(days=days)
    while True:
        r = release(k)
        if r.ts < start:
            break
        if r.ts <= cut and (category is None or r.category == category):
            out.append(r)
        k -= 1
    return out


def release_by_docid(docid: int) -> Release | None:
    k = docid - 6_900_000
    return release(k) if k >= 0 else None


# --- reposts --------------------------------------------------------------------------------

def repost_lag(pid: str, profile: str, rel: Release, audit_now: datetime | None) -> timedelta | None:
    """How long after the release the portal reposted it, or None when it never did."""
    k = rel.k
    if profile == "none" or frac(pid, "rp", k) >= 0.7:
        return None
    x = frac(pid, "lag", k)
    if profile == "slow":
        return timedelta(minutes=int(3000 + x * 4200))          # 50 h - 120 h
    if profile == "stop" and audit_now is not None and rel.ts >= audit_now - timedelta(days=STOP_LATE_DAYS):
        return timedelta(minutes=int(4400 + x * 2800))          # late (73 h - 120 h) before it stops
    if x < 0.85:
        return timedelta(minutes=int(20 + x / 0.85 * 580))      # 20 min - 10 h
    return timedelta(minutes=int(1560 + (x - 0.85) / 0.15 * 2760))   # 26 h - 72 h


def repost_title(pid: str, rel: Release) -> str:
    t = rel.title
    x = h(pid, "tt", rel.k) % 20
    if x < 9:
        return t
    if x < 12:
        return "【国务院】" + t
    if x < 14 and rel.category == "zhengce":
        return t + "（全文）"
    if x < 17 and len(t) > 20:
        return t[:18] + "…"
    if x < 18:
        return "转载：" + t
    return t + "—中国政府网"


@lru_cache(maxsize=4096)
def _reposts(pid: str, profile: str, doc_base: int, cut: datetime, stop_after, audit_now) -> tuple:
    out = []
    k = release_k_before(cut) + 1
    start = cut - timedelta(days=LOOKBACK_DAYS // 4)
    while True:
        rel = release(k)
        if rel.ts < start:
            break
        k -= 1
        lag = repost_lag(pid, profile, rel, audit_now)
        if lag is None:
            continue
        ts = _office_hours(rel.ts + lag)
        if ts > cut or (stop_after is not None and ts > stop_after):
            continue
        out.append(Item(ts, repost_title(pid, rel), doc_base + 5_000_000 + rel.k, rel,
                        external=h(pid, "ext", rel.k) % 5 == 0))
    out.sort(key=lambda it: it.ts, reverse=True)
    return tuple(out)


def _office_hours(ts: datetime) -> datetime:
    """Editors post between 07:30 and 22:00: a night-time repost waits for the morning."""
    if ts.hour >= 22:
        ts = ts + timedelta(days=1)
    if ts.hour >= 22 or ts.hour < 7:
        ts = ts.replace(hour=7, minute=30 + ts.minute % 30)
    return ts


def repost_items(portal, column, cut: datetime, limit: int, clock) -> list[Item]:
    stop_after = clock.stop_after(portal) if clock is not None else None
    audit_now = clock.audit_now if clock is not None else None
    profile = (portal.policy or {}).get("reposts", "fast")
    return list(_reposts(portal.id, profile, portal.doc_base, cut, stop_after, audit_now)[:limit])


def repost_by_docid(portal, column, docid: int, cut: datetime, clock) -> Item | None:
    k = docid - portal.doc_base - 5_000_000
    for it in repost_items(portal, column, cut, 10_000, clock):
        if it.release.k == k:
            return it
    return None

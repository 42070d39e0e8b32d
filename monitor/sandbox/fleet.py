"""The sandbox fleet: registry rows (``portals.csv``) joined with per-portal behaviour (``fleet.json``).

``fleet.json`` holds, per portal id: the page template, encoding, columns, which error-report and
policy-column variant the homepage carries, faults, what changes in the decay phase, and the
expected verdicts per phase (the ground truth end-to-end tests compare against). A registry row
without a ``fleet.json`` entry gets a healthy default, so rows can be added freely.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from monitor.paths import DATA_DIR
from monitor.sandbox.rand import h, pick

FLEET_JSON = DATA_DIR / "sandbox" / "fleet.json"
REGISTRY_FIELDS = ("id", "name", "region", "level", "url", "site_code", "status", "migrated_to", "render")

LEVEL_SUFFIX = {"province": "省", "city": "市", "county": "县", "township": "镇", "department": ""}
DEFAULT_COLUMNS = (("gzdt", "工作动态", "news"), ("tzgg", "通知公告", "notice"), ("zcwj", "政策文件", "policy"),
                   ("rsxx", "人事信息", "personnel"), ("ghjh", "规划计划", "planning"),
                   ("czxx", "财政信息", "finance"), ("xxgkml", "信息公开目录", "xxgk"))
DEFAULT_SCENARIO = {"decay_gap_days": 21, "stale_min_age_days": 20, "timeout_sleep": 20.0,
                    "slow_delay": 2.0, "too_large_bytes": 62914560, "too_large_rate": 262144,
                    "list_page_size": 20, "list_max_pages": 5, "event_days": 20}


@dataclass(slots=True)
class Column:
    key: str
    name: str
    kind: str          # news notice policy personnel planning finance xxgk gwy
    path: str          # list page 1, e.g. /xwzx/gzdt/index.html, /col/col60085/index.html, /gzdt/
    index: int = 0     # position in the portal (part of every article id)

    @property
    def base(self) -> str:
        """The directory list pages and TRS/plain articles live under."""
        return self.path.rsplit("/", 1)[0] + "/"

    @property
    def colid(self) -> str:
        return self.path.split("/col/col", 1)[1].split("/", 1)[0] if "/col/col" in self.path else ""


@dataclass(slots=True)
class Portal:
    id: str
    name: str
    region: str
    level: str
    url: str
    site_code: str = ""
    status: str = "active"
    migrated_to: str = ""
    render: str = ""
    template: str = "plain"        # trs hanweb plain nav
    encoding: str = "utf-8"        # utf-8 gbk
    bom: bool = False              # homepage served with a UTF-8 BOM
    dates: str = "iso"             # list date style: iso bracket cn md table datetime
    place: str = ""
    columns: list = field(default_factory=list)
    error_link: dict | None = None   # {"variant", "site_code" (shown), ...}
    policy: dict | None = None       # {"variant", "title", "reposts"}
    fault: dict | None = None        # every phase
    flap: dict | None = None
    decay: dict = field(default_factory=dict)
    migration: dict | None = None
    served: bool = True
    traps: list = field(default_factory=list)   # link texts that look like elements but are not
    expect: dict = field(default_factory=dict)
    regressions: list = field(default_factory=list)
    notes: str = ""
    #: planted cases of the findings beyond freshness (articles with personal data, a message board,
    #: service guides, hidden menus, 专题 links; monitor/sandbox/plants.py)
    plants: dict = field(default_factory=dict)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def doc_base(self) -> int:
        """Article ids start here (TRS ids have 7 digits, Hanweb ids 8)."""
        return (10_000_000 if self.template == "hanweb" else 1_000_000) + _doc_offset(self.id)


@dataclass
class Fleet:
    portals: dict            # id -> Portal
    scenario: dict
    extra_hosts: dict        # host -> {"kind": ..., ...} (redirect targets, migrated-only pages)

    def __post_init__(self) -> None:
        self.by_host = {}
        for p in self.portals.values():
            if p.served:
                self.by_host[p.host] = p


@lru_cache(maxsize=65536)
def _doc_offset(portal_id: str) -> int:
    return (h(portal_id, "doc") % 97) * 1000


def column_path(template: str, key: str, kind: str, colid: int) -> str:
    if template == "hanweb":
        return f"/col/col{colid}/index.html"
    if template == "trs":
        group = "xwzx" if kind in ("news", "gwy") else "zwgk"
        return f"/{group}/{key}/index.html"
    return f"/{key}/"


def make_columns(portal_id: str, template: str, specs) -> list:
    out = []
    for i, spec in enumerate(specs):
        if isinstance(spec, dict):
            key, name, kind, path = spec["key"], spec["name"], spec["kind"], spec.get("path")
        else:
            key, name, kind = spec[:3]
            path = None
        colid = 1000 + h(portal_id, key) % 90000
        out.append(Column(key, name, kind, path or column_path(template, key, kind, colid), i))
    return out


def default_place(p: Portal) -> str:
    """The short place name used in titles: 郑州市人民政府 -> 郑州市."""
    name = p.name
    for suffix in ("人民政府", "政府网", "门户网站"):
        name = name.replace(suffix, "")
    return name or p.id


# --- synthetic fleets (``monitor sandbox --size N``) ----------------------------------------

_SYL = ("an", "bai", "bao", "chang", "cheng", "da", "dong", "feng", "fu", "gao", "guang", "he", "hong",
        "hua", "huai", "jia", "jian", "jin", "kang", "lan", "le", "lin", "long", "luo", "ming", "nan",
        "ning", "ping", "qing", "rui", "shan", "shou", "song", "tai", "tian", "xi", "xin", "xing", "yang",
        "yong", "yuan", "yun", "ze", "zhang", "zhen", "zhong")
_HAN = ("安", "白", "宝", "长", "城", "大", "东", "丰", "富", "高", "广", "和", "洪", "华", "淮", "嘉", "建",
        "金", "康", "兰", "乐", "林", "隆", "洛", "明", "南", "宁", "平", "清", "瑞", "山", "寿", "松", "泰",
        "天", "西", "新", "兴", "阳", "永", "源", "云", "泽", "彰", "镇", "中")
REGIONS = ("beijing", "tianjin", "hebei", "shanxi", "neimenggu", "liaoning", "jilin", "heilongjiang",
           "shanghai", "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan", "hubei",
           "hunan", "guangdong", "guangxi", "hainan", "chongqing", "sichuan", "guizhou", "yunnan", "xizang",
           "shaanxi", "gansu", "qinghai", "ningxia", "xinjiang", "bingtuan")
_SYN_COLUMNS = DEFAULT_COLUMNS + (("bmdt", "部门动态", "news"), ("xqdt", "县区动态", "news"))


def synthetic_fleet(size: int, seed: int = 0) -> Fleet:
    """``size`` healthy portals (deterministic for a given seed), homepage + 9 columns each."""
    portals = {}
    used = set()
    for i in range(size):
        n = 0
        while True:
            a, b = h(seed, i, n, "a") % len(_SYL), h(seed, i, n, "b") % len(_SYL)
            slug = _SYL[a] + _SYL[b]
            if slug not in used:
                break
            n += 1
            if n > 3:
                slug = f"{slug}{i}"
                break
        used.add(slug)
        level = pick(("county", "county", "county", "city", "township", "department"), seed, i, "lv")
        suffix = {"county": "县", "city": "市", "township": "镇", "department": "局"}[level]
        place = _HAN[a] + _HAN[b] + suffix
        region = "bumen" if level == "department" else REGIONS[i % len(REGIONS)]
        template = ("trs", "hanweb", "plain")[h(seed, i, "tpl") % 3]
        code = (f"bm{h(seed, i, 'c') % 10**8:08d}" if level == "department"
                else f"{110000 + h(seed, i, 'c') % 540000:06d}{h(seed, i, 'n') % 10000:04d}")
        pid = f"syn-{slug}"
        name = place if level == "department" else place + "人民政府"
        p = Portal(id=pid, name=name, region=region, level=level, url=f"http://www.{slug}.gov.cn/",
                   site_code=code, render="static", template=template, place=place,
                   dates=pick(("iso", "bracket", "cn", "table"), seed, i, "d"),
                   error_link={"variant": "script", "site_code": code},
                   policy={"variant": "heading", "title": "国务院信息", "reposts": "fast"})
        p.columns = make_columns(pid, template, _SYN_COLUMNS + (("gwy", "国务院信息", "gwy"),))
        portals[pid] = p
    return Fleet(portals, dict(DEFAULT_SCENARIO), {})


def write_registry(fleet: Fleet, path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(REGISTRY_FIELDS)
        for p in fleet.portals.values():
            w.writerow([getattr(p, f) for f in REGISTRY_FIELDS])

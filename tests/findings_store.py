"""A small store with known regressions, built through the store's own API (no crawl): the fixture of
the notify and serve tests.

Four portals, three finished portal crawls (audit, +20 days, +21 days), the audit crawl marked as
baseline:

- henan-zhengzhou: error_link fails from crawl 1 on (a regression, ongoing);
- henan-kaifeng: homepage_fresh fails at crawl 1 and passes again at crawl 2 (began, then recovered);
- hebei-sheng: reachable fails at crawls 1 and 2 (needs two in a row: confirmed at crawl 2);
- bumen-moe: healthy throughout.

Every crawl stores each portal's homepage; henan-zhengzhou's carries an inline script, an outside
image and stylesheet, a javascript: link and a meta refresh, for the evidence view's tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.clock import SHANGHAI, iso
from monitor.ids import stable_id
from monitor.registry import Portal
from monitor.rules import RULES
from monitor.rules.base import Verdict
from monitor.store import Store
from monitor.store.states import mark_baselines, save_verdicts

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
CRAWL_TIMES = [T0, T0 + timedelta(days=20), T0 + timedelta(days=21)]
NOW = CRAWL_TIMES[-1] + timedelta(hours=2)

PORTALS = [
    Portal("henan-zhengzhou", "郑州市人民政府", "henan", "city", "http://www.zhengzhou.gov.cn/", "4101000001",
           "active", None, "auto"),
    Portal("henan-kaifeng", "开封市人民政府", "henan", "city", "http://www.kaifeng.gov.cn/", "4102000001",
           "active", None, "auto"),
    Portal("hebei-sheng", "河北省人民政府", "hebei", "province", "http://www.hebei.gov.cn/", "1300000001",
           "active", None, "auto"),
    Portal("bumen-moe", "教育部", "bumen", "department", "http://www.moe.gov.cn/", "bm05000001",
           "active", None, "auto"),
]
#: crawl index -> {(portal, rule): passed}; everything else passes
FAILURES = {
    1: {("henan-zhengzhou", "error_link"): False, ("henan-kaifeng", "homepage_fresh"): False,
        ("hebei-sheng", "reachable"): False},
    2: {("henan-zhengzhou", "error_link"): False, ("hebei-sheng", "reachable"): False},
}
VALUES = {"error_link": ("present", "missing"), "homepage_fresh": (3, 18), "reachable": (0.0, 0.12),
          "columns_fresh": (0, 0), "policy_column": ("国务院信息", "国务院信息"), "reposts_24h": (4, 4)}
SCRIPT_MARK = "SCRIPT-RAN"
ZHENGZHOU_PAGE = """<!DOCTYPE html><html><head><meta charset="gbk">
<meta http-equiv="refresh" content="30;url=http://203.0.113.7/elsewhere">
<title>郑州市人民政府</title>
<link rel="stylesheet" href="http://203.0.113.7/style.css">
<style>.hot { color: #c00 }</style></head>
<body><h1 class="hot">郑州市人民政府门户网站</h1>
<img src="http://203.0.113.7/logo.png" alt="logo">
<script>document.title = "{mark}"; document.body.setAttribute("data-ran", "{mark}");
new Image().src = "http://203.0.113.7/beacon";</script>
<script src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>
<a id="bad" href="javascript:document.title='{mark}'">点我 click</a>
<ul><li><a href="/art/2026/12/10/art_1_1.html">关于做好冬季安全工作的通知</a> 2026-12-10</li></ul>
</body></html>""".replace("{mark}", SCRIPT_MARK)


def homepage_fetch_id(crawl_id: str, portal_id: str) -> str:
    return stable_id(crawl_id, portal_id, "homepage")


def build(path) -> dict:
    """Write the store at ``path``; returns {"crawls": [ids], "fetch": {(crawl index, portal): fetch id}}."""
    crawl_ids, fetches = [], {}
    for i, at in enumerate(CRAWL_TIMES):
        crawl_id, ids = add_crawl(path, at, FAILURES.get(i, {}), baseline=i == 0)
        crawl_ids.append(crawl_id)
        fetches.update({(i, pid): fid for pid, fid in ids.items()})
    return {"crawls": crawl_ids, "fetch": fetches}


def add_crawl(path, at: datetime, failures: dict, baseline: bool = False) -> tuple[str, dict[str, str]]:
    """One finished portal crawl of every portal at ``at``; ``failures``: {(portal, rule): False}."""
    fetches = {}
    with Store(path) as store:
        store.sync_portals(PORTALS)
        crawl_id = store.begin_crawl("portal", "region=all", now=iso(at))
        verdicts = {}
        for portal in PORTALS:
            body = (ZHENGZHOU_PAGE.encode("gbk") if portal.id == "henan-zhengzhou"
                    else f"<html><body><h1>{portal.name}</h1></body></html>".encode("utf-8"))
            charset = "gbk" if portal.id == "henan-zhengzhou" else "utf-8"
            # the id the fetches view shows: a page unchanged since the last crawl shows its first row
            fetches[portal.id] = store.add("fetches", {
                "id": homepage_fetch_id(crawl_id, portal.id), "crawl_id": crawl_id, "portal_id": portal.id, "url": portal.url,
                "final_url": portal.url, "kind": "homepage", "depth": 0, "parent_url": None,
                "link_text": None, "status": 200, "error": None, "latency_ms": 120.0, "size": len(body),
                "charset": charset, "fetched_at": iso(at), "body_hash": store.add_body(body, charset),
                "rendered": 0, "published": None, "document_date": None})
            store.add("portal_crawls", {"crawl_id": crawl_id, "portal_id": portal.id, "outcome": "fetched",
                                        "homepage_url": portal.url, "pages": 1})
            vs = []
            for rule in RULES:
                if rule == "overall":
                    continue
                passed = failures.get((portal.id, rule), True)
                evidence = {"url": portal.url}
                if rule == "error_link" and not passed:
                    evidence["failed"] = "missing"
                vs.append(Verdict(rule, passed, "ok" if passed else "fail",
                                  VALUES.get(rule, (None, None))[0 if passed else 1], evidence))
            vetoed = any(not v.passed for v in vs if RULES[v.rule].veto)
            vs.append(Verdict("overall", not vetoed, "fail" if vetoed else "ok", "不合格" if vetoed else "合格", {}))
            verdicts[portal.id] = vs
        store.flush()
        store.finish_crawl(crawl_id, "finished", {"portals": len(PORTALS), "pages": len(PORTALS)})
        save_verdicts(store, crawl_id, at, verdicts)
        if baseline:
            mark_baselines(store, crawl_id, [p.id for p in PORTALS], "test audit")
    return crawl_id, fetches


#: what the regression finders say at NOW (portal, check, recovered)
EXPECTED = {("henan-zhengzhou", "error_link", False), ("henan-kaifeng", "homepage_fresh", True),
            ("hebei-sheng", "reachable", False)}

"""Companions in the store: the repost job and the reposts_24h verdict (issue 10).

A portal that reposted the document (not its graphic) within 24 hours has a repost of the
document and passes; the graphic's repost is the graphic's; an ambiguous entry is stored as no
repost at all (the reposts table keeps one release per entry).
"""

from __future__ import annotations

from datetime import date, datetime

from monitor.registry import Portal
from monitor.reposts import match_window, summarize
from monitor.rules import RULES, PortalState
from monitor.store import Store, stable_id
from monitor.store.reposts import upsert_releases

NOW = datetime.fromisoformat("2026-11-29T12:00:00+08:00")
SEEN = "2026-11-28T00:00:00+00:00"
DOC = "国务院办公厅关于印发数字政府建设三年行动计划（2026—2028年）的通知"
GOV = "https://www.gov.cn/zhengce/content/202611/content_{}.htm"


def _entry(portal_id, title, published):
    return {"id": stable_id(portal_id, title), "portal_id": portal_id, "column_url": "x",
            "url": f"https://www.{portal_id}.gov.cn/{abs(hash(title))}.html", "title": title,
            "published": published, "first_seen": SEEN, "last_seen": SEEN, "first_crawl_id": "c1"}


def test_a_portal_that_reposted_the_document_within_24h_passes(tmp_path):
    with Store(tmp_path / "m.db") as store:
        store.sync_portals([Portal(p, f"{p} 人民政府", "henan", "province", f"https://www.{p}.gov.cn/", None,
                                   "active", None, "auto") for p in ("pa", "pb", "pc")])
        upsert_releases(store, [
            {"id": "govcn-7090001", "title": DOC, "url": GOV.format(7090001),
             "published": "2026-11-20T10:00:00+08:00", "category": None, "source": None},
            {"id": "govcn-7090002", "title": f"图解：{DOC}", "url": GOV.format(7090002),
             "published": "2026-11-20T11:00:00+08:00", "category": None, "source": None},
            {"id": "govcn-7090003", "title": "一图读懂《数字政府建设三年行动计划（2026—2028年）》",
             "url": GOV.format(7090003), "published": "2026-11-20T12:00:00+08:00", "category": None, "source": None},
        ])
        for row in [
            _entry("pa", DOC, "2026-11-20T15:00:00+08:00"),  # the document, within 24 h
            _entry("pb", f"【图解】{DOC}", "2026-11-20T16:00:00+08:00"),  # the graphic
            _entry("pc", f"一图看懂{DOC}", "2026-11-20T18:00:00+08:00"),  # which graphic? ambiguous
        ]:
            store.add("entries", row)
    with Store(tmp_path / "m.db") as store:  # entries are written when the store closes
        counts = match_window(store, since=date(2026, 11, 1), now=NOW)
        stored = {r["portal_id"]: r for r in store.query("select * from reposts")}
        summary = summarize(store, since=date(2026, 11, 1), now=NOW)
    assert counts["matched"] == 2 and set(stored) == {"pa", "pb"}
    assert stored["pa"]["release_id"] == "govcn-7090001" and stored["pa"]["within_24h"] == 1
    assert stored["pa"]["lag_hours"] == 5.0
    assert stored["pb"]["release_id"] == "govcn-7090002"
    records = {r["portal_id"]: r for r in summary["portals"]}
    rule = RULES["reposts_24h"].from_settings({})
    verdicts = {pid: rule.judge(PortalState(portal_id=pid, homepage_ok=True, reposts=records[pid]), NOW)
                for pid in ("pa", "pb", "pc")}
    assert verdicts["pa"].passed is True and verdicts["pa"].value == 1
    assert verdicts["pb"].passed is True
    assert verdicts["pc"].passed is False  # its only entry fits two graphics: no repost counted

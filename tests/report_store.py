"""A small hand-written store for the report's tests: two quarters of crawls whose every verdict is
chosen, so each figure and section of the report has a known answer."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from monitor.clock import SHANGHAI, iso
from monitor.rules import RULES
from monitor.store import Store
from monitor.store.compact import insert_verdicts

RULE_IDS = [r for r in RULES if r != "overall"]
VETO = [r for r in RULE_IDS if RULES[r].veto]
HOSTILE = {
    "script": "<script>alert('x')</script>唐山市人民政府",
    "img": "<img src=x onerror=alert(1)>开封",
    "js": "javascript:alert(1)",
    "formula": "=HYPERLINK(\"http://evil.example/\",\"点我\")",
}

#: portal -> (region, level, status, name)
PORTALS = {
    "henan-sheng": ("henan", "province", "active", "河南省人民政府"),
    "henan-zhengzhou": ("henan", "city", "active", "郑州市人民政府"),
    "henan-kaifeng": ("henan", "city", "active", HOSTILE["img"]),
    "henan-old": ("henan", "county", "closed", "已关停县政府"),
    "hebei-sheng": ("hebei", "province", "active", "河北省人民政府"),
    "hebei-tangshan": ("hebei", "city", "active", HOSTILE["script"]),
    "hebei-dark": ("hebei", "county", "active", "从未抓到的县"),
    "bumen-moe": ("bumen", "department", "active", HOSTILE["formula"]),
    "bumen-js": ("bumen", "department", "active", HOSTILE["js"]),
}
Q3_DAY = datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI)  # the baseline crawl
Q4_DAYS = [datetime(2026, 11, d, 10, 0, tzinfo=SHANGHAI) for d in (10, 11, 12)]


def _all_pass() -> dict:
    return {r: True for r in RULE_IDS}


def plan() -> dict[str, list[dict]]:
    """crawl label -> portal -> rule -> passed (True/False/None); absent portal: not crawled."""
    q3 = {pid: _all_pass() for pid, (_, _, status, _) in PORTALS.items() if pid != "hebei-dark"}
    q3["henan-zhengzhou"]["homepage_fresh"] = False  # failing at the check, fixed in Q4: rectified
    q3["hebei-tangshan"]["reachable"] = False  # failing at the check, still failing in Q4
    q3["henan-old"]["columns_fresh"] = False  # failing at the check, closed since
    q3["henan-sheng"]["reposts_24h"] = False  # an indicator, not a veto: still 合格
    q3["bumen-js"]["columns_fresh"] = False  # failing at the check, fixed in Q4: rectified
    days = []
    for i in range(3):
        day = {pid: _all_pass() for pid in PORTALS if pid not in ("hebei-dark", "henan-old")}
        day["hebei-tangshan"]["reachable"] = False
        day["henan-kaifeng"]["error_link"] = False
        if i >= 1:  # decays after the check: a regression that began on 11-11
            day["bumen-moe"]["homepage_fresh"] = False
        if i == 2:  # homepage not fetched in the newest crawl: content unknown, the older verdict holds
            for rule in RULE_IDS:
                if RULES[rule].content:
                    day["henan-sheng"][rule] = None
        days.append(day)
    return {"q3": [q3], "q4": days}


def build(path) -> Store:
    store = Store(path)
    db = store.db
    with db.conn:
        db["portals"].insert_all([{"id": pid, "name": name, "region": region, "level": level,
                                   "url": "javascript:alert(1)" if pid == "bumen-js" else f"http://www.{pid}.gov.cn/",
                                   "site_code": None, "status": status, "migrated_to": None, "render": "auto",
                                   "synced_at": "2026-11-01T00:00:00+00:00"}
                                  for pid, (region, level, status, name) in PORTALS.items()], pk="id")
    crawls = plan()
    moments = [("q3-0", Q3_DAY, crawls["q3"][0])] + [(f"q4-{i}", at, day) for i, (at, day)
                                                      in enumerate(zip(Q4_DAYS, crawls["q4"]))]
    for crawl_id, at, per_portal in moments:
        stamp = at.astimezone(timezone.utc).isoformat()
        rows, pcs = [], []
        for pid, outcome in per_portal.items():
            pcs.append({"crawl_id": crawl_id, "portal_id": pid, "outcome": "fetched"})
            for rule, passed in outcome.items():
                evidence = {"url": f"http://www.{pid}.gov.cn/", "crawl_id": crawl_id}
                if rule == "columns_fresh" and passed is False:
                    evidence["stale_columns"] = [{"url": "javascript:alert(2)"},
                                                 {"url": "http://www.x.gov.cn/col/1/'; rm -rf ~"}]
                rows.append(_row(crawl_id, pid, rule, passed, at, evidence, value=21 if passed is False else 3))
            failed = [r for r in VETO if outcome[r] is False]
            unknown = [r for r in VETO if outcome[r] is None]
            overall = False if failed else (None if unknown else True)
            rows.append(_row(crawl_id, pid, "overall", overall, at, {"failed": failed, "unknown": unknown},
                             value={False: "不合格", True: "合格"}.get(overall)))
        with db.conn:
            db["crawls"].insert({"id": crawl_id, "spider": "portal", "selection": "all", "started": stamp,
                                 "finished": (at + timedelta(minutes=30)).astimezone(timezone.utc).isoformat(),
                                 "status": "finished", "host": "test", "pid": 0, "heartbeat": stamp,
                                 "now": iso(at), "portals": len(per_portal), "pages": 0, "failures": 0,
                                 "counts": "{}"})
            db["portal_crawls"].insert_all(pcs, pk=("crawl_id", "portal_id"))
            insert_verdicts(db.conn, rows)
            if crawl_id == "q3-0":
                db["baselines"].insert_all([{"id": f"b-{pid}", "portal_id": pid, "crawl_id": crawl_id,
                                             "marked_at": stamp, "note": "2026Q3 check"} for pid in per_portal],
                                           pk="id")
    body_hash = store.add_body(b"<html><body>stored homepage <script>alert(3)</script></body></html>", "utf-8")
    store.add("fetches", {"id": "f-tangshan", "crawl_id": "q4-2", "portal_id": "hebei-tangshan",
                          "url": "http://www.hebei-tangshan.gov.cn/", "final_url": "http://www.hebei-tangshan.gov.cn/",
                          "kind": "homepage", "status": 200, "fetched_at": "2026-11-12T02:00:00+00:00",
                          "body_hash": body_hash, "rendered": 0})
    store.flush()
    with db.conn:
        db["audits"].insert_all([
            {"portal_id": "hebei-tangshan", "audited_on": "2026-11-11", "verdict": "pass", "source": "hebei.csv",
             "imported_at": "2026-11-20T00:00:00+00:00", "reviewer": "省办<b>王</b>", "note": "上报合格"},
            {"portal_id": "henan-zhengzhou", "audited_on": "2026-11-11", "verdict": "pass", "source": "henan.csv",
             "imported_at": "2026-11-20T00:00:00+00:00", "reviewer": "李", "note": None},
        ], pk=("portal_id", "audited_on"))
    return store


def _row(crawl_id, pid, rule, passed, at, evidence, value=None) -> dict:
    level = {True: "ok", False: "fail", None: "unknown"}[passed]
    return {"crawl_id": crawl_id, "portal_id": pid, "rule": rule,
            "passed": None if passed is None else int(passed), "level": level,
            "value": json.dumps(value if passed is not None else None, ensure_ascii=False),
            "evidence": json.dumps(evidence, ensure_ascii=False), "at": iso(at)}

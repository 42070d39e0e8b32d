"""A synthetic store for the report's benchmark and tests: a registry, daily portal crawls with
every rule's verdict, an audit baseline and imported audit results, written straight as rows.

Deterministic for a seed. Portals are mostly healthy; some fail a rule for the whole span, some
decay after the baseline (post-audit neglect) and some of those failing at the start are fixed on a
later day; on a few crawl-days a portal's homepage cannot be fetched, which leaves its content
rules unknown. The caller passes the rule ids (the store does not import the rules).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from monitor.clock import SHANGHAI, iso
from monitor.ids import utcnow
from monitor.store.compact import insert_verdicts

REGIONS = ("beijing", "tianjin", "hebei", "shanxi", "neimenggu", "liaoning", "jilin", "heilongjiang",
           "shanghai", "jiangsu", "zhejiang", "anhui", "fujian", "jiangxi", "shandong", "henan", "hubei",
           "hunan", "guangdong", "guangxi", "hainan", "chongqing", "sichuan", "guizhou", "yunnan", "xizang",
           "shaanxi", "gansu", "qinghai", "ningxia", "xinjiang", "bingtuan")


@dataclass
class Plan:
    portals: int = 15_000
    days: int = 90
    end: date = date(2026, 12, 30)
    rules: Sequence[str] = ()
    veto: Sequence[str] = ()
    content_rules: Sequence[str] = ()  # unknown when the homepage was not fetched
    departments: int = 90
    seed: int = 1
    chronic_share: float = 0.08  # portals failing one rule for the whole span
    decay_share: float = 0.05  # portals that pass at the baseline and fail a rule later
    fixed_share: float = 0.5  # chronic failures fixed at a day of the span
    homepage_down: float = 0.02  # crawl-days on which a portal's homepage failed
    audits: int = 0  # imported audit results, on the span's last day
    names: dict[str, str] = field(default_factory=dict)  # portal id -> name (tests: hostile names)


def _portals(plan: Plan, rng: random.Random) -> list[dict]:
    rows = []
    for i in range(plan.departments):
        rows.append({"id": f"bumen-{i:04d}", "name": f"国务院部门{i}", "region": "bumen", "level": "department"})
    local = plan.portals - plan.departments
    for i in range(local):
        region = REGIONS[i % len(REGIONS)]
        n = i // len(REGIONS)
        level = "province" if n == 0 else ("city" if n % 8 == 1 else "county")
        rows.append({"id": f"{region}-{n:05d}", "name": f"{region}第{n}号网站", "region": region, "level": level})
    for r in rows:
        r.update(name=plan.names.get(r["id"], r["name"]), url=f"http://www.{r['id'].replace('-', '')}.gov.cn/",
                 site_code=None, status="active", migrated_to=None, render="auto", synced_at=utcnow())
    return rows[:plan.portals]


def build(store, plan: Plan) -> dict:
    """Fill ``store`` (an open ``Store``) as ``plan`` says; returns what was written."""
    rng = random.Random(plan.seed)
    portals = _portals(plan, rng)
    rules = list(plan.rules)
    veto, content = set(plan.veto), set(plan.content_rules)
    days = [plan.end - timedelta(days=plan.days - 1 - i) for i in range(plan.days)]
    fate = {}
    for p in portals:
        draw = rng.random()
        if draw < plan.chronic_share:
            fixed = rng.randrange(1, len(days)) if rng.random() < plan.fixed_share else None
            fate[p["id"]] = ("chronic", rng.choice(rules), 0, fixed)
        elif draw < plan.chronic_share + plan.decay_share:
            fate[p["id"]] = ("decay", rng.choice(rules), rng.randrange(1, len(days)), None)
    crawl_ids, written = [], 0
    db = store.db
    with db.conn:
        db["portals"].upsert_all(portals, pk="id")
        for day in days:
            at = datetime.combine(day, time(10), SHANGHAI)
            crawl_id = str(uuid.UUID(int=rng.getrandbits(128)))
            crawl_ids.append(crawl_id)
            stamp = at.astimezone(timezone.utc).isoformat()
            db["crawls"].insert({"id": crawl_id, "spider": "portal", "selection": "all", "started": stamp,
                                 "finished": stamp, "status": "finished", "host": "synthetic", "pid": 0,
                                 "heartbeat": stamp, "now": iso(at), "portals": len(portals), "pages": 0,
                                 "failures": 0, "counts": "{}"})
            at_text = iso(at)
            verdicts, crawled = [], []
            index = days.index(day)
            for p in portals:
                pid = p["id"]
                down = rng.random() < plan.homepage_down
                crawled.append((crawl_id, pid, "failed" if down else "fetched"))
                kind, bad_rule, start, fixed = fate.get(pid, ("", None, 0, None))
                failing = None
                if kind == "chronic" and (fixed is None or index < fixed):
                    failing = bad_rule
                elif kind == "decay" and index >= start:
                    failing = bad_rule
                outcome = {}
                for rule in rules:
                    passed = None if down and rule in content else (0 if rule == failing else 1)
                    outcome[rule] = passed
                    verdicts.append((crawl_id, pid, rule, passed, _level(passed), _value(rule, passed),
                                     json.dumps({"url": p["url"], "crawl_id": crawl_id}), at_text))
                failed = [r for r in rules if r in veto and outcome[r] == 0]
                unknown = [r for r in rules if r in veto and outcome[r] is None]
                overall = 0 if failed else (None if unknown else 1)
                verdicts.append((crawl_id, pid, "overall", overall, _level(overall),
                                 json.dumps({0: "不合格", 1: "合格"}.get(overall), ensure_ascii=False),
                                 json.dumps({"failed": failed, "unknown": unknown}), at_text))
            db.conn.executemany("insert into portal_crawls (crawl_id, portal_id, outcome) values (?, ?, ?)", crawled)
            insert_verdicts(db.conn, verdicts, store.names)
            written += len(verdicts)
        db["baselines"].insert_all([{"id": str(uuid.UUID(int=rng.getrandbits(128))), "portal_id": p["id"],
                                     "crawl_id": crawl_ids[0], "marked_at": utcnow(), "note": "synthetic"}
                                    for p in portals], pk="id")
        chosen = rng.sample(portals, min(plan.audits, len(portals)))
        db["audits"].upsert_all([{"portal_id": p["id"], "audited_on": days[-1].isoformat(),
                                  "verdict": "pass" if rng.random() < 0.9 else "fail", "source": "synthetic",
                                  "imported_at": utcnow(), "reviewer": "synthetic", "note": None}
                                 for p in chosen], pk=("portal_id", "audited_on"))
    return {"portals": len(portals), "crawls": len(crawl_ids), "verdicts": written,
            "first_day": days[0].isoformat(), "last_day": days[-1].isoformat()}


def _level(passed: int | None) -> str:
    return {None: "unknown", 0: "fail", 1: "ok"}[passed]


def _value(rule: str, passed: int | None) -> str:
    if passed is None:
        return "null"
    return json.dumps(3 if passed else 21) if rule.endswith("fresh") else json.dumps("present" if passed else "missing")

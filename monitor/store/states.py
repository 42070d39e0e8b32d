"""Reading what the rules judge and what regressions compare out of the store, and writing
verdicts, baselines and official audit results back. Rows only: ``monitor.judging`` turns them into
the rules' ``PortalState`` and ``monitor.regressions`` into verdict records."""

from __future__ import annotations

import json
import zlib
from datetime import datetime

from monitor.clock import iso, parse_now
from monitor.ids import new_id, utcnow
from monitor.store.compact import delete_verdicts, insert_verdicts
from monitor.store.crawls import COMPACT


def crawl_now(crawl: dict) -> datetime:
    """The clock a crawl ran at: its ``MONITOR_NOW`` if it had one, else when it started."""
    return parse_now(crawl["now"] or crawl["started"])


def portal_crawl_rows(store, crawl_id: str) -> list[dict]:
    return store.query("select * from portal_crawls where crawl_id = ?", [crawl_id])


def portal_ids_of_crawl(store, crawl_id: str) -> list[str]:
    return [r["portal_id"] for r in store.query(
        "select portal_id from portal_crawls where crawl_id = ?", [crawl_id])]


def column_rows(store, crawl_id: str) -> list[dict]:
    return store.query("select * from columns where crawl_id = ?", [crawl_id])


def visit_rows(store, since: str, until: str) -> list[dict]:
    """Probe visits between two ISO instants, oldest first."""
    return store.query("select * from visits where at >= ? and at <= ? order by at", [since, until])


def crawl_homepage_fetches(store, since: datetime, until: datetime, current: str | None = None) -> list[dict]:
    """Homepage fetches (static, not rendered retries) of finished ``portal`` crawls, and of crawl
    ``current``, whose clock falls between ``since`` and ``until``: each row with ``crawl_now``
    (the crawl's clock) and ``started`` so the caller can place the fetch on that clock."""
    crawls = [c for c in store.query(
        "select id, now, started from crawls where spider = 'portal' and (status = 'finished' or id = ?)",
        [current]) if since <= crawl_now(c) <= until]
    if not crawls:
        return []
    by_id = {c["id"]: c for c in crawls}
    rows = store.query(
        f"select crawl_id, portal_id, error, latency_ms, fetched_at from fetches "
        f"where kind = 'homepage' and rendered = 0 and crawl_id in ({','.join('?' * len(by_id))})",
        list(by_id))
    for r in rows:
        r["crawl_now"] = crawl_now(by_id[r["crawl_id"]])
        r["started"] = by_id[r["crawl_id"]]["started"]
    return rows


def save_verdicts(store, crawl_id: str, at: datetime, verdicts: dict[str, list]) -> None:
    """Replace a crawl's verdicts (``verdicts``: portal id -> verdicts with ``rule``, ``passed``,
    ``level``, ``value`` and ``evidence``)."""
    rows = []
    for portal_id, vs in verdicts.items():
        for v in vs:
            evidence = v.evidence
            if v.level == "ok" and "crawl_id" in evidence:  # the row says which crawl; a finding keeps it
                evidence = {k: value for k, value in evidence.items() if k != "crawl_id"}
            rows.append({"crawl_id": crawl_id, "portal_id": portal_id, "rule": v.rule,
                         "passed": None if v.passed is None else int(v.passed), "level": v.level,
                         "value": json.dumps(v.value, ensure_ascii=False, default=str),
                         "evidence": json.dumps(evidence, ensure_ascii=False, default=str, separators=COMPACT),
                         "at": iso(at)})
    with store.transaction():
        delete_verdicts(store.db.conn, crawl_id, store.names)
        insert_verdicts(store.db.conn, rows, store.names)


def verdict_rows(store, portal_ids: list[str] | None = None, failing_only: bool = False) -> list[dict]:
    """Verdicts of finished ``portal`` crawls, oldest first, ``value``/``evidence`` decoded.

    ``failing_only``: only the checks of a portal that failed at least once, and the portal's
    ``overall`` verdicts (one per judged crawl: they carry the portal's crawl order). A regression
    needs a failure, so this is all the regression finders read; SQLite picks the rows, and only
    those are decoded (a national store holds millions of verdicts, nearly all of them passing)."""
    base = ("from verdicts v join crawls c on c.id = v.crawl_id "
            "where c.status = 'finished' and c.spider = 'portal'")
    args: list = []
    where = ""
    if portal_ids is not None:  # one parameter however many portals (SQLite caps bound variables)
        where = " and v.portal_id in (select value from json_each(?))"
        args.append(json.dumps(list(portal_ids)))
    if failing_only:
        sql = (f"with failing as (select distinct v.portal_id, v.rule {base}{where} and v.passed = 0) "
               f"select v.* {base}{where} and ((v.portal_id, v.rule) in (select portal_id, rule from failing) "
               f"or (v.rule = 'overall' and v.portal_id in (select portal_id from failing)))")
        args = args + args
    else:
        sql = f"select v.* {base}{where}"
    rows = store.query(sql + " order by v.at, c.finished", args)
    for r in rows:
        r["value"] = json.loads(r["value"]) if r["value"] else None
        r["evidence"] = json.loads(r["evidence"]) if r["evidence"] else {}
    return rows


def unjudged_crawls(store) -> list[str]:
    """Finished ``portal`` crawls with no verdicts yet (e.g. written by an older version)."""
    return [r["id"] for r in store.query(
        "select id from crawls where spider = 'portal' and status = 'finished' and "
        "not exists (select 1 from verdicts v where v.crawl_id = crawls.id)")]


def mark_baselines(store, crawl_id: str, portal_ids: list[str], note: str | None) -> int:
    rows = [{"id": new_id(), "portal_id": pid, "crawl_id": crawl_id, "marked_at": utcnow(), "note": note}
            for pid in portal_ids]
    with store.transaction():
        store.db["baselines"].insert_all(rows, pk="id")
    return len(rows)


def baselines_in_force(store) -> dict[str, str]:
    """The newest baseline mark per portal."""
    out: dict[str, str] = {}
    for r in store.query("select portal_id, crawl_id from baselines order by marked_at, rowid"):
        out[r["portal_id"]] = r["crawl_id"]
    return out


def latest_portal_crawl_per_portal(store, crawl_id: str | None = None) -> dict[str, str]:
    """For each portal, its latest finished ``portal`` crawl (or ``crawl_id``'s, when given)."""
    if crawl_id:
        rows = store.query("select portal_id, crawl_id from portal_crawls where crawl_id = ?", [crawl_id])
    else:
        rows = store.query(
            "select pc.portal_id, pc.crawl_id from portal_crawls pc join crawls c on c.id = pc.crawl_id "
            "where c.status = 'finished' and c.spider = 'portal' order by c.finished")
    return {r["portal_id"]: r["crawl_id"] for r in rows}


def newest_crawl_of_portal(store, portal_id: str) -> str | None:
    rows = store.query("select crawl_id from portal_crawls pc join crawls c on c.id = pc.crawl_id "
                       "where pc.portal_id = ? order by c.started desc limit 1", [portal_id])
    return rows[0]["crawl_id"] if rows else None


def stored_fetches(store, crawl_id: str, portal_id: str, url: str | None = None) -> list[dict]:
    """The fetches of a portal in a crawl: of ``url`` (asked or final), else of its homepage;
    static before rendered, oldest first. A crawl rolled up by the retention kept only pages that
    changed: then the nearest earlier kept fetch of the page stands in (the same content)."""
    sql = "select * from fetches where crawl_id = ? and portal_id = ?"
    args = [crawl_id, portal_id]
    where = " and (url = ? or final_url = ?)" if url else " and kind in ('homepage', 'migrated')"
    extra = [url, url] if url else []
    rows = store.query(sql + where + " order by rendered, fetched_at", args + extra)
    if rows:
        return rows
    crawl = store.crawl(crawl_id)
    if crawl is None:
        return []
    page = " and (f.url = ? or f.final_url = ?)" if url else " and f.kind in ('homepage', 'migrated')"
    rows = store.query("select f.*, c.now as crawl_clock, c.started as crawl_started from fetches f "
                       "join crawls c on c.id = f.crawl_id where f.portal_id = ?" + page,
                       [portal_id] + extra)
    at = crawl_now(crawl)
    earlier = [r for r in rows if parse_now(r["crawl_clock"] or r["crawl_started"]) <= at]
    earlier.sort(key=lambda r: (parse_now(r["crawl_clock"] or r["crawl_started"]), -r["rendered"]))
    return [{k: v for k, v in earlier[-1].items() if k not in ("crawl_clock", "crawl_started")}] if earlier else []


def save_audits(store, rows: list[dict]) -> None:
    now = utcnow()
    with store.transaction():
        store.db["audits"].upsert_all([{**r, "imported_at": now} for r in rows], pk=("portal_id", "audited_on"))


def latest_findings(store, portal_id: str) -> dict | None:
    """The personal-data and harmful findings (lists of JSON objects) of the portal's newest finished
    ``portal`` crawl that looked for them, with that crawl's id; None when there is none."""
    rows = store.query(
        "select pc.crawl_id, c.now, c.started from portal_crawls pc join crawls c on c.id = pc.crawl_id "
        "where pc.portal_id = ? and c.spider = 'portal' and c.status = 'finished' "
        "and (pc.privacy is not null or pc.harmful is not null)", [portal_id])
    if not rows:
        return None
    crawl_id = max(rows, key=crawl_now)["crawl_id"]
    found = store.query("select privacy, harmful from portal_crawls where crawl_id = ? and portal_id = ?",
                        [crawl_id, portal_id])[0]
    return {"crawl_id": crawl_id, "privacy": json.loads(found["privacy"] or "[]"),
            "harmful": json.loads(found["harmful"] or "[]")}


def fetch_kinds(store, crawl_id: str, portal_id: str) -> dict[str, str]:
    """URL (as asked and as answered) -> kind of the portal's fetches in a crawl."""
    out: dict[str, str] = {}
    for r in store.query("select url, final_url, kind from fetches where crawl_id = ? and portal_id = ?",
                         [crawl_id, portal_id]):
        out.setdefault(r["url"], r["kind"])
        if r["final_url"]:
            out.setdefault(r["final_url"], r["kind"])
    return out


def known_entry_urls(store, portal_id: str) -> set[str]:
    """URLs of every list entry the store has seen for a portal (to fetch only new articles)."""
    return {r["url"] for r in store.query("select url from entries where portal_id = ? and url is not null",
                                          [portal_id])}


def entry_rows(store, portal_ids: list[str], seen_since: str) -> list[dict]:
    """List entries of these portals seen since ``seen_since`` (UTC ISO), for the re-dating check."""
    out: list[dict] = []
    for i in range(0, len(portal_ids), 500):
        chunk = portal_ids[i:i + 500]
        out += store.query(
            "select portal_id, column_url, title, url, published, first_published, first_seen, last_seen "
            f"from entries where last_seen >= ? and portal_id in ({','.join('?' * len(chunk))})",
            [seen_since] + chunk)
    return out


def crawl_days_of_portals(store, portal_ids: list[str]) -> dict[str, list[datetime]]:
    """Each portal's finished ``portal`` crawls, on their clocks."""
    out: dict[str, list[datetime]] = {}
    rows = store.query("select pc.portal_id, c.now, c.started from portal_crawls pc join crawls c "
                       "on c.id = pc.crawl_id where c.spider = 'portal' and c.status = 'finished'")
    wanted = set(portal_ids)
    for r in rows:
        if r["portal_id"] in wanted:
            out.setdefault(r["portal_id"], []).append(crawl_now(r))
    return out


def latest_guides(store) -> list[dict]:
    """The service guides of each portal's newest crawl that read any: portal, URL and text."""
    rows = store.query(
        "select g.portal_id, g.url, g.text_hash, c.now, c.started from guides g join crawls c "
        "on c.id = g.crawl_id")
    newest: dict[str, datetime] = {}
    for r in rows:
        at = crawl_now(r)
        if r["portal_id"] not in newest or at > newest[r["portal_id"]]:
            newest[r["portal_id"]] = at
    keep = [r for r in rows if crawl_now(r) == newest[r["portal_id"]]]
    texts = {}
    for r in keep:
        if r["text_hash"] not in texts:
            data = store.query("select data from guide_texts where hash = ?", [r["text_hash"]])
            texts[r["text_hash"]] = zlib.decompress(data[0]["data"]).decode("utf-8") if data else ""
    return [{"portal_id": r["portal_id"], "url": r["url"], "text": texts[r["text_hash"]]} for r in keep]

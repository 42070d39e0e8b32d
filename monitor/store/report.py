"""Store reads for the spot-check report (``monitor report``) and the review sample: rows only.

A report period holds tens of daily crawls of up to tens of thousands of portals, so nothing here
reads the verdicts table whole: ``newest_known`` walks a period's crawls newest first and asks each
crawl only for the (portal, rule) pairs still undecided (primary-key lookups on ``verdicts``), and
``verdict_rows_of`` reads the history of chosen pairs the same way. The figures themselves are
computed in ``monitor.report.figures`` (no SQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

_CHUNK = 500


def finished_portal_crawls(store) -> list[dict]:
    """Every finished ``portal`` crawl: id, clock (``now``), started and finished times."""
    return store.query("select id, now, started, finished from crawls "
                       "where status = 'finished' and spider = 'portal' order by started")


def registry_rows(store) -> list[dict]:
    """The registry as last synced into the store."""
    return store.query("select id, name, region, level, url, status, migrated_to from portals "
                       "order by region, id")


def rules_of_crawl(store, crawl_id: str) -> list[str]:
    """The rules a crawl was judged on (a newer version may have judged rules this one lacks)."""
    return [r["rule"] for r in store.query("select distinct rule from verdicts where crawl_id = ?", [crawl_id])]


def crawled_portals(store, crawl_ids: Sequence[str]) -> set[str]:
    """Portals with a crawl record in any of ``crawl_ids``."""
    out: set[str] = set()
    for i in range(0, len(crawl_ids), _CHUNK):
        chunk = list(crawl_ids[i:i + _CHUNK])
        marks = ",".join("?" for _ in chunk)
        out.update(r["portal_id"] for r in store.query(
            f"select distinct portal_id from portal_crawls where crawl_id in ({marks})", chunk))
    return out


def _fill_pairs(store, table: str, pairs: Iterable[tuple[str, str]]) -> None:
    store.db.execute(f"drop table if exists temp.{table}")
    store.db.execute(f"create temp table {table} (portal_id text, rule text, "
                     "primary key (portal_id, rule)) without rowid")
    store.db.conn.executemany(f"insert or ignore into temp.{table} values (?, ?)", pairs)


def newest_known(store, crawl_ids: Sequence[str], pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """For each (portal, rule) of ``pairs``, the verdict (``passed`` not null) of the first crawl of
    ``crawl_ids`` (ordered newest first) that judged it known: ``{(portal, rule): {crawl_id,
    passed, level, value, at}}`` (``value`` decoded). Pairs never known are absent."""
    found: dict[tuple[str, str], dict] = {}
    remaining = set(pairs)
    if not remaining or not crawl_ids:
        return found
    with store.db.conn:
        _fill_pairs(store, "report_undecided", remaining)
        for crawl_id in crawl_ids:
            if not remaining:
                break
            rows = store.query(
                "select v.portal_id, v.rule, v.passed, v.level, v.value, v.at from temp.report_undecided u "
                "join verdicts v on v.crawl_id = ? and v.portal_id = u.portal_id and v.rule = u.rule "
                "where v.passed is not null", [crawl_id])
            decided = []
            for r in rows:
                key = (r["portal_id"], r["rule"])
                r["crawl_id"] = crawl_id
                r["value"] = _decode(r["value"])
                found[key] = r
                decided.append(key)
            if decided:
                remaining.difference_update(decided)
                store.db.conn.executemany(
                    "delete from temp.report_undecided where portal_id = ? and rule = ?", decided)
        store.db.execute("drop table if exists temp.report_undecided")
    return found


def verdict_rows_of(store, crawl_ids: Sequence[str], pairs: Iterable[tuple[str, str]],
                    evidence: bool = True) -> list[dict]:
    """Every verdict of ``pairs`` (portal, rule) in the crawls ``crawl_ids``, ``value`` and
    ``evidence`` decoded (``evidence`` False: an empty dict, for speed)."""
    pairs = set(pairs)
    if not pairs or not crawl_ids:
        return []
    columns = "v.portal_id, v.crawl_id, v.rule, v.passed, v.level, v.value, v.at" + (
        ", v.evidence" if evidence else "")
    out = []
    with store.db.conn:
        _fill_pairs(store, "report_pairs", pairs)
        for crawl_id in crawl_ids:
            rows = store.query(f"select {columns} from temp.report_pairs p join verdicts v "
                               "on v.crawl_id = ? and v.portal_id = p.portal_id and v.rule = p.rule",
                               [crawl_id])
            for r in rows:
                r["value"] = _decode(r["value"])
                r["evidence"] = _decode(r.get("evidence")) or {}
            out.extend(rows)
        store.db.execute("drop table if exists temp.report_pairs")
    return out


def audit_rows(store, since: str, until: str) -> list[dict]:
    """Imported official and review results audited on a day in [since, until)."""
    return store.query("select * from audits where audited_on >= ? and audited_on < ? "
                       "order by audited_on, portal_id", [since, until])


def _decode(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text

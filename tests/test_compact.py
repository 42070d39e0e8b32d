"""Compact rows (monitor/store/compact.py): what a reader sees through the views is what was
written, while a page, column or evidence that did not change is stored once."""

from __future__ import annotations

import json

import sqlite_utils

from monitor.store import Store
from monitor.store.compact import insert_verdicts
from monitor.store.merge import merge_stores
from monitor.store.migrations import migrate
from monitor.store.retention import roll_up

HOME = "http://www.example.gov.cn/"


def _fetch(crawl_id, body_hash, latency, at, fid=None, link_text="首页"):
    return {"id": fid or f"f-{crawl_id}", "crawl_id": crawl_id, "portal_id": "p", "url": HOME, "final_url": None,
            "kind": "homepage", "depth": 0, "parent_url": None, "link_text": link_text, "status": 200,
            "error": None, "latency_ms": latency, "size": 10, "charset": "utf-8", "fetched_at": at,
            "body_hash": body_hash, "rendered": 0, "published": None, "document_date": None}


def _column(crawl_id, newest, fetch_id):
    return {"crawl_id": crawl_id, "portal_id": "p", "url": HOME + "col/", "name": "工作动态", "type": "dynamic",
            "max_age_days": 14, "newest": newest, "blank": 0, "entries": 20, "fetched": 1, "fetch_id": fetch_id,
            "link_text": "工作动态"}


def _crawl(store, n, body, newest="2026-11-01", **fetch):
    crawl_id = store.begin_crawl("portal", "portal=p", now=f"2026-11-0{n}T10:00:00+08:00")
    shown = store.add("fetches", _fetch(crawl_id, body, 100.0 + n, f"2026-11-0{n}T02:00:0{n}+00:00", **fetch))
    store.add("columns", _column(crawl_id, newest, f"f-{crawl_id}"))
    store.add("portal_crawls", {"crawl_id": crawl_id, "portal_id": "p", "outcome": "fetched"})
    store.finish_crawl(crawl_id, "finished", {})
    return crawl_id, shown


def test_an_unchanged_page_is_stored_once_and_read_back_per_crawl(tmp_path):
    with Store(tmp_path / "m.db") as store:
        c1, s1 = _crawl(store, 1, "h-a")
        c2, s2 = _crawl(store, 2, "h-a")
        c3, s3 = _crawl(store, 3, "h-b", newest="2026-11-03")
        c4, s4 = _crawl(store, 4, "h-b", newest="2026-11-03")
        c5, s5 = _crawl(store, 5, "h-b", newest="2026-11-03", link_text="门户首页")
        rows = store.query("select * from fetches order by fetched_at")
        # every crawl has its row, with its own crawl, time and latency
        assert [r["crawl_id"] for r in rows] == [c1, c2, c3, c4, c5]
        assert [r["latency_ms"] for r in rows] == [101.0, 102.0, 103.0, 104.0, 105.0]
        assert [r["fetched_at"] for r in rows] == [f"2026-11-0{n}T02:00:0{n}+00:00" for n in range(1, 6)]
        assert [r["body_hash"] for r in rows] == ["h-a", "h-a", "h-b", "h-b", "h-b"]
        # an unchanged page shows the row it repeats (its id); a change is a full row of its own
        assert (s1, s2, s3, s4, s5) == (f"f-{c1}", f"f-{c1}", f"f-{c3}", f"f-{c3}", f"f-{c5}")
        assert [r["id"] for r in rows] == [s1, s2, s3, s4, s5]
        assert store.query("select count(*) n from fetch_rows")[0]["n"] == 3
        assert store.query("select count(*) n from fetch_repeats")[0]["n"] == 2
        # columns: the same, and a repeated column points at the fetch the view shows for its crawl
        columns = store.query("select crawl_id, newest, fetch_id from columns order by crawl_id")
        assert sorted((r["crawl_id"], r["newest"], r["fetch_id"]) for r in columns) == sorted([
            (c1, "2026-11-01", s1), (c2, "2026-11-01", s2), (c3, "2026-11-03", s3), (c4, "2026-11-03", s4),
            (c5, "2026-11-03", s5)])
        assert store.query("select count(*) n from column_repeats")[0]["n"] == 2
        # the per-crawl readers see one row per crawl and portal
        for crawl_id in (c1, c2, c3, c4, c5):
            assert len(store.query("select * from fetches where crawl_id = ? and portal_id = 'p'", [crawl_id])) == 1
            assert len(store.query("select * from columns where crawl_id = ? and portal_id = 'p'", [crawl_id])) == 1


def test_a_crawl_resumed_after_a_change_keeps_one_row_per_page(tmp_path):
    with Store(tmp_path / "m.db") as store:
        c1, _ = _crawl(store, 1, "h-a")
        c2 = store.begin_crawl("portal", "portal=p")
        store.add("fetches", _fetch(c2, "h-a", 5.0, "2026-11-02T02:00:00+00:00"))
        store.flush()  # stopped here; started again, the page has changed meanwhile
        assert store.add("fetches", _fetch(c2, "h-new", 6.0, "2026-11-02T03:00:00+00:00")) == f"f-{c2}"
        store.flush()
        rows = store.query("select body_hash from fetches where crawl_id = ?", [c2])
        assert rows == [{"body_hash": "h-new"}]


def test_verdicts_keep_their_text_and_share_identical_evidence(tmp_path):
    evidence = json.dumps({"url": HOME, "found": True})
    with Store(tmp_path / "m.db") as store:
        rows = [{"crawl_id": c, "portal_id": "p", "rule": "error_link", "passed": 1, "level": "ok",
                 "value": '"present"', "evidence": evidence, "at": at}
                for c, at in (("c1", "2026-11-01T10:00:00+08:00"), ("c2", "2026-11-02T10:00:00+08:00"),
                              ("c3", "2026-11-03 10:00"))]  # not the store's format: kept as written
        with store.transaction():
            insert_verdicts(store.db.conn, rows, store.names)
        assert store.query("select * from verdicts order by crawl_id") == rows
        assert store.query("select refs from evidence") == [{"refs": 3}]
        # thinned or deleted, evidence nobody refers to is gone
        with store.transaction():
            store.db.execute("update verdict_rows set evidence_n = null")
        assert store.query("select count(*) n from evidence")[0]["n"] == 0
        assert [r["evidence"] for r in store.query("select evidence from verdicts")] == [None] * 3


def test_an_older_store_is_moved_into_the_compact_rows_unchanged(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrate(db, upto="012_portal_crawls_by_portal")
    verdicts = [{"crawl_id": f"c{i}", "portal_id": p, "rule": rule, "passed": 1, "level": "ok", "value": "0",
                 "evidence": json.dumps({"portal": p, "rule": rule}), "at": f"2026-11-0{i}T10:00:00+08:00"}
                for i in (1, 2) for p in ("p", "q") for rule in ("reachable", "overall")]
    verdicts[-1]["at"] = "2026-02-30T10:00:00+08:00"  # not a date: kept as written, not moved to 2 March
    db["verdicts"].insert_all(verdicts)
    fetches = [_fetch(c, "h", 1.0, "2026-11-01T00:00:00+00:00") for c in ("c1", "c2")]
    db["fetches"].insert_all(fetches)
    db["columns"].insert_all([_column("c1", "2026-11-01", "f-c1")])
    db.conn.close()
    with Store(path) as store:
        assert store.query("select * from verdicts order by crawl_id, portal_id, rule") == sorted(
            verdicts, key=lambda v: (v["crawl_id"], v["portal_id"], v["rule"]))
        assert store.query("select * from fetches order by crawl_id") == fetches
        assert store.query("select * from columns") == [_column("c1", "2026-11-01", "f-c1")]
        assert store.query("select count(*) n from evidence")[0]["n"] == 4


def test_merged_node_stores_read_as_the_union_and_merge_again_to_nothing(tmp_path):
    nodes = []
    for name, n in (("a", 1), ("b", 2)):
        with Store(tmp_path / f"{name}.db") as store:
            first, _ = _crawl(store, n, "h-a")
            second, _ = _crawl(store, n + 2, "h-a")
            with store.transaction():
                insert_verdicts(store.db.conn, [{"crawl_id": c, "portal_id": "p", "rule": "overall", "passed": 1,
                                                 "level": "ok", "value": "1", "evidence": '{"same":1}',
                                                 "at": "2026-11-01T10:00:00+08:00"} for c in (first, second)],
                                store.names)
            nodes.append((tmp_path / f"{name}.db", {first, second}))
    out = tmp_path / "merged.db"
    merge_stores([str(p) for p, _ in nodes], str(out))
    with Store(out) as merged:
        crawls = {r["crawl_id"] for r in merged.query("select crawl_id from fetches")}
        assert crawls == nodes[0][1] | nodes[1][1]
        assert {r["crawl_id"] for r in merged.query("select crawl_id from columns")} == crawls
        assert {r["crawl_id"] for r in merged.query("select crawl_id from verdicts")} == crawls
        assert merged.query("select count(*) n, sum(refs) refs from evidence")[0] == {"n": 1, "refs": 4}
    again = merge_stores([str(p) for p, _ in nodes], str(out))
    assert sum(again.changed.values()) == 0


def test_retention_drops_the_repeats_of_old_crawls_but_not_what_a_finding_rests_on(tmp_path):
    from datetime import datetime

    from monitor.clock import SHANGHAI
    with Store(tmp_path / "m.db") as store:
        ids = [_crawl(store, n, "h-a")[0] for n in range(1, 6)]
        with store.transaction():  # crawl 2 has a finding; crawl 3 is not judged yet
            insert_verdicts(store.db.conn, [{"crawl_id": c, "portal_id": "p", "rule": "error_link",
                                             "passed": int(i != 1), "level": "fail" if i == 1 else "ok",
                                             "value": '"x"', "evidence": "{}", "at": "2026-11-02T10:00:00+08:00"}
                                            for i, c in enumerate(ids) if i != 2], store.names)
        counts = roll_up(store, 1, datetime(2026, 11, 5, 12, tzinfo=SHANGHAI))
        assert counts["crawls"] == 3
        kept = [r["crawl_id"] for r in store.query("select crawl_id from fetches order by fetched_at")]
        # the first, the one with a finding, the one not judged yet (it waits), the newest
        assert kept == [ids[0], ids[1], ids[2], ids[4]]
        assert {r["crawl_id"] for r in store.query("select crawl_id from rollups")} == {ids[0], ids[1], ids[3]}


def test_the_canned_queries_read_the_compact_tables_through_their_indexes(tmp_path):
    """A national store has millions of verdicts and fetches: the canned queries of ``monitor
    serve`` must look a portal's rows up, never read a table or view whole (SQLite neither flattens
    a join view on the right of a LEFT JOIN nor pushes a correlated term into a UNION ALL view)."""
    import re

    from monitor.store.canned import PORTAL_HISTORY, QUALIFIED_SHARE, latest_verdicts_sql
    whole = re.compile(r"^(SCAN (fetch_rows|fetch_repeats|verdict_rows|column_rows|column_repeats|f|r|v|vr)\b"
                       r"|MATERIALIZE (verdicts|fetches|columns|v)\b)")
    with Store(tmp_path / "m.db") as store:
        _crawl(store, 1, "h-a")
        for sql in (latest_verdicts_sql(["reachable", "error_link"]), QUALIFIED_SHARE, PORTAL_HISTORY):
            plan = [r[3] for r in store.db.conn.execute("explain query plan " + sql, {"region": "", "portal": "p"})]
            assert not [step for step in plan if whole.match(step)], plan


def test_pages_fetched_once_keep_no_head(tmp_path):
    """An article is fetched once, when its entry is new: a head for it would be a row a day, forever."""
    with Store(tmp_path / "m.db") as store:
        crawl_id = store.begin_crawl("portal", "portal=p")
        for n in range(3):
            store.add("fetches", {**_fetch(crawl_id, f"h-{n}", 1.0, "2026-11-01T02:00:00+00:00", fid=f"a{n}"),
                                  "kind": "article", "url": f"{HOME}art/{n}.html"})
        store.add("fetches", _fetch(crawl_id, "h-home", 1.0, "2026-11-01T02:00:00+00:00"))
        store.flush()
        assert store.query("select count(*) n from fetches where kind = 'article'")[0]["n"] == 3
        assert store.query("select count(*) n from fetch_heads")[0]["n"] == 1  # the homepage's

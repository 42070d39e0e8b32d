"""The retention roll-up: old per-crawl rows kept only where something changed; every verdict and
the evidence behind every finding kept; ``monitor evidence`` still finds a rolled-up page."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from click.testing import CliRunner

from monitor.cli import cli
from monitor.clock import SHANGHAI, iso
from monitor.store import Store
from monitor.store.compact import insert_verdicts
from monitor.store.retention import roll_up

T0 = datetime(2026, 1, 1, 10, tzinfo=SHANGHAI)
HOME = "http://www.example.gov.cn/"


def _crawl(store, day: int, body: bytes, failing: bool = False, full: bool = False) -> str:
    now = T0 + timedelta(days=day)
    crawl_id = store.begin_crawl("portal", "portal=p", now=iso(now))
    digest = store.add_body(body, "utf-8")
    fetch = {"id": f"f{day}", "crawl_id": crawl_id, "portal_id": "p", "url": HOME, "final_url": HOME,
             "kind": "homepage", "depth": 0, "status": 200, "fetched_at": iso(now), "body_hash": digest, "rendered": 0}
    if full:  # a full row whatever came before (as merged in from another node)
        store.add_raw("fetch_rows", fetch)
    else:
        store.add("fetches", fetch)
    store.add("columns", {"crawl_id": crawl_id, "portal_id": "p", "url": HOME + "col/", "name": "工作动态",
                          "newest": "2025-12-30", "blank": 0, "entries": 20, "fetched": 1})
    store.finish_crawl(crawl_id, "finished", {})
    level = "fail" if failing else "ok"
    with store.transaction():
        insert_verdicts(store.db.conn, [{"crawl_id": crawl_id, "portal_id": "p", "rule": "error_link",
                                         "passed": 0 if failing else 1, "level": level, "value": '"x"',
                                         "evidence": json.dumps({"url": HOME, "failing": failing}),
                                         "at": iso(now)}], store.names)
    return crawl_id


def test_roll_up_keeps_what_changed_every_verdict_and_the_evidence_of_findings(tmp_path):
    db = tmp_path / "m.db"
    with Store(db) as store:
        ids = [_crawl(store, 0, b"<html>a</html>"), _crawl(store, 1, b"<html>a</html>"),
               _crawl(store, 2, b"<html>a</html>", failing=True), _crawl(store, 3, b"<html>b</html>"),
               _crawl(store, 4, b"<html>b</html>"), _crawl(store, 30, b"<html>b</html>")]
        counts = roll_up(store, 10, T0 + timedelta(days=31))
        kept = {r["crawl_id"] for r in store.query("select crawl_id from fetches")}
        # day 0 (first), day 2 (a finding), day 3 (changed), day 30 (inside the window)
        assert kept == {ids[0], ids[2], ids[3], ids[5]}
        assert counts["crawls"] == 5 and counts["fetches"] == 2
        assert store.query("select count(*) n from verdicts")[0]["n"] == 6  # every verdict stays
        failing = store.query("select evidence from verdicts where crawl_id = ?", [ids[2]])[0]
        assert json.loads(failing["evidence"])["failing"] is True
        assert store.query("select count(*) n from bodies")[0]["n"] == 2
        columns = {r["crawl_id"] for r in store.query("select crawl_id from columns")}
        assert columns == {ids[0], ids[2], ids[5]}
        assert roll_up(store, 10, T0 + timedelta(days=31))["fetches"] == 0  # idempotent
    # the rolled-up crawl's page is the last kept one before it: the same bytes
    result = CliRunner().invoke(cli, ["evidence", "p", "--crawl", ids[4], "--db", str(db),
                                      "-o", str(tmp_path / "page.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "page.html").read_bytes() == b"<html>b</html>"


def test_daily_roll_ups_one_crawl_at_a_time_match_one_roll_up_of_all(tmp_path):
    bodies = [b"a", b"a", b"a", b"b", b"b", b"a", b"a", b"a"]
    with Store(tmp_path / "daily.db") as daily, Store(tmp_path / "once.db") as once:
        rolled = 0
        for day, body in enumerate(bodies):
            _crawl(daily, day, body)
            _crawl(once, day, body)
            # as at each crawl's close: what is older than two days is rolled up, once
            rolled += roll_up(daily, 2, T0 + timedelta(days=day, hours=1))["crawls"]
        roll_up(once, 2, T0 + timedelta(days=len(bodies) - 1, hours=1))
        assert rolled == len(bodies) - 2 == len(daily.query("select crawl_id from rollups"))
        kept = [[r["fetched_at"][:10] for r in s.query("select fetched_at from fetches order by fetched_at")]
                for s in (daily, once)]
        # the first "a", the change to "b", the change back to "a", and the two crawls in the window
        assert kept[0] == kept[1] == ["2026-01-01", "2026-01-04", "2026-01-06", "2026-01-07", "2026-01-08"]
        # one row of state per page and column, however many crawls were rolled up
        assert daily.query("select count(*) n from rollup_pages")[0]["n"] == 1
        assert daily.query("select count(*) n from rollup_columns")[0]["n"] == 1
        # a crawl merged in late, older than what was rolled up, is left as it is
        # (merged from another node's store: a full row, where this store would have written a repeat)
        late = _crawl(daily, -1, b"a", full=True)
        with daily.transaction():  # it started before every other crawl, on another node
            daily.db.execute("update crawls set started = '2000-01-01T00:00:00+00:00' where id = ?", [late])
        assert roll_up(daily, 2, T0 + timedelta(days=len(bodies)))["fetches"] == 0
        assert daily.query("select count(*) n from fetches where crawl_id = ?", [late])[0]["n"] == 1

"""The retention roll-up: old per-crawl rows kept only where something changed; every verdict and
the evidence behind every finding kept; ``monitor evidence`` still finds a rolled-up page."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from click.testing import CliRunner

from monitor.cli import cli
from monitor.clock import SHANGHAI, iso
from monitor.store import Store
from monitor.store.retention import roll_up

T0 = datetime(2026, 1, 1, 10, tzinfo=SHANGHAI)
HOME = "http://www.example.gov.cn/"


def _crawl(store, day: int, body: bytes, failing: bool = False) -> str:
    now = T0 + timedelta(days=day)
    crawl_id = store.begin_crawl("portal", "portal=p", now=iso(now))
    digest = store.add_body(body, "utf-8")
    store.add("fetches", {"id": f"f{day}", "crawl_id": crawl_id, "portal_id": "p", "url": HOME,
                          "final_url": HOME, "kind": "homepage", "depth": 0, "status": 200,
                          "fetched_at": iso(now), "body_hash": digest, "rendered": 0})
    store.add("columns", {"crawl_id": crawl_id, "portal_id": "p", "url": HOME + "col/", "name": "工作动态",
                          "newest": "2025-12-30", "blank": 0, "entries": 20, "fetched": 1})
    store.finish_crawl(crawl_id, "finished", {})
    level = "fail" if failing else "ok"
    with store.transaction():
        store.db["verdicts"].insert({"crawl_id": crawl_id, "portal_id": "p", "rule": "error_link",
                                     "passed": 0 if failing else 1, "level": level, "value": '"x"',
                                     "evidence": json.dumps({"url": HOME, "failing": failing}), "at": iso(now)})
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

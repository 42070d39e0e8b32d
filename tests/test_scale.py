"""``monitor schedule`` sharding and failure reporting, ``monitor merge`` semantics (no scrapyd needed)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.cli.scale import shard_regions
from monitor.paths import SANDBOX_REGISTRY_CSV
from monitor.store import Store, new_id
from monitor.store.merge import POLICIES, SKIPPED, TRANSLATED, merge_stores


def test_shards_are_balanced_largest_first():
    counts = {"bumen": 60, "henan": 20, "hebei": 18, "shanxi": 15, "xizang": 5, "bingtuan": 2}
    shards = shard_regions(counts, 2)
    assert shards == [["bumen"], ["bingtuan", "hebei", "henan", "shanxi", "xizang"]]
    loads = [sum(counts[r] for r in s) for s in shard_regions(counts, 3)]
    assert loads == [60, 27, 33]  # henan+xizang+bingtuan, hebei+shanxi
    assert shard_regions({"a": 1}, 3) == [["a"], [], []]


@pytest.fixture
def error_node():
    """A scrapyd stand-in that refuses every job the way scrapyd does (HTTP 200, status error)."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.dumps({"status": "error", "message": "project 'portal_monitor' not found"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_schedule_reports_every_failed_node(error_node):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{s.getsockname()[1]}/"
    result = CliRunner().invoke(cli, ["schedule", "--scrapyd", error_node, "--scrapyd", refused, "--spider", "portal",
                                      "--registry", str(SANDBOX_REGISTRY_CSV), "--format", "json"])
    assert result.exit_code == 1
    rows = json.loads(result.output[result.output.index("["):result.output.rindex("]") + 1])
    assert [r["node"] for r in rows] == [error_node, refused]
    assert "project 'portal_monitor' not found" in rows[0]["error"]
    assert rows[1]["error"] == "connection refused"
    assert all(r["jobid"] is None and r["regions"] for r in rows)
    assert "2 of 2 node(s)" in result.output


def test_schedule_unknown_region_fails_before_posting():
    result = CliRunner().invoke(cli, ["schedule", "--scrapyd", "http://127.0.0.1:9/", "--spider", "probe",
                                      "--regions", "atlantis", "--registry", str(SANDBOX_REGISTRY_CSV)])
    assert result.exit_code == 2 and "unknown region atlantis" in result.output


def _node(path, portal_synced: str, seen: tuple[str, str], title: str) -> str:
    with Store(path) as store:
        crawl = store.begin_crawl("portal", "region=all")
        store.db["portals"].insert({"id": "p1", "name": "一", "region": "henan", "level": "city",
                                    "url": "http://www.a.gov.cn/", "status": "active", "synced_at": portal_synced})
        digest = store.add_body(b"<html>same page on both nodes</html>", "utf-8")
        store.add("fetches", {"id": new_id(), "crawl_id": crawl, "portal_id": "p1", "url": "http://www.a.gov.cn/",
                              "body_hash": digest})
        store.add("entries", {"id": "e1", "portal_id": "p1", "column_url": "http://www.a.gov.cn/", "url": "/a.html",
                              "title": title, "published": None, "first_seen": seen[0], "last_seen": seen[1],
                              "first_crawl_id": crawl})
        store.finish_crawl(crawl, counts={"portals": 1, "pages": 1})
    return crawl


def test_merge_dedupes_and_keeps_earliest_first_and_latest_last_seen(tmp_path):
    a, b, out = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "m.db"
    ca = _node(a, "2026-01-02T00:00:00+00:00", ("2026-01-05", "2026-01-06"), "old title")
    cb = _node(b, "2026-01-03T00:00:00+00:00", ("2026-01-01", "2026-01-09"), "new title")
    result = merge_stores([str(a), str(b)], str(out))
    assert sorted(result.new_crawls) == sorted([ca, cb]) and not result.unknown_tables
    with Store(out) as store:
        assert {c["id"] for c in store.crawls()} == {ca, cb}
        assert store.query("select count(*) n from bodies")[0]["n"] == 1
        assert store.query("select count(*) n from fetches")[0]["n"] == 2
        entry = store.query("select * from entries")[0]
        assert (entry["first_seen"], entry["last_seen"], entry["first_crawl_id"], entry["title"]) == \
            ("2026-01-01", "2026-01-09", cb, "new title")
        assert store.query("select synced_at from portals")[0]["synced_at"].startswith("2026-01-03")
    again = merge_stores([str(b), str(a)], str(out))  # merging the same stores again adds nothing
    assert again.new_crawls == [] and sum(again.changed.values()) == 0


def test_merge_cli_errors_are_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["merge", str(tmp_path / "missing.db"), "-o", str(tmp_path / "m.db")])
    assert result.exit_code == 2 and "no such database" in result.output
    db = tmp_path / "a.db"
    Store(db).close()
    result = CliRunner().invoke(cli, ["merge", str(db), "-o", str(db)])
    assert result.exit_code == 2 and "cannot also be the output" in result.output


def test_every_table_has_a_merge_policy(tmp_path):
    """A new table (a migration) must decide how it merges."""
    with Store(tmp_path / "x.db") as store:
        tables = set(store.db.table_names()) - set(SKIPPED)
    assert tables <= set(POLICIES) | set(TRANSLATED), tables - set(POLICIES) - set(TRANSLATED)

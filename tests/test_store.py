"""The snapshot store: migrations on an old database, aborted crawls, body dedup, bad paths."""

import subprocess
import sys

import pytest
import sqlite_utils

from monitor.store import Store, StoreError
from monitor.store.migrations import MIGRATIONS, applied, migrate


def test_old_database_is_migrated_in_place_without_losing_rows(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrate(db, upto="001_initial")
    db["crawls"].insert({"id": "c1", "spider": "portal", "status": "finished", "started": "2026-01-01"})
    db["fetches"].insert({"id": "f1", "crawl_id": "c1", "url": "http://www.a.gov.cn/"})
    db.conn.close()
    assert "rendered" not in [c.name for c in sqlite_utils.Database(path)["fetches"].columns]

    store = Store(path)
    assert applied(store.db) == MIGRATIONS
    assert store.query("select id, rendered from fetches") == [{"id": "f1", "rendered": 0}]
    assert store.crawl("c1")["status"] == "finished"
    assert {"releases", "verdicts", "visits", "baselines"} <= set(store.db.table_names() + store.db.view_names())
    store.close()


def test_store_of_the_home_made_migrations_table_is_upgraded_in_place(tmp_path):
    """Stores written before sqlite-utils' Migrations recorded their history in ``_migrations``:
    it is carried over, only the newer migrations run, and no row is lost."""
    path = tmp_path / "legacy.db"
    db = sqlite_utils.Database(path)
    migrate(db, upto="005_without_rowid")
    db["crawls"].insert({"id": "c1", "spider": "portal", "status": "finished", "started": "2026-01-01"})
    db["_sqlite_migrations"].drop()
    db["_migrations"].insert_all([{"name": n, "applied_at": "2026-11-01T00:00:00+00:00"}
                                  for n in MIGRATIONS[:5]], pk="name")
    db.conn.close()

    store = Store(path)
    assert applied(store.db) == MIGRATIONS
    assert "_migrations" not in store.db.table_names()
    assert "progress" in [c.name for c in store.db["crawls"].columns]
    assert store.crawl("c1")["status"] == "finished"
    store.close()
    assert Store(path).db["_sqlite_migrations"].count == len(MIGRATIONS)  # idempotent


def test_dead_crawl_marked_aborted_by_next_command_not_by_another_crawl(tmp_path):
    path = tmp_path / "m.db"
    # a crawl started by a process that then died
    code = ("from monitor.store import Store; s = Store(%r); print(s.begin_crawl('portal', 'all')); "
            "s.db.conn.close()" % str(path))
    dead_id = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    # a live one, from this process, started after it
    store = Store(path)
    live_id = store.begin_crawl("portal", "region=henan")
    status = {c["id"]: c["status"] for c in store.crawls()}
    assert status == {dead_id: "aborted", live_id: "running"}
    store.finish_crawl(live_id)
    assert store.latest_finished_crawl()["id"] == live_id
    store.close()


def test_stale_heartbeat_from_another_host_is_aborted(tmp_path):
    store = Store(tmp_path / "m.db", heartbeat_stale=60)
    store.db["crawls"].insert({"id": "remote", "spider": "portal", "status": "running", "host": "elsewhere",
                               "pid": 1, "heartbeat": "2020-01-01T00:00:00+00:00", "started": "2020-01-01"})
    store.db["crawls"].insert({"id": "fresh", "spider": "portal", "status": "running", "host": "elsewhere",
                               "pid": 1, "heartbeat": "2999-01-01T00:00:00+00:00", "started": "2020-01-01"})
    assert store.reap_dead_crawls() == ["remote"]
    store.close()


def test_bodies_kept_once_and_compressed(tmp_path):
    store = Store(tmp_path / "m.db")
    body = "<html>河南省人民政府</html>".encode("gbk") * 200
    h1 = store.add_body(body, "gb18030")
    h2 = store.add_body(body, "gb18030")
    store.flush()
    assert h1 == h2
    assert store.query("select count(*) n from bodies")[0]["n"] == 1
    assert store.query("select length(data) n from bodies")[0]["n"] < len(body) / 5
    assert store.body(h1) == body
    store.close()


def test_entries_keep_first_seen(tmp_path):
    store = Store(tmp_path / "m.db")
    row = {"id": "e1", "portal_id": "p", "column_url": "u", "url": "u1", "title": "t", "published": "2026-11-20",
           "first_seen": "2026-11-20T00:00:00", "last_seen": "2026-11-20T00:00:00", "first_crawl_id": "c1"}
    store.add("entries", row)
    store.flush()
    store.add("entries", {**row, "first_seen": "2026-11-25", "last_seen": "2026-11-25", "first_crawl_id": "c2"})
    store.flush()
    got = store.query("select first_seen, last_seen, first_crawl_id from entries")[0]
    assert got == {"first_seen": "2026-11-20T00:00:00", "last_seen": "2026-11-25", "first_crawl_id": "c1"}
    store.close()


def test_unwritable_path_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the directory"):
        Store(blocker / "sub" / "m.db")
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", readonly=True)


def test_not_a_database(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        Store(path)
    assert path.read_bytes() == b"this is not sqlite" * 100

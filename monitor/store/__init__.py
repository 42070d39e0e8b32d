"""The snapshot store: the only code that touches SQLite (through sqlite-utils).

WAL mode and a busy timeout let the CLI read while a crawl writes; crawl writes are buffered and
flushed in one transaction per batch. A crawl records its host, pid and a heartbeat; a crawl still
``running`` whose process is gone (same host) or whose heartbeat is stale is marked ``aborted`` by the
next command that opens the store, never merely because another crawl started.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import time
from contextlib import contextmanager
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from monitor.ids import new_id, stable_id, utcnow
from monitor.store.compact import FLUSH_SQL, Interner, Repeats, insert_verdicts
from monitor.store.migrations import migrate, needs_migration

__all__ = ["Store", "StoreError", "new_id", "stable_id", "utcnow"]

#: how long a writer waits for another's lock (SQLite's busy timeout), and how many times
BUSY_TIMEOUT_S = 30
LOCK_ATTEMPTS = 4


class StoreError(Exception):
    """The database cannot be opened or written; the message names the file."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    def __init__(self, path: str | os.PathLike, *, heartbeat_stale: int = 900, readonly: bool = False):
        self.path = str(path)
        self.heartbeat_stale = heartbeat_stale
        if not readonly:
            parent = Path(self.path).resolve().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create the directory: {exc.strerror}") from None
        elif not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such database (run a crawl first, or pass --db)")
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            self.db = sqlite_utils.Database(conn)
            self.db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            if not readonly:
                self.db.enable_wal()
            self.db.execute("pragma synchronous = normal")
            self.db.execute("pragma foreign_keys = off")
            if needs_migration(self.db):
                with self.transaction():  # two processes opening a new store migrate it once
                    migrate(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the database: {exc}") from None
        self._pending: dict[str, list[dict]] = {}
        #: crawl ids, portal ids, rule names as the integers of the compact tables (``compact.py``)
        self.names = Interner(self.db.conn)
        self.repeats = Repeats(self)
        self._known_bodies: set[str] = set()
        self._pending_upserts: dict[str, tuple[list[dict], Any]] = {}

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self):
        """One write transaction, begun IMMEDIATE: the write lock is taken first, waiting up to the
        busy timeout for another writer (a probe beside a crawl, two probes), and retried a bounded
        number of times. A deferred transaction that reads before it writes can instead fail at
        once with "database is locked" when another writer committed in between; this one cannot.
        Nested use joins the open transaction."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if attempt == LOCK_ATTEMPTS:
                    raise StoreError(f"{self.path}: another writer held the database for "
                                     f"{LOCK_ATTEMPTS} × {BUSY_TIMEOUT_S} s; giving up") from None
                time.sleep(0.1 * attempt)
        try:
            yield
        except BaseException:
            conn.rollback()
            self.names.cache.clear()  # integers interned in the rolled-back transaction are gone
            raise
        conn.commit()

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.flush()
        self.db.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ crawls
    def begin_crawl(self, spider: str, selection: str, now: str | None = None,
                    crawl_id: str | None = None) -> str:
        """Record a crawl as running. An existing, unfinished ``crawl_id`` (a crawl stopped and
        started again with the same JOBDIR) is resumed: the same record runs again, here."""
        self.reap_dead_crawls()
        crawl_id = crawl_id or new_id()
        existing = self.crawl(crawl_id)
        if existing is not None:
            with self.transaction():
                self.db["crawls"].update(crawl_id, {
                    "status": "running", "finished": None, "host": socket.gethostname(),
                    "pid": os.getpid(), "heartbeat": utcnow()})
            return crawl_id
        with self.transaction():
            self.db["crawls"].insert({
                "id": crawl_id, "spider": spider, "selection": selection, "started": utcnow(),
                "finished": None, "status": "running", "host": socket.gethostname(),
                "pid": os.getpid(), "heartbeat": utcnow(), "now": now or None,
                "portals": 0, "pages": 0, "failures": 0, "counts": "{}",
            })
        return crawl_id

    def heartbeat(self, crawl_id: str, progress: dict | None = None) -> None:
        """Move the crawl's heartbeat (and record its progress, shown by ``monitor crawls``)."""
        values = {"heartbeat": utcnow()}
        if progress is not None:
            values["progress"] = json.dumps(progress, ensure_ascii=False, sort_keys=True)
        with self.transaction():
            self.db["crawls"].update(crawl_id, values)

    def finish_crawl(self, crawl_id: str, status: str = "finished", counts: dict | None = None) -> None:
        self.flush()
        counts = counts or {}
        with self.transaction():
            self.db["crawls"].update(crawl_id, {
                "finished": utcnow(), "status": status, "heartbeat": utcnow(),
                "portals": counts.get("portals", 0), "pages": counts.get("pages", 0),
                "failures": counts.get("failures", 0),
                "counts": json.dumps(counts, ensure_ascii=False, sort_keys=True),
            })

    def reap_dead_crawls(self) -> list[str]:
        """Mark crawls whose process died as ``aborted``; return their ids."""
        here = socket.gethostname()
        stale_before = (datetime.now(timezone.utc) - timedelta(seconds=self.heartbeat_stale)).isoformat()
        dead = []
        for row in self.db.query("select id, host, pid, heartbeat from crawls where status = 'running'"):
            if row["pid"] == os.getpid() and row["host"] == here:
                continue
            gone = row["host"] == here and row["pid"] and not _pid_alive(row["pid"])
            if gone or (row["heartbeat"] or "") < stale_before:
                dead.append(row["id"])
        if dead:
            with self.transaction():
                for cid in dead:
                    self.db["crawls"].update(cid, {"status": "aborted", "finished": utcnow()})
        return dead

    def crawls(self, spider: str | None = None, status: str | None = None) -> list[dict]:
        sql, args = "select * from crawls where 1=1", []
        if spider:
            sql += " and spider = ?"
            args.append(spider)
        if status:
            sql += " and status = ?"
            args.append(status)
        return list(self.db.query(sql + " order by started", args))

    def crawl(self, crawl_id: str) -> dict | None:
        rows = list(self.db.query("select * from crawls where id = ?", [crawl_id]))
        return rows[0] if rows else None

    # ------------------------------------------------------------------ registry
    def sync_portals(self, portals: Iterable[Any]) -> None:
        rows = [{
            "id": p.id, "name": p.name, "region": p.region, "level": p.level, "url": p.url,
            "site_code": p.site_code, "status": p.status, "migrated_to": p.migrated_to,
            "render": p.render, "parent": getattr(p, "parent", None), "synced_at": utcnow(),
        } for p in portals]
        with self.transaction():
            self.db["portals"].upsert_all(rows, pk="id")

    def portals(self) -> list[dict]:
        return list(self.db.query("select * from portals order by region, id"))

    # ------------------------------------------------------------------ buffered writes
    def add(self, table: str, row: dict) -> str | None:
        """Buffer a row for ``table`` as readers see it. A fetch or column that repeats its page's
        last full row is written as a repeat (``compact.py``): for a fetch, the id the ``fetches``
        view shows it under is returned."""
        if table == "fetches":
            return self.repeats.fetch(row)
        if table == "columns":
            self.repeats.column(row)
            return None
        self._pending.setdefault(table, []).append(row)
        if table == "portal_crawls":  # the portal is done: its pages' memory is no longer needed
            self.repeats.portal_done(row["portal_id"])
        return None

    def add_raw(self, table: str, row: dict) -> None:
        """Buffer a row for a table of the store itself (not a view)."""
        self._pending.setdefault(table, []).append(row)

    def pending(self) -> int:
        return sum(len(v) for v in self._pending.values())

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        with self.transaction():
            for table, rows in pending.items():
                if table == "entries":
                    self._write_entries(rows)
                elif table in ("bodies", "guide_texts"):
                    self.db[table].insert_all(rows, pk="hash", ignore=True)
                elif table == "verdicts":
                    insert_verdicts(self.db.conn, rows, self.names)
                elif table in FLUSH_SQL:
                    sql, params = FLUSH_SQL[table]
                    self.db.conn.executemany(sql, [params(r, self.names) for r in rows])
                else:
                    self.db[table].upsert_all(rows, pk=_PKS[table])

    def _write_entries(self, rows: list[dict]) -> None:
        """Entries keep the crawl that first saw them; later sightings only move ``last_seen``."""
        self.db["entries"].insert_all(rows, pk="id", ignore=True)
        self.db.conn.executemany(
            "update entries set last_seen = ?, title = ?, published = coalesce(?, published) where id = ?",
            [(r["last_seen"], r["title"], r["published"], r["id"]) for r in rows])

    def add_body(self, body: bytes, encoding: str | None) -> str | None:
        """Keep a page body once per content hash, compressed; return its hash."""
        if not body:
            return None
        digest = hashlib.sha256(body).hexdigest()
        if digest in self._known_bodies:
            return digest
        # compress only what is not stored yet: an unchanged page costs a lookup on a repeat crawl
        if not self.db.execute("select 1 from bodies where hash = ?", [digest]).fetchone():
            self.add("bodies", {"hash": digest, "size": len(body), "encoding": encoding,
                                "data": zlib.compress(body, 6)})
        if len(self._known_bodies) > 100_000:
            self._known_bodies.clear()
        self._known_bodies.add(digest)
        return digest

    def body(self, digest: str) -> bytes | None:
        rows = list(self.db.query("select data from bodies where hash = ?", [digest]))
        return zlib.decompress(rows[0]["data"]) if rows else None

    # ------------------------------------------------------------------ reads
    def query(self, sql: str, args: Iterable[Any] = ()) -> list[dict]:
        return list(self.db.query(sql, list(args)))

    def latest_finished_crawl(self, spider: str | None = "portal") -> dict | None:
        """The newest finished crawl (of ``spider``; None: of any spider)."""
        sql, args = "select * from crawls where status = 'finished'", []
        if spider is not None:
            sql += " and spider = ?"
            args.append(spider)
        rows = self.query(sql + " order by finished desc limit 1", args)
        return rows[0] if rows else None


_PKS = {
    "fetch_rows": "id",
    "column_rows": ("crawl_id", "portal_id", "url"),
    "portal_crawls": ("crawl_id", "portal_id"),
    "releases": "id",
    "reposts": "entry_id",
    "visits": "id",
    "visit_days": ("portal_id", "day"),
    "baselines": "id",
    "audits": ("portal_id", "audited_on"),
    "guides": ("crawl_id", "portal_id", "url"),
}

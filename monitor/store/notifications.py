"""What ``monitor notify`` announced: one ``notifications`` row per recipient and event.

An event is a regression that began or recovered, identified by (portal, rule, first failure,
kind); a row is ``pending`` until a channel accepted it (``sent``) or ``failed`` (retried at the next
run, never dropped). ``recipient`` is a hash of the Apprise URL: URLs carry tokens and passwords and
the store is browsable (``monitor serve``), so only Apprise's masked form is kept beside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

__all__ = ["known_ids", "add_pending", "unsent", "mark_sent", "mark_failed", "last_sent_at",
           "notification_rows"]

_CHUNK = 500


def _chunks(seq: Sequence, n: int = _CHUNK):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def known_ids(store, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` already have a row (sent, pending or failed)."""
    ids = list(ids)
    found: set[str] = set()
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        found.update(r["id"] for r in store.query(f"select id from notifications where id in ({marks})", chunk))
    return found


def add_pending(store, rows: Iterable[dict], at: str) -> int:
    """Record new (recipient, event) rows as pending; rows already known are left as they are."""
    rows = [{**r, "payload": json.dumps(r["payload"], ensure_ascii=False, sort_keys=True, default=str),
             "status": "pending", "attempts": 0, "created_at": at, "last_attempt_at": None,
             "sent_at": None, "error": None} for r in rows]
    if not rows:
        return 0
    with store.db.conn:
        store.db["notifications"].insert_all(rows, pk="id", ignore=True)
    return len(rows)


def unsent(store, recipients: Sequence[str] | None = None) -> list[dict]:
    """Rows not delivered yet (pending or failed), of ``recipients`` when given, oldest event first,
    ``payload`` decoded."""
    sql = "select * from notifications where status != 'sent'"
    rows: list[dict] = []
    if recipients is None:
        rows = store.query(sql + " order by event_at, id")
    else:
        for chunk in _chunks(list(recipients)):
            marks = ", ".join("?" for _ in chunk)
            rows += store.query(sql + f" and recipient in ({marks}) order by event_at, id", chunk)
    for r in rows:
        r["payload"] = json.loads(r["payload"]) if r["payload"] else {}
    return sorted(rows, key=lambda r: (r["event_at"] or "", r["id"]))


def mark_sent(store, ids: Sequence[str], at: str) -> None:
    with store.db.conn:
        for chunk in _chunks(list(ids)):
            marks = ", ".join("?" for _ in chunk)
            store.db.execute(
                f"update notifications set status = 'sent', attempts = attempts + 1, last_attempt_at = ?, "
                f"sent_at = ?, error = null where id in ({marks})", [at, at, *chunk])


def mark_failed(store, ids: Sequence[str], at: str, error: str) -> None:
    with store.db.conn:
        for chunk in _chunks(list(ids)):
            marks = ", ".join("?" for _ in chunk)
            store.db.execute(
                f"update notifications set status = 'failed', attempts = attempts + 1, last_attempt_at = ?, "
                f"error = ? where id in ({marks})", [at, error, *chunk])


def last_sent_at(store, recipient: str) -> str | None:
    """When a message last reached ``recipient`` (the monitor's clock), for digest schedules."""
    rows = store.query("select max(sent_at) as at from notifications where recipient = ? and status = 'sent'",
                       [recipient])
    return rows[0]["at"] if rows else None


def notification_rows(store) -> list[dict]:
    """Every row, oldest first (tests and reports)."""
    return store.query("select * from notifications order by created_at, event_at, id")

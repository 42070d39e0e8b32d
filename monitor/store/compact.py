"""What every crawl repeats, stored once: verdicts, fetches and columns in compact rows.

A year of daily crawls of 15,000 portals is about 60 million page fetches, 70 million verdicts
and 40 million column rows, and nearly all of them say what the crawl before said. Stored as they
are read (text keys, ISO times, the same JSON evidence every day) that was about 1 KB per page and
crawl, 56 GB a year (``bench/soak.py``). Here:

- ``names`` interns the strings every row repeats (crawl ids, portal ids, rule names, column URLs)
  as small integers; ids stay text everywhere a person or another node sees them.
- ``verdict_rows``: a verdict in about 40 bytes, its time as an integer, its evidence a reference
  into ``evidence`` (the JSON once per distinct text, by BLAKE2b hash, reference-counted by
  triggers so thinned evidence does not linger).
- ``fetch_rows`` holds a page's fetch in full only when something about the page changed since its
  last full row (``fetch_heads``: the last full row of every page); a fetch that repeats it is a
  ``fetch_repeats`` row (the crawl, its latency and time, and which full row it repeats).
- ``column_rows`` / ``column_repeats`` / ``column_heads``: the same for the columns of each crawl.

The views ``verdicts``, ``fetches`` and ``columns`` show every row as before (a repeated fetch as
the row it repeats, with its own crawl, latency and time, and the id of the full row: the same
content by construction), so every reader, ``monitor serve`` and SQL by hand read them unchanged.
The views are read-only: writes go through ``Store.add`` (which asks ``Repeats`` whether a fetch or
column repeats its head) and ``insert_verdicts``; merging stores translates the integers
(``monitor/store/merge.py``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from monitor.store.crawls import COMPACT

#: the columns of the views, in the order of the tables they replaced
FETCH_COLUMNS = ("id", "crawl_id", "portal_id", "url", "final_url", "kind", "depth", "parent_url", "link_text",
                 "status", "error", "latency_ms", "size", "charset", "fetched_at", "body_hash", "rendered",
                 "published", "document_date")
COLUMN_COLUMNS = ("crawl_id", "portal_id", "url", "name", "type", "max_age_days", "newest", "blank", "entries",
                  "fetched", "fetch_id", "link_text")
VERDICT_COLUMNS = ("crawl_id", "portal_id", "rule", "passed", "level", "value", "evidence", "at")
#: what a repeated fetch may differ in from the row it repeats: only when and how fast
FETCH_VOLATILE = ("id", "crawl_id", "latency_ms", "fetched_at")
#: a column's facts: a repeated column row differs from its full row in nothing but the crawl
COLUMN_FACTS = COLUMN_COLUMNS[3:]

# Times are stored as integer seconds when their text is the store's own format (the view prints
# the same text back); any other text is kept as it is.
_UTC_TEXT = "strftime('%Y-%m-%dT%H:%M:%S', {0}, 'unixepoch') || '+00:00'"
_SHANGHAI_TEXT = "strftime('%Y-%m-%dT%H:%M:%S', {0}, 'unixepoch', '+8 hours') || '+08:00'"


def _time_sql(column: str, template: str) -> str:
    return f"case typeof({column}) when 'integer' then {template.format(column)} else {column} end"


def pack_time(text, offset: str):
    """ISO text in the store's format (seconds, ``offset``) -> integer seconds; anything else as is."""
    if isinstance(text, str) and len(text) == 25 and text.endswith(offset) and text[10] == "T":
        try:
            return int(datetime.fromisoformat(text).timestamp())
        except ValueError:
            return text
    return text


def digest(text: str) -> bytes:
    """8 bytes of BLAKE2b: equality of evidence texts and of rows' facts, never shown."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def page_key(kind: str | None, url: str | None, rendered) -> str:
    """A portal's page as ``fetch_heads`` names it: kind, URL and whether it was rendered."""
    return f"{kind or ''}\x1f{url or ''}\x1f{int(rendered or 0)}"


def facts_digest(row: dict, fields) -> bytes:
    """The fingerprint of a row's facts (``fields``): a crawl's heads and the roll-up's state."""
    return digest(json.dumps([row.get(f) for f in fields], ensure_ascii=False, default=str, separators=COMPACT))


SCHEMA = [
    "create table names (n integer primary key, name text not null unique)",
    "create table evidence (n integer primary key, hash blob not null unique, json text not null, "
    "refs integer not null default 0)",
    "create table verdict_rows (crawl_n integer not null, portal_n integer not null, rule_n integer not null, "
    "passed integer, level text, value text, evidence_n integer, at, "
    "primary key (crawl_n, portal_n, rule_n)) without rowid",
    # evidence is kept while a verdict refers to it
    "create trigger verdict_rows_ai after insert on verdict_rows when new.evidence_n is not null begin "
    "update evidence set refs = refs + 1 where n = new.evidence_n; end",
    "create trigger verdict_rows_ad after delete on verdict_rows when old.evidence_n is not null begin "
    "update evidence set refs = refs - 1 where n = old.evidence_n; "
    "delete from evidence where n = old.evidence_n and refs <= 0; end",
    "create trigger verdict_rows_au after update of evidence_n on verdict_rows "
    "when old.evidence_n is not new.evidence_n begin "
    "update evidence set refs = refs + 1 where n = new.evidence_n; "
    "update evidence set refs = refs - 1 where n = old.evidence_n; "
    "delete from evidence where n = old.evidence_n and refs <= 0; end",
    "create table fetch_repeats (crawl_n integer not null, portal_n integer not null, of text not null, "
    "latency_ms real, fetched_at, primary key (crawl_n, portal_n, of)) without rowid",
    "create table fetch_heads (portal_n integer not null, page text not null, of text not null, "
    "facts blob not null, primary key (portal_n, page)) without rowid",
    "create table column_repeats (crawl_n integer not null, portal_n integer not null, url_n integer not null, "
    "of_crawl_n integer not null, primary key (crawl_n, portal_n, url_n)) without rowid",
    "create table column_heads (portal_n integer not null, url_n integer not null, crawl_n integer not null, "
    "facts blob not null, primary key (portal_n, url_n)) without rowid",
]

_FETCH_FULL = ", ".join(FETCH_COLUMNS)
_FETCH_REPEAT = ", ".join(
    {"id": "f.id", "crawl_id": "c.name", "portal_id": "p.name", "latency_ms": "r.latency_ms",
     "fetched_at": _time_sql("r.fetched_at", _UTC_TEXT)}.get(col, f"f.{col}") for col in FETCH_COLUMNS)
_COLUMN_FULL = ", ".join(COLUMN_COLUMNS)
_COLUMN_REPEAT = ", ".join(
    {"crawl_id": "c.name", "portal_id": "p.name", "url": "u.name"}.get(col, f"f.{col}") for col in COLUMN_COLUMNS)

VIEWS = {
    "verdicts": (
        "select c.name as crawl_id, p.name as portal_id, r.name as rule, v.passed, v.level, v.value, "
        f"e.json as evidence, {_time_sql('v.at', _SHANGHAI_TEXT)} as at "
        "from verdict_rows v join names c on c.n = v.crawl_n join names p on p.n = v.portal_n "
        "join names r on r.n = v.rule_n left join evidence e on e.n = v.evidence_n"),
    "fetches": (
        f"select {_FETCH_FULL} from fetch_rows union all "
        f"select {_FETCH_REPEAT} from fetch_repeats r join names c on c.n = r.crawl_n "
        "join names p on p.n = r.portal_n join fetch_rows f on f.id = r.of"),
    "columns": (
        f"select {_COLUMN_FULL} from column_rows union all "
        f"select {_COLUMN_REPEAT} from column_repeats r join names c on c.n = r.crawl_n "
        "join names p on p.n = r.portal_n join names u on u.n = r.url_n join names o on o.n = r.of_crawl_n "
        "join column_rows f on f.crawl_id = o.name and f.portal_id = p.name and f.url = u.name"),
}


def homepage_fetch_sql(crawl: str, portal: str) -> str:
    """SQL for the id of a portal's stored homepage in a crawl, as ``monitor evidence`` picks it
    (static before rendered, earliest first), for correlated ``crawl`` and ``portal`` expressions.
    Written against the tables, not the ``fetches`` view: SQLite does not push a correlated term
    into a UNION ALL view, and would read every fetch for each row."""
    kinds = "f.kind in ('homepage', 'migrated')"
    return f"""(select id from (
    select f.id, f.rendered, f.fetched_at from fetch_rows f
    where f.crawl_id = {crawl} and f.portal_id = {portal} and {kinds}
    union all
    select f.id, f.rendered, {_time_sql('r.fetched_at', _UTC_TEXT)} from fetch_repeats r
    join fetch_rows f on f.id = r.of
    where r.crawl_n = (select n from names where name = {crawl})
      and r.portal_n = (select n from names where name = {portal}) and {kinds})
  order by rendered, fetched_at limit 1)"""


#: a verdict's time as the ``verdicts`` view shows it, for SQL over ``verdict_rows v``
VERDICT_AT = _time_sql("v.at", _SHANGHAI_TEXT)


def create(db) -> None:
    """The compact tables and the views over them, moving the rows of an existing store (run once,
    by the migration)."""
    conn = db.conn
    conn.create_function("monitor_digest", 1, lambda t: None if t is None else digest(t), deterministic=True)
    for sql in SCHEMA:
        conn.execute(sql)
    conn.execute("alter table fetches rename to fetch_rows")
    conn.execute("alter table columns rename to column_rows")
    conn.execute("insert or ignore into names (name) select crawl_id from verdicts union select portal_id "
                 "from verdicts union select rule from verdicts")
    conn.execute("insert or ignore into evidence (hash, json) select monitor_digest(evidence), evidence "
                 "from verdicts where evidence is not null")
    # as an integer only where the view prints exactly the same text back (SQLite would also read
    # e.g. a 30 February, and print 2 March)
    seconds = "cast(strftime('%s', at) as integer)"
    at = (f"case when at like '____-__-__T__:__:__+08:00' and {_SHANGHAI_TEXT.format(seconds)} = at "
          f"then {seconds} else at end")
    conn.execute("insert into verdict_rows (crawl_n, portal_n, rule_n, passed, level, value, evidence_n, at) "
                 f"select c.n, p.n, r.n, v.passed, v.level, v.value, e.n, {at} from verdicts v "
                 "join names c on c.name = v.crawl_id join names p on p.name = v.portal_id "
                 "join names r on r.name = v.rule left join evidence e on e.hash = monitor_digest(v.evidence)")
    conn.execute("drop table verdicts")
    for name, sql in VIEWS.items():
        conn.execute(f"create view {name} as {sql}")


# ---------------------------------------------------------------------------------- writing
class Interner:
    """String -> integer of ``names``, cached for the connection's life (a crawl interns a few
    thousand strings: crawl, portals, rules, column URLs)."""

    def __init__(self, conn):
        self.conn = conn
        self.cache: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        n = self.cache.get(name)
        if n is None:
            self.conn.execute("insert or ignore into names (name) values (?)", [name])
            n = self.conn.execute("select n from names where name = ?", [name]).fetchone()[0]
            if len(self.cache) > 200_000:
                self.cache.clear()
            self.cache[name] = n
        return n

    def known(self, name: str) -> int | None:
        """The integer of ``name`` if it was ever interned (a read: nothing written)."""
        n = self.cache.get(name)
        if n is None:
            row = self.conn.execute("select n from names where name = ?", [name]).fetchone()
            n = row[0] if row else None
        return n


def evidence_ref(conn, text: str | None) -> int | None:
    if text is None:
        return None
    key = digest(text)
    conn.execute("insert or ignore into evidence (hash, json) values (?, ?)", [key, text])
    return conn.execute("select n from evidence where hash = ?", [key]).fetchone()[0]


def insert_verdicts(conn, rows, names: Interner | None = None, replace: bool = True) -> None:
    """Write verdict rows given as the view shows them (dicts or tuples in ``VERDICT_COLUMNS``
    order). Inside the caller's transaction."""
    names = names or Interner(conn)
    packed, refs = [], {}  # many portals' passing evidence is the same text: looked up once a call
    for row in rows:
        r = row if isinstance(row, dict) else dict(zip(VERDICT_COLUMNS, row))
        text = r.get("evidence")
        if text not in refs:
            refs[text] = evidence_ref(conn, text)
        packed.append((names(r["crawl_id"]), names(r["portal_id"]), names(r["rule"]), r.get("passed"),
                       r.get("level"), r.get("value"), refs[text], pack_time(r.get("at"), "+08:00")))
    verb = "insert or replace" if replace else "insert or ignore"
    conn.executemany(f"{verb} into verdict_rows (crawl_n, portal_n, rule_n, passed, level, value, evidence_n, at) "
                     "values (?, ?, ?, ?, ?, ?, ?, ?)", packed)


def delete_verdicts(conn, crawl_id: str, names: Interner | None = None) -> None:
    n = (names or Interner(conn)).known(crawl_id)
    if n is not None:
        conn.execute("delete from verdict_rows where crawl_n = ?", [n])


def thin_evidence(conn, crawl_id: str, keep, names: Interner | None = None) -> int:
    """Replace the evidence of a crawl's passing and unknown verdicts by ``keep(level, json)``
    (a JSON text, or None); returns the rows changed."""
    n = (names or Interner(conn)).known(crawl_id)
    if n is None:
        return 0
    rows = conn.execute("select v.portal_n, v.rule_n, v.level, e.json from verdict_rows v "
                        "join evidence e on e.n = v.evidence_n where v.crawl_n = ? "
                        "and v.level in ('ok', 'unknown')", [n]).fetchall()
    updates = []
    for portal_n, rule_n, level, text in rows:
        new = keep(level, text)
        if new != text:
            updates.append((evidence_ref(conn, new), n, portal_n, rule_n))
    conn.executemany("update verdict_rows set evidence_n = ? where crawl_n = ? and portal_n = ? and rule_n = ?",
                     updates)
    return len(updates)


#: what makes a fetch of a page the same as the last full one: all but when and how fast
FETCH_FACTS = tuple(c for c in FETCH_COLUMNS if c not in FETCH_VOLATILE + ("portal_id",))
#: pages fetched once, when first listed (the articles of new entries, their attachments): a head
#: for them would never be used, and they are new every day (a row each, forever)
ONE_SHOT_KINDS = ("article", "attachment")


class Repeats:
    """Decides, for each fetch and column row a crawl writes, whether it repeats the last full row
    of its page (or column); the rows are buffered in the store with their text keys and interned
    when flushed, inside the write transaction. Reads only here: the page's head is looked up in
    this crawl's memory first (rows not flushed yet), then in the store. The memory of a portal is
    dropped when its portal record is written (``portal_done``)."""

    def __init__(self, store):
        self.store = store
        self.fetch_heads: dict[str, dict[str, tuple[str, bytes]]] = {}
        self.column_heads: dict[str, dict[str, tuple[str, bytes]]] = {}
        #: portal -> fetch id -> the id the ``fetches`` view shows it under (the row it repeats)
        self.shown: dict[str, dict[str, str]] = {}

    def fetch(self, row: dict) -> str:
        conn, store = self.store.db.conn, self.store
        row = {c: row.get(c) for c in FETCH_COLUMNS}
        row["rendered"] = int(row["rendered"] or 0)
        portal = row["portal_id"]
        if row["kind"] in ONE_SHOT_KINDS:
            store.add_raw("fetch_rows", row)
            return row["id"]
        page = page_key(row["kind"], row["url"], row["rendered"])
        facts = facts_digest(row, FETCH_FACTS)
        heads = self.fetch_heads.setdefault(portal, {})
        head = heads.get(page)
        if head is None:
            portal_n = store.names.known(portal)
            found = portal_n is not None and conn.execute(
                "select h.of, h.facts from fetch_heads h join fetch_rows f on f.id = h.of "
                "where h.portal_n = ? and h.page = ?", [portal_n, page]).fetchone()
            head = tuple(found) if found else None
        if head is not None and head[1] == facts and head[0] != row["id"]:
            store.add_raw("fetch_repeats", {"crawl_id": row["crawl_id"], "portal_id": portal, "of": head[0],
                                            "latency_ms": row["latency_ms"],
                                            "fetched_at": pack_time(row["fetched_at"], "+00:00")})
            heads[page] = head
            self.shown.setdefault(portal, {})[row["id"]] = head[0]
            return head[0]
        store.add_raw("fetch_rows", row)
        store.add_raw("fetch_heads", {"portal_id": portal, "page": page, "of": row["id"], "facts": facts})
        if head is not None and head[0] != row["id"]:  # a resumed crawl may have written a repeat first
            store.add_raw("fetch_repeats_drop", {"crawl_id": row["crawl_id"], "portal_id": portal, "of": head[0]})
        heads[page] = (row["id"], facts)
        return row["id"]

    def column(self, row: dict) -> None:
        conn, store = self.store.db.conn, self.store
        row = {c: row.get(c) for c in COLUMN_COLUMNS}
        portal, url = row["portal_id"], row["url"]
        if row["fetch_id"]:
            row["fetch_id"] = self.shown.get(portal, {}).get(row["fetch_id"], row["fetch_id"])
        facts = facts_digest(row, COLUMN_FACTS)
        heads = self.column_heads.setdefault(portal, {})
        head = heads.get(url)
        if head is None:
            portal_n, url_n = store.names.known(portal), store.names.known(url)
            found = portal_n is not None and url_n is not None and conn.execute(
                "select c.name, h.facts from column_heads h join names c on c.n = h.crawl_n "
                "join column_rows f on f.crawl_id = c.name and f.portal_id = ? and f.url = ? "
                "where h.portal_n = ? and h.url_n = ?", [portal, url, portal_n, url_n]).fetchone()
            head = tuple(found) if found else None
        if head is not None and head[1] == facts and head[0] != row["crawl_id"]:
            store.add_raw("column_repeats", {"crawl_id": row["crawl_id"], "portal_id": portal, "url": url,
                                             "of_crawl_id": head[0]})
            heads[url] = head
            return
        store.add_raw("column_rows", row)
        # a resumed crawl may have written a repeat of this column first
        store.add_raw("column_repeats_drop", {"crawl_id": row["crawl_id"], "portal_id": portal, "url": url})
        store.add_raw("column_heads", {"portal_id": portal, "url": url, "crawl_id": row["crawl_id"],
                                       "facts": facts})
        heads[url] = (row["crawl_id"], facts)

    def portal_done(self, portal: str) -> None:
        for memory in (self.fetch_heads, self.column_heads, self.shown):
            memory.pop(portal, None)


#: buffered compact rows -> (SQL, the row as parameters given the interner)
FLUSH_SQL = {
    "fetch_repeats": ("insert or replace into fetch_repeats (crawl_n, portal_n, of, latency_ms, fetched_at) "
                      "values (?, ?, ?, ?, ?)",
                      lambda r, n: (n(r["crawl_id"]), n(r["portal_id"]), r["of"], r["latency_ms"], r["fetched_at"])),
    "fetch_repeats_drop": ("delete from fetch_repeats where crawl_n = ? and portal_n = ? and of = ?",
                           lambda r, n: (n(r["crawl_id"]), n(r["portal_id"]), r["of"])),
    "fetch_heads": ("insert or replace into fetch_heads (portal_n, page, of, facts) values (?, ?, ?, ?)",
                    lambda r, n: (n(r["portal_id"]), r["page"], r["of"], r["facts"])),
    "column_repeats": ("insert or replace into column_repeats (crawl_n, portal_n, url_n, of_crawl_n) "
                       "values (?, ?, ?, ?)",
                       lambda r, n: (n(r["crawl_id"]), n(r["portal_id"]), n(r["url"]), n(r["of_crawl_id"]))),
    "column_repeats_drop": ("delete from column_repeats where crawl_n = ? and portal_n = ? and url_n = ?",
                            lambda r, n: (n(r["crawl_id"]), n(r["portal_id"]), n(r["url"]))),
    "column_heads": ("insert or replace into column_heads (portal_n, url_n, crawl_n, facts) values (?, ?, ?, ?)",
                     lambda r, n: (n(r["portal_id"]), n(r["url"]), n(r["crawl_id"]), r["facts"])),
}

"""Writing what a crawl fetched and found: fetches, bodies, list entries, the per-portal record,
probe visits. Rows are buffered in the ``Store`` and written in batches."""

from __future__ import annotations

import hashlib
import json
import zlib
from typing import TYPE_CHECKING

from monitor.clock import iso
from monitor.ids import new_id, stable_id, utcnow

# JSON in the store without the spaces after separators: a crawl's evidence is written for every
# portal and rule daily, and the spaces were a tenth of it (bench/soak.py)
COMPACT = (",", ":")

if TYPE_CHECKING:
    from monitor.crawlrecord import PortalCrawl
    from monitor.items import PageItem, VisitItem
    from monitor.store import Store


def save_page(store: "Store", item: "PageItem", seen_at: str | None = None) -> str:
    """One fetch (its body once per content hash) and the list entries read from it; returns the
    fetch id (that of the stored row it repeats, when nothing about the page changed). ``seen_at``: when the entries were seen, on the crawl's clock (UTC ISO; default now):
    a replay or a test with ``MONITOR_NOW`` sees them when it says it runs."""
    body_hash = store.add_body(item.body, item.charset) if item.body else None
    published = item.published
    fetch_id = store.add("fetches", {
        "id": item.fetch_id, "crawl_id": item.crawl_id, "portal_id": item.portal_id, "url": item.url,
        # no redirect, no second copy of the URL (a NULL final URL is the URL itself)
        "final_url": item.final_url if item.final_url != item.url else None, "kind": item.kind, "depth": item.depth,
        "parent_url": item.parent_url, "link_text": item.link_text, "status": item.status,
        "error": item.error, "latency_ms": item.latency_ms, "size": item.size,
        "charset": item.charset, "fetched_at": item.fetched_at, "body_hash": body_hash,
        "rendered": int(item.rendered),
        "published": iso(published.posted) if published is not None else None,
        "document_date": iso(published.document_date) if published is not None else None})
    now = seen_at or utcnow()
    column_url = item.where
    for entry in item.entries:
        published_iso = iso(entry.published)
        store.add("entries", {
            "id": stable_id(item.portal_id, entry.url or entry.title), "portal_id": item.portal_id,
            "column_url": column_url, "url": entry.url, "title": entry.title,
            "published": published_iso, "first_published": published_iso, "first_seen": now,
            "last_seen": now, "first_crawl_id": item.crawl_id})
    return fetch_id


def save_portal_crawl(store: "Store", record: "PortalCrawl") -> None:
    """The portal's summary row and one row per column discovered or fetched."""
    for url in record.column_urls():
        facts = record.columns.get(url)
        seen = record.discovered.get(url)
        store.add("columns", {
            "crawl_id": record.crawl_id, "portal_id": record.portal_id, "url": url,
            "name": (facts.name if facts else None) or (seen.text if seen else None),
            "type": facts.type if facts else None,
            "max_age_days": facts.max_age_days if facts else None,
            "newest": facts.newest if facts else None,
            "blank": int(facts.blank) if facts else 0,
            "entries": facts.entries if facts else 0,
            "fetched": int(facts is not None and not facts.failed),
            "fetch_id": facts.fetch_id if facts else None,
            "link_text": seen.text if seen else None})
    home = record.homepage
    store.add("portal_crawls", {
        "crawl_id": record.crawl_id, "portal_id": record.portal_id, "outcome": record.outcome,
        "homepage_url": record.homepage_url, "homepage_status": home.status if home else None,
        "homepage_error": home.error if home else None, "homepage_newest": home.newest if home else None,
        "homepage_dated_items": home.dated if home else 0,
        "navigation_only": int(record.navigation_only),
        "site_name": record.site.name if record.site else None,
        "site_code_found": record.site_code_found,
        "migrated_ok": None if record.migrated_ok is None else int(record.migrated_ok),
        "pages": record.pages, "columns_discovered": len(record.discovered),
        "columns_fetched": record.columns_fetched, "finished_at": utcnow(),
        "error_link": _json(record.error_link), "policy_column": _json(record.policy_column),
        "rendered": int(record.rendered),
        "boards": _dumps([_board_json(b) for b in record.boards.values()]) if record.boards is not None else None,
        "privacy": _dumps([f.to_json() for f in record.privacy]) if record.privacy is not None else None,
        "harmful": _dumps([f.to_json() for f in record.harmful]) if record.harmful is not None else None,
        "link_checks": _dumps(_link_checks_json(record.link_checks)) if record.link_checks is not None else None})
    for url, text in record.guides:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        store.add("guide_texts", {"hash": digest, "data": zlib.compress(text.encode("utf-8"), 6)})
        store.add("guides", {"crawl_id": record.crawl_id, "portal_id": record.portal_id, "url": url,
                             "text_hash": digest})


def save_visit(store: "Store", item: "VisitItem") -> None:
    store.add("visits", {
        "id": new_id(), "round_id": item.round_id, "portal_id": item.portal_id, "at": item.at,
        "ok": int(item.ok), "status": item.status, "error": item.error,
        "latency_ms": item.latency_ms, "valid": 1})


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=COMPACT)


def _board_json(board) -> dict:
    return {"url": board.url, "name": board.name, "external": board.external, "pages": board.pages,
            "error": board.error, "messages": [m.to_json() for m in board.messages]}


def _link_checks_json(checks) -> dict:
    """Links that answered 2xx/3xx as a count; every other one in full (what a finding shows):
    twenty live links a crawl, repeated daily, are most of what link checks would store."""
    def alive(c):
        return c.error is None and c.status is not None and c.status < 400
    return {"alive": sum(1 for c in checks if alive(c)),
            "other": [{"url": c.url, "status": c.status, "error": c.error, "text": c.text, "source": c.source}
                      for c in checks if not alive(c)]}


def _json(element) -> str | None:
    return json.dumps(element.to_json(), ensure_ascii=False, separators=COMPACT) if element is not None else None

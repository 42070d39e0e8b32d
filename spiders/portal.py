"""The ``portal`` spider: each active portal's homepage, its columns to ``MONITOR_COLUMN_DEPTH``, and
(when the homepage HTML shows no error-report entry) its own footer scripts and iframes.

Every fetch is recorded, failures included: a failing portal is a result, not an error. Redirects are
followed here rather than by Scrapy, so a redirect to another host is recorded and never followed, and
no link outside the portal's registered host is ever requested.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timezone
from urllib.parse import urljoin

import scrapy

from monitor.extract.errorlink import find_error_link, footer_resources
from monitor.extract.links import column_links
from monitor.extract.page import Page
from monitor.extract.policy import find_policy_column
from monitor.extract.render import needs_render
from monitor.fetching import classify_failure, response_error
from monitor.items import PageItem, PortalDoneItem
from monitor.registry import Portal, same_host
from monitor.rendering import configure_rendering, render_meta
from monitor.store import new_id
from spiders.base import RegistrySpider

MAX_REDIRECTS = 5
HTML_TYPES = (b"text/html", b"application/xhtml", b"text/plain", b"application/xml", b"text/xml")


class PortalSpider(RegistrySpider):
    name = "portal"

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        configure_rendering(settings)

    def setup_selection(self, settings) -> None:
        super().setup_selection(settings)
        self.crawl_id = new_id()
        self.depth_limit = settings.getint("MONITOR_COLUMN_DEPTH", 1)
        self.max_pages = settings.getint("MONITOR_MAX_PAGES_PER_PORTAL", 30)
        self.max_columns = settings.getint("MONITOR_MAX_COLUMNS_PER_PAGE", 40)
        self.max_footer = settings.getint("MONITOR_MAX_FOOTER_RESOURCES", 4)
        self.rendering = settings.getbool("MONITOR_RENDERING_ACTIVE", False)
        self.by_id = {p.id: p for p in self.portals}
        self.pending: dict[str, int] = defaultdict(int)
        self.budget: dict[str, int] = {}
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.columns: dict[str, dict[str, dict]] = defaultdict(dict)
        self.homepage_ok: dict[str, bool] = {}
        self.migrated_ok: dict[str, bool | None] = {}

    async def start(self):
        for portal in self.portals:
            if portal.status == "closed":
                yield PortalDoneItem(self.crawl_id, portal.id, "closed", homepage_url=portal.url)
                continue
            kind = "migrated" if portal.status == "migrated" else "homepage"
            self.budget[portal.id] = 1 if kind == "migrated" else self.max_pages
            meta = render_meta() if (kind == "homepage" and portal.render == "js" and self.rendering) else {}
            yield self._request(portal, portal.url, kind, 0, extra_meta=meta)

    # ------------------------------------------------------------------ requests
    def _request(self, portal: Portal, url: str, kind: str, depth: int, *, parent: str | None = None,
                 text: str | None = None, extra_meta: dict | None = None, orig: str | None = None,
                 hops: int = 0) -> scrapy.Request:
        if orig is None:
            self.seen[portal.id].add(url)
            self.budget[portal.id] = self.budget.get(portal.id, self.max_pages) - 1
        self.pending[portal.id] += 1
        meta = {"portal_id": portal.id, "kind": kind, "depth": depth, "parent": parent,
                "link_text": text, "orig_url": orig or url, "hops": hops, "t0": time.monotonic(),
                "dont_redirect": True, "handle_httpstatus_all": True, "dont_retry": kind == "migrated"}
        meta.update(extra_meta or {})
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error, meta=meta,
                              dont_filter=True, priority=-depth)

    def _can_fetch(self, portal: Portal, url: str) -> bool:
        return (same_host(url, portal.url) and url not in self.seen[portal.id]
                and self.budget.get(portal.id, 0) > 0)

    # ------------------------------------------------------------------ callbacks
    def parse_page(self, response):
        meta = response.meta
        portal = self.by_id[meta["portal_id"]]
        try:
            yield from self._handle(response, portal, meta)
        finally:
            done = self._finish_one(portal)
        if done is not None:
            yield done

    def on_error(self, failure):
        meta = failure.request.meta
        portal = self.by_id[meta["portal_id"]]
        error = classify_failure(failure.value)
        self.logger.info("%s %s: %s", portal.id, meta["orig_url"], error)
        if meta["kind"] == "homepage" and not meta.get("rendered_retry"):
            self.homepage_ok[portal.id] = False
        if meta.get("rendered_retry"):
            error = f"render_{error}"
        yield self._item(portal, meta, url=failure.request.url, status=None, error=error)
        done = self._finish_one(portal)
        if done is not None:
            yield done

    def _handle(self, response, portal: Portal, meta: dict):
        kind, depth = meta["kind"], meta["depth"]
        status = response.status
        if 300 <= status < 400 and b"Location" in response.headers:
            target = urljoin(response.url, response.headers[b"Location"].decode("latin-1").strip())
            if kind == "migrated":
                self.migrated_ok[portal.id] = bool(portal.migrated_to and same_host(target, portal.migrated_to))
            if same_host(target, portal.url) and meta["hops"] < MAX_REDIRECTS:
                yield self._request(portal, target, kind, depth, parent=meta["parent"],
                                    text=meta["link_text"], orig=meta["orig_url"], hops=meta["hops"] + 1,
                                    extra_meta={k: v for k, v in meta.items() if k.startswith("playwright")})
                return
            error = "offhost_redirect" if not same_host(target, portal.url) else "redirect_loop"
            if kind == "migrated" and self.migrated_ok.get(portal.id):
                error = None  # the old home sends visitors to its registered new home, as it should
            if kind == "homepage":
                self.homepage_ok[portal.id] = False
            yield self._item(portal, meta, url=target, status=status, error=error, response=response)
            return
        error = response_error(response)
        is_html = response.headers.get(b"Content-Type", b"text/html").split(b";")[0].strip().lower().startswith(HTML_TYPES)
        page = None
        if error is None and is_html and kind != "asset":
            page = Page(html=response.text, url=response.url, now=self.now, encoding=response.encoding)
        if kind == "homepage" and not meta.get("rendered_retry"):
            self.homepage_ok[portal.id] = error is None
        item = self._item(portal, meta, url=response.url, status=status, error=error, response=response, page=page)
        if kind == "migrated":
            if self.migrated_ok.get(portal.id) is None and page is not None and portal.migrated_to:
                links = (page.absolute(a.get("href")) for a in page.tree.iter("a")) if page.tree is not None else ()
                self.migrated_ok[portal.id] = any(link and same_host(link, portal.migrated_to) for link in links)
            yield item
            return
        if page is None:
            yield item
            return
        if kind == "homepage":
            yield from self._homepage_followups(portal, page, item, meta)
        if kind in ("homepage", "column") and depth < self.depth_limit:
            yield from self._follow_columns(portal, page, depth)
        yield item

    def _homepage_followups(self, portal: Portal, page: Page, item: PageItem, meta: dict):
        """When the homepage shows no error-report entry: its own footer scripts/iframes, and a
        rendered fetch when the registry says ``js``/``auto`` and the page looks script-built."""
        item.error_link = find_error_link(page)
        item.policy_column = find_policy_column(page)
        if item.error_link.get("found") or meta.get("rendered_retry"):
            return
        for url in footer_resources(page, portal.host)[: self.max_footer]:
            if self._can_fetch(portal, url):
                yield self._request(portal, url, "asset", meta["depth"] + 1, parent=page.url)
        if self.rendering and portal.render == "auto" and not meta.get("playwright"):
            if needs_render(page, item.error_link, item.policy_column):
                yield self._request(portal, page.url, "homepage", 0, orig=meta["orig_url"],
                                    extra_meta={**render_meta(), "rendered_retry": True})

    def _follow_columns(self, portal: Portal, page: Page, depth: int):
        for link in column_links(page, portal.url, limit=self.max_columns):
            record = self.columns[portal.id].setdefault(
                link.url, {"url": link.url, "text": link.text, "depth": depth + 1, "fetched": False})
            if self._can_fetch(portal, link.url):
                record["fetched"] = True
                yield self._request(portal, link.url, "column", depth + 1, parent=page.url, text=link.text)

    # ------------------------------------------------------------------ records
    def _item(self, portal: Portal, meta: dict, *, url: str, status: int | None, error: str | None,
              response=None, page: Page | None = None) -> PageItem:
        body = response.body if response is not None and error is None else b""
        return PageItem(
            crawl_id=self.crawl_id, portal_id=portal.id, url=meta["orig_url"], kind=meta["kind"],
            depth=meta["depth"], final_url=url, parent_url=meta["parent"], link_text=meta["link_text"],
            status=status, error=error,
            latency_ms=round((time.monotonic() - meta["t0"]) * 1000, 1),
            size=len(response.body) if response is not None else 0,
            charset=getattr(response, "encoding", None) if body else None,
            content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
            if response is not None else None,
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            rendered=bool(meta.get("playwright")), body=body, page=page)

    def _finish_one(self, portal: Portal) -> PortalDoneItem | None:
        self.pending[portal.id] -= 1
        if self.pending[portal.id] > 0:
            return None
        ok = self.homepage_ok.get(portal.id)
        if portal.status == "migrated":
            outcome = "migrated"
        else:
            outcome = "fetched" if ok else "failed"
        return PortalDoneItem(
            self.crawl_id, portal.id, outcome, homepage_url=portal.url,
            migrated_ok=self.migrated_ok.get(portal.id) if portal.status == "migrated" else None,
            columns=list(self.columns.pop(portal.id, {}).values()),
            pages=len(self.seen.get(portal.id, ())))

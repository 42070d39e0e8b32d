"""The ``portal`` spider: each active portal's homepage, its columns to ``MONITOR_COLUMN_DEPTH``, and
(when the homepage HTML shows no error-report entry) its own footer scripts and iframes.

Every fetch is recorded, failures included: a failing portal is a result, not an error. Redirects are
followed here rather than by Scrapy, so a redirect to another host is recorded and never followed, and
no link outside the portal's registered host is ever requested.

The spider fetches; what it decides from a homepage (footer scripts to read, a rendered retry) needs
the homepage's elements, so it detects them once and hands them on in the item. Everything else is
extracted by the pipelines.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin

import scrapy

from monitor.config import MonitorSettings, SettingsError
from monitor.extract.boards import find_boards
from monitor.extract.errorlink import find_error_link, footer_resources
from monitor.extract.links import column_links
from monitor.extract.page import Page
from monitor.extract.policy import find_policy_column
from monitor.extract.render import needs_render
from monitor.fetching import classify_failure, response_error
from monitor.ids import new_id
from monitor.items import DiscoveredColumn, PageItem, PortalDoneItem
from monitor.registry import Portal, same_host
from monitor.rendering import configure_rendering, render_meta, rendering_available
from monitor.resume import load_state
from spiders.base import RegistrySpider
from spiders.followups import ContentFollowups

MAX_REDIRECTS = 5
HTML_TYPES = (b"text/html", b"application/xhtml", b"text/plain", b"application/xml", b"text/xml")


@dataclass
class PortalProgress:
    """Where one portal's crawl stands: requests in flight, pages left, URLs asked for, the columns
    discovered, and what its homepage (or old home, for a migrated portal) answered."""

    portal: Portal
    budget: int
    pending: int = 0
    seen: set[str] = field(default_factory=set)
    columns: dict[str, DiscoveredColumn] = field(default_factory=dict)
    homepage_ok: bool | None = None
    migrated_ok: bool | None = None
    #: what is left of each budget below the homepage (monitor/content follow-ups)
    left: dict[str, int] = field(default_factory=dict)
    known_entries: set[str] | None = None  # list entries seen by earlier crawls
    checked: set[str] = field(default_factory=set)  # links asked for their status only

    def done_item(self, crawl_id: str) -> PortalDoneItem:
        portal = self.portal
        if portal.status == "migrated":
            outcome = "migrated"
        else:
            outcome = "fetched" if self.homepage_ok else "failed"
        return PortalDoneItem(
            crawl_id, portal.id, outcome, homepage_url=portal.url,
            migrated_ok=self.migrated_ok if portal.status == "migrated" else None,
            columns=list(self.columns.values()), pages=len(self.seen))


class PortalSpider(RegistrySpider):
    name = "portal"

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        try:
            ms = MonitorSettings.load(settings)
        except SettingsError:
            return  # reported, with the setting named, before the crawl starts (MonitorAddon)
        configure_rendering(settings, ms)

    def setup(self, settings: MonitorSettings) -> None:
        super().setup(settings)
        # a crawl stopped gracefully with -s JOBDIR=… goes on under the same id (monitor/resume.py)
        resumed = load_state(self.crawler.settings.get("JOBDIR") if getattr(self, "crawler", None) else None)
        self.crawl_id = resumed.get("crawl_id") or new_id()
        self.finished_before = set(resumed.get("done_portals") or ()) if resumed.get("crawl_id") else set()
        self.run = new_id()[:12]  # this run's token, on every request
        self.depth_limit = settings.column_depth
        self.max_pages = settings.max_pages_per_portal
        self.max_columns = settings.max_columns_per_page
        self.max_footer = settings.max_footer_resources
        self.rendering = rendering_available(settings)
        self.progress: dict[str, PortalProgress] = {}
        self.content_budgets = {"article": settings.articles_per_portal, "board": settings.boards_per_portal,
                                "guide": settings.guides_per_portal, "attachment": settings.attachments_per_portal,
                                "linkcheck": settings.link_checks_per_portal}
        self.board_hosts = settings.board_hosts
        self._store = None  # read-only lookups of entries already seen (opened when first needed)
        self.follow = ContentFollowups(self)

    async def start(self):
        if self.finished_before:
            self.logger.info("resuming crawl %s: %d portal(s) finished before the stop, %d to go",
                             self.crawl_id, len(self.finished_before),
                             len([p for p in self.portals if p.id not in self.finished_before]))
        for portal in self.portals:
            if portal.id in self.finished_before:
                continue
            if portal.status == "closed":
                yield PortalDoneItem(self.crawl_id, portal.id, "closed", homepage_url=portal.url)
                continue
            kind = "migrated" if portal.status == "migrated" else "homepage"
            self.progress[portal.id] = PortalProgress(portal, 1 if kind == "migrated" else self.max_pages,
                                                      left=dict(self.content_budgets))
            meta = render_meta() if (kind == "homepage" and portal.render == "js" and self.rendering) else {}
            yield self._request(portal, portal.url, kind, 0, extra_meta=meta)

    # ------------------------------------------------------------------ requests
    def _request(self, portal: Portal, url: str, kind: str, depth: int, *, parent: str | None = None,
                 text: str | None = None, extra_meta: dict | None = None, orig: str | None = None,
                 hops: int = 0, method: str = "GET") -> scrapy.Request:
        progress = self.progress[portal.id]
        if orig is None:
            (progress.checked if kind == "linkcheck" else progress.seen).add(url)
            if kind in progress.left:  # a budget of its own, beside the pages' one
                if (extra_meta or {}).get("board_page", 1) == 1:  # a board's next list pages are its own
                    progress.left[kind] -= 1
            else:
                progress.budget -= 1
        progress.pending += 1
        meta = {"portal_id": portal.id, "run": self.run, "kind": kind, "depth": depth, "parent": parent,
                "link_text": text, "orig_url": orig or url, "hops": hops, "t0": time.monotonic(),
                "dont_redirect": True, "handle_httpstatus_all": True, "dont_retry": kind == "migrated"}
        meta.update(extra_meta or {})
        return scrapy.Request(url, method=method, callback=self.parse_page, errback=self.on_error, meta=meta,
                              dont_filter=True, priority=-depth)

    def _can_fetch(self, portal: Portal, url: str) -> bool:
        progress = self.progress[portal.id]
        return same_host(url, portal.url) and url not in progress.seen and progress.budget > 0

    # ------------------------------------------------------------------ callbacks
    def closed(self, reason):
        if self._store is not None:
            self._store.close()

    def _stale(self, meta: dict) -> bool:
        """Queued by the run before a stop: its portal is crawled afresh by this run."""
        return meta.get("run") != self.run or meta["portal_id"] not in self.progress

    def parse_page(self, response):
        meta = response.meta
        if self._stale(meta):
            return
        portal = self.progress[meta["portal_id"]].portal
        try:
            yield from self._handle(response, portal, meta)
        finally:
            done = self._finish_one(portal)
        if done is not None:
            yield done

    def on_error(self, failure):
        meta = failure.request.meta
        if self._stale(meta):
            return
        progress = self.progress[meta["portal_id"]]
        portal = progress.portal
        error = classify_failure(failure.value)
        self.logger.info("%s %s: %s", portal.id, meta["orig_url"], error)
        if meta["kind"] == "homepage" and not meta.get("rendered_retry"):
            progress.homepage_ok = False
        if meta.get("rendered_retry"):
            error = f"render_{error}"
        yield self._item(portal, meta, url=failure.request.url, status=None, error=error)
        done = self._finish_one(portal)
        if done is not None:
            yield done

    def _handle(self, response, portal: Portal, meta: dict):
        progress = self.progress[portal.id]
        kind, depth = meta["kind"], meta["depth"]
        status = response.status
        if 300 <= status < 400 and b"Location" in response.headers:
            yield from self._redirect(response, portal, meta)
            return
        if kind == "linkcheck":
            yield from self.follow.link_checked(response, portal, meta)
            return
        error = response_error(response)
        is_html = response.headers.get(b"Content-Type", b"text/html").split(b";")[0].strip().lower().startswith(HTML_TYPES)
        page = None
        if error is None and is_html and kind not in ("asset", "attachment"):
            page = Page(html=response.text, url=response.url, now=self.now, encoding=response.encoding)
        if kind == "homepage" and not meta.get("rendered_retry"):
            progress.homepage_ok = error is None
        item = self._item(portal, meta, url=response.url, status=status, error=error, response=response, page=page)
        if kind == "migrated":
            if progress.migrated_ok is None and page is not None and portal.migrated_to:
                links = (page.absolute(a.get("href")) for a in page.tree.iter("a")) if page.tree is not None else ()
                progress.migrated_ok = any(link and same_host(link, portal.migrated_to) for link in links)
            yield item
            return
        if page is None:
            yield item
            return
        if kind == "homepage":
            yield from self._homepage_followups(portal, page, item, meta)
        if kind in ("homepage", "column") and depth < self.depth_limit:
            yield from self._follow_columns(portal, page, depth)
        if not meta.get("rendered_retry"):
            yield from self.follow.below(portal, page, item, meta)
        yield item

    def _redirect(self, response, portal: Portal, meta: dict):
        progress = self.progress[portal.id]
        kind = meta["kind"]
        target = urljoin(response.url, response.headers[b"Location"].decode("latin-1").strip())
        if kind == "migrated":
            progress.migrated_ok = bool(portal.migrated_to and same_host(target, portal.migrated_to))
        if kind == "linkcheck":  # a link that redirects answers: alive, never followed
            yield from self.follow.link_checked(response, portal, meta)
            return
        if same_host(target, meta["orig_url"]) and meta["hops"] < MAX_REDIRECTS:
            yield self._request(portal, target, kind, meta["depth"], parent=meta["parent"],
                                text=meta["link_text"], orig=meta["orig_url"], hops=meta["hops"] + 1,
                                extra_meta={k: v for k, v in meta.items() if k.startswith("playwright")})
            return
        error = "offhost_redirect" if not same_host(target, portal.url) else "redirect_loop"
        if kind == "migrated" and progress.migrated_ok:
            error = None  # the old home sends visitors to its registered new home, as it should
        if kind == "homepage":
            progress.homepage_ok = False
        yield self._item(portal, meta, url=target, status=response.status, error=error, response=response)

    def _homepage_followups(self, portal: Portal, page: Page, item: PageItem, meta: dict):
        """The homepage's elements (detected here, once: they decide what else to fetch). When it
        shows no error-report entry: its own footer scripts/iframes, and a rendered fetch when the
        registry says ``auto`` and the page looks script-built."""
        item.error_link = find_error_link(page)
        item.policy_column = find_policy_column(page)
        if item.error_link.found or meta.get("rendered_retry"):
            return
        for url in footer_resources(page, portal.host)[: self.max_footer]:
            if self._can_fetch(portal, url):
                yield self._request(portal, url, "asset", meta["depth"] + 1, parent=page.url)
        if self.rendering and portal.render == "auto" and not meta.get("playwright"):
            if needs_render(page, item.error_link, item.policy_column):
                yield self._request(portal, page.url, "homepage", 0, orig=meta["orig_url"],
                                    extra_meta={**render_meta(), "rendered_retry": True})

    def _follow_columns(self, portal: Portal, page: Page, depth: int):
        progress = self.progress[portal.id]
        # a message board named as one (领导信箱, 咨询投诉, 我要留言) is read as a board by the follow-ups,
        # not as a column: fetched as a column first, it would never be read for its messages
        boards = {b.url for b in find_boards(page) if b.kind not in ("hub", "url")}
        for link in column_links(page, portal.url, limit=self.max_columns):
            if link.url in progress.columns or link.url in boards:
                continue
            fetch = self._can_fetch(portal, link.url)
            progress.columns[link.url] = DiscoveredColumn(link.url, link.text, depth + 1, fetch)
            if fetch:
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
            rendered=bool(meta.get("playwright")), body=body, page=page, board_url=meta.get("board_url"))

    def _finish_one(self, portal: Portal) -> PortalDoneItem | None:
        progress = self.progress[portal.id]
        progress.pending -= 1
        if progress.pending > 0:
            return None
        del self.progress[portal.id]
        return progress.done_item(self.crawl_id)

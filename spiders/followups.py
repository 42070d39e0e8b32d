"""The pages a portal crawl reads below the homepage for the findings beyond freshness: articles of
new list entries, message boards (and their next list pages), service guides, attachments of
articles, and the liveness of the homepage's links. Each kind has its own budget per portal and
crawl (``MONITOR_ARTICLES_PER_PORTAL``, ``…_BOARDS_…``, ``…_GUIDES_…``, ``…_ATTACHMENTS_…``,
``MONITOR_LINK_CHECKS_PER_PORTAL``).

Everything stays on the portal's registered host, except a board on a shared platform whose host
``MONITOR_BOARD_HOSTS`` names, and link checks, which ask an off-host link for its status (HEAD,
then GET where HEAD is refused) and never read it.

An article is read once, when its entry is new; the articles and attachments where the portal's
previous crawl found a leak or injected content are read again at every crawl (first, within the
same budgets) until they are gone or clean, so a finding lasts as long as the page shows it.
"""

from __future__ import annotations

from monitor.extract.boards import find_boards, next_pages
from monitor.extract.followups import check_links, guide_links, new_articles
from monitor.extract.listing import extract_entries
from monitor.extract.harmful import HarmfulFinding, failing
from monitor.extract.privacy import PrivacyFinding, attachment_links, leaks
from monitor.fetching import response_error
from monitor.registry import canonical_host, same_host
from monitor.store import Store, StoreError
from monitor.store.states import fetch_kinds, known_entry_urls, latest_findings

#: HEAD refused: ask with GET, reading at most this much of the answer
HEAD_REFUSED = (405, 501)
GET_MAXSIZE = 256 * 1024


class ContentFollowups:
    def __init__(self, spider):
        self.spider = spider

    # ------------------------------------------------------------------ below a list or homepage
    def below(self, portal, page, item, meta):
        spider, kind = self.spider, meta["kind"]
        progress = spider.progress[portal.id]
        if kind == "homepage":
            for url, again in self._rechecks(portal, page.url):
                if progress.left.get(again, 0) > 0 and url not in progress.seen:
                    extra = ({"download_maxsize": spider.settings_.privacy_attachment_max_bytes + 1}
                             if again == "attachment" else None)
                    yield spider._request(portal, url, again, meta["depth"] + 1, parent=page.url, extra_meta=extra)
        if kind in ("homepage", "column"):
            item.entries = extract_entries(page)
            item.entries_read = True
            known = self._known(portal.id)
            for entry in new_articles(item.entries, portal.url, known | progress.seen, progress.left.get("article", 0)):
                yield spider._request(portal, entry.url, "article", meta["depth"] + 1, parent=page.url,
                                      text=entry.title)
            for board in find_boards(page):
                if progress.left.get("board", 0) <= 0:
                    break
                if board.url not in progress.seen and self._board_host_allowed(portal, board.url):
                    yield spider._request(portal, board.url, "board", meta["depth"] + 1, parent=page.url,
                                          text=board.text, extra_meta={"board_url": board.url, "board_page": 1})
            for link in guide_links(page, portal.url, progress.left.get("guide", 0)):
                if link.url not in progress.seen and progress.left.get("guide", 0) > 0:
                    yield spider._request(portal, link.url, "guide", meta["depth"] + 1, parent=page.url,
                                          text=link.text)
        if kind == "homepage":
            skip = progress.seen | progress.checked | set(progress.columns)
            for link in check_links(page, progress.left.get("linkcheck", 0), skip):
                yield self._check(portal, link.url, link.text, page.url, "HEAD")
        elif kind == "board":
            if meta.get("board_page", 1) < spider.settings_.interaction_max_pages:
                # the page and the one after it (next_pages counts the page itself): each list page
                # asks for its successor, up to MONITOR_INTERACTION_MAX_PAGES
                for url in next_pages(page, 2):
                    if url not in progress.seen and self._board_host_allowed(portal, url):
                        yield spider._request(portal, url, "board", meta["depth"], parent=page.url,
                                              text=meta["link_text"],
                                              extra_meta={"board_url": meta["board_url"],
                                                          "board_page": meta.get("board_page", 1) + 1})
        elif kind == "article":
            for url in attachment_links(page):
                if progress.left.get("attachment", 0) <= 0:
                    break
                if url not in progress.seen:
                    yield spider._request(portal, url, "attachment", meta["depth"] + 1, parent=page.url,
                                          extra_meta={"download_maxsize": spider.settings_.privacy_attachment_max_bytes + 1})

    # ------------------------------------------------------------------ link checks
    def _check(self, portal, url: str, text: str, parent: str, method: str, orig: str | None = None):
        meta = {"link_check_method": method, "dont_obey_robotstxt": not same_host(url, portal.url)}
        if method == "GET":
            meta["download_maxsize"] = GET_MAXSIZE
        return self.spider._request(portal, url, "linkcheck", 1, parent=parent, text=text, method=method,
                                    extra_meta=meta, orig=orig)

    def link_checked(self, response, portal, meta):
        """A checked link answered: a redirect or a page is alive; a HEAD refused asks again with GET."""
        if response.status in HEAD_REFUSED and meta.get("link_check_method") == "HEAD":
            yield self._check(portal, response.url, meta["link_text"], meta["parent"], "GET", orig=meta["orig_url"])
            return
        error = response_error(response) if response.status >= 400 else None
        yield self.spider._item(portal, meta, url=response.url, status=response.status, error=error)

    # ------------------------------------------------------------------ helpers
    def _board_host_allowed(self, portal, url: str) -> bool:
        if same_host(url, portal.url):
            return True
        host = canonical_host(url)
        return any(host == h or host.endswith("." + h) for h in (canonical_host(s) for s in self.spider.board_hosts))

    def _rechecks(self, portal, homepage: str) -> list[tuple[str, str]]:
        """(URL, kind) of the articles and attachments in which the portal's previous crawl found a
        leak (``privacy.leaks``) or failing harmful content, to read again."""
        store = self._open()
        if store is None:
            return []
        found = latest_findings(store, portal.id)
        if not found:
            return []
        settings = self.spider.settings_
        privacy = [f for f in (PrivacyFinding.from_json(x) for x in found["privacy"]) if f]
        harmful = [f for f in (HarmfulFinding.from_json(x) for x in found["harmful"]) if f]
        urls = [f.url for f in leaks(privacy, settings.privacy_mobile_bulk)]
        urls += [f.url for f in failing(harmful, settings.harmful_min_score)]
        urls = [u for u in dict.fromkeys(urls) if u and u not in (homepage, portal.url)]
        if not urls:
            return []
        kinds = fetch_kinds(store, found["crawl_id"], portal.id)
        return [(u, kinds[u]) for u in urls if kinds.get(u) in ("article", "attachment")
                and same_host(u, portal.url)]

    def _open(self):
        store = self.spider._store
        if store is None:
            try:
                store = self.spider._store = Store(self.spider.settings_.db,
                                                   heartbeat_stale=self.spider.settings_.heartbeat_stale)
            except StoreError:
                return None
        return store

    def _known(self, portal_id: str) -> set[str]:
        progress = self.spider.progress[portal_id]
        if progress.known_entries is None:
            progress.known_entries = self._lookup(portal_id)
        return progress.known_entries

    def _lookup(self, portal_id: str) -> set[str]:
        store = self._open()
        return known_entry_urls(store, portal_id) if store is not None else set()

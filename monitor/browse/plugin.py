"""The Datasette plugin of ``monitor serve``: the evidence view and links to it.

- ``/-/evidence/<fetch_id>``: a banner (a stored copy, not the live page; URL, fetch time, portal,
  crawl, the ``monitor evidence`` command) above a sandboxed iframe showing the stored page;
- ``/-/evidence/<fetch_id>/page``: the stored page itself, decoded as the crawler decoded it and
  served as UTF-8 under ``Content-Security-Policy: sandbox; default-src 'none'; …``: no script runs,
  nothing is loaded from the portal or anywhere else, forms and popups are blocked. The banner
  page's own policy (``frame-src 'self'``) keeps the frame from being navigated to the live site by
  a click or a meta refresh, and a direct visit to the page is sent to the banner first;
- ``render_cell``: ``evidence_page`` columns of the canned queries, ``fetches.body_hash`` and
  ``columns.fetch_id`` link to the evidence view (ids only, never a crawled URL).
"""

from __future__ import annotations

import re
import shlex

from datasette import hookimpl
from datasette.utils.asgi import Response
from jinja2 import Environment
from markupsafe import Markup

from monitor.clock import ClockError, iso, parse_now
from monitor.extract.page import decode_html
from monitor.store.canned import stored_page

EVIDENCE = "/-/evidence/"
_ID_RE = re.compile(r"^[0-9a-f]{8,64}$")
#: the stored page: scripts, plugins, forms, popups and every outside request are off
PAGE_CSP = ("sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
            "form-action 'none'; base-uri 'none'; frame-ancestors 'self'")
#: the banner page around it: ours, but its frame may only ever show this server's pages
BANNER_CSP = ("default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
              "frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

_BANNER = Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>存档页面 Stored copy: {{ fetch.portal_name or fetch.portal_id }}</title>
<style>
body { margin: 0; font-family: system-ui, "Noto Sans CJK SC", sans-serif; }
.banner { background: #fff4ce; border-bottom: 2px solid #c9a400; padding: 0.6em 1em; }
.banner h1 { font-size: 1.1em; margin: 0 0 0.3em 0; }
.banner dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0; }
.banner dt { font-weight: bold; } .banner dd { margin: 0; word-break: break-all; }
code { background: #fff; padding: 0 0.2em; }
iframe { border: 0; width: 100%; height: calc(100vh - 12em); }
.missing { padding: 1em; }
</style></head><body>
<div class="banner" id="evidence-banner" role="note">
<h1>存档页面，非实时网页 · Stored copy, not the live page</h1>
<dl>
<dt>抓取时间 Fetched at</dt><dd id="fetched-at">{{ fetched_at }}{% if crawl_clock %} (抓取时钟 crawl clock, MONITOR_NOW: {{ crawl_clock }}){% endif %}</dd>
<dt>网址 URL</dt><dd><code id="fetched-url">{{ fetch.url }}</code>{% if fetch.final_url and fetch.final_url != fetch.url %} → <code>{{ fetch.final_url }}</code>{% endif %}</dd>
<dt>网站 Portal</dt><dd>{{ fetch.portal_name or "" }} <code>{{ fetch.portal_id }}</code></dd>
<dt>抓取批次 Crawl</dt><dd><code>{{ fetch.crawl_id }}</code> · {{ fetch.kind }}{% if fetch.status %} · HTTP {{ fetch.status }}{% endif %}{% if fetch.rendered %} · rendered 渲染{% endif %}</dd>
<dt>命令 Command</dt><dd><code>{{ command }}</code></dd>
</dl>
<p><a href="{{ row_url }}">抓取记录 fetch record</a> · 脚本已禁用，未加载任何外部资源 / scripts are disabled and nothing is loaded from outside.</p>
</div>
{% if has_body %}<iframe id="stored-page" sandbox src="{{ page_url }}" referrerpolicy="no-referrer" title="stored page"></iframe>
{% else %}<p class="missing">未保存页面内容：抓取失败 / No body stored: the fetch failed ({{ fetch.error or "no content" }}).</p>{% endif %}
</body></html>
""")


def _database(datasette):
    """The served store (``monitor serve`` serves one)."""
    return datasette.get_database()


def evidence_link(datasette, fetch_id: str, text: str = "存档页面 stored page") -> Markup | None:
    if not isinstance(fetch_id, str) or not _ID_RE.match(fetch_id):
        return None
    return Markup('<a href="{}">{}</a>').format(datasette.urls.path(f"{EVIDENCE}{fetch_id}"), text)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column == "evidence_page":
        return evidence_link(datasette, value)
    if table == "fetches" and column == "body_hash" and value:
        link = evidence_link(datasette, row["id"])
        return Markup("{} · {}").format(value, link) if link else None
    if table == "columns" and column == "fetch_id" and value:
        return evidence_link(datasette, value, value)
    return None


def _beijing(value: str | None) -> str:
    """A stored instant (UTC or +08:00) as Beijing time, the portals' own clock."""
    try:
        return iso(parse_now(value)) if value else "—"
    except ClockError:
        return str(value)


async def _load(datasette, request):
    fetch_id = request.url_vars["fetch_id"]
    found = await _database(datasette).execute_fn(lambda conn: stored_page(conn, fetch_id))
    return fetch_id, found


async def evidence_view(datasette, request):
    fetch_id, found = await _load(datasette, request)
    if found is None:
        return Response.text(f"no stored fetch {fetch_id}", status=404, headers=HEADERS)
    fetch, body = found
    db = _database(datasette)
    command = shlex.join(["monitor", "evidence", fetch["portal_id"] or "", "--crawl", fetch["crawl_id"] or "",
                          "--url", fetch["url"] or ""])
    html = _BANNER.render(
        fetch=fetch, has_body=body is not None, command=command, fetched_at=_beijing(fetch["fetched_at"]),
        crawl_clock=_beijing(fetch["crawl_clock"]) if fetch.get("crawl_clock") else None,
        page_url=datasette.urls.path(f"{EVIDENCE}{fetch_id}/page"),
        row_url=datasette.urls.row(db.name, "fetch_rows", fetch_id))
    return Response.html(html, headers={**HEADERS, "Content-Security-Policy": BANNER_CSP})


async def stored_page_view(datasette, request):
    fetch_id, found = await _load(datasette, request)
    if found is None or found[1] is None:
        return Response.text(f"no stored page for fetch {fetch_id}", status=404, headers=HEADERS)
    if request.headers.get("sec-fetch-dest") == "document":  # opened directly: show the banner too
        return Response.redirect(datasette.urls.path(f"{EVIDENCE}{fetch_id}"))
    fetch, body = found
    text, _ = decode_html(body, fetch.get("charset"))
    kind = "text/plain" if fetch.get("kind") == "asset" else "text/html"
    return Response(text.encode("utf-8"), content_type=f"{kind}; charset=utf-8",
                    headers={**HEADERS, "Content-Security-Policy": PAGE_CSP})


@hookimpl
def register_routes():
    return [
        (r"^/-/evidence/(?P<fetch_id>[0-9a-f]{8,64})$", evidence_view),
        (r"^/-/evidence/(?P<fetch_id>[0-9a-f]{8,64})/page$", stored_page_view),
    ]

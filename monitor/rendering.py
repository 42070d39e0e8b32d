"""JS rendering through scrapy-playwright, opt-in per request as the plugin intends.

Only requests carrying ``meta["playwright"] = True`` pay for a browser; everything else goes through
Scrapy's own HTTP handler. Rendering needs Debian's chromium (``MONITOR_CHROMIUM``); without it, or
with ``MONITOR_RENDER=off``, the crawl runs static-only and says so once.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
from urllib.parse import urlsplit

from monitor.config import MonitorSettings
from monitor.registry import canonical_host

logger = logging.getLogger(__name__)

BLOCKED_RESOURCES = frozenset({"image", "font", "media", "stylesheet", "manifest", "texttrack"})
#: hosts a rendered homepage may load scripts/frames from besides its own: the State Council's
#: pushinfo lists and the hosts of the national error-report service (jiucuo.js)
RENDER_THIRD_PARTY_HOSTS = frozenset({"gov.cn", "zfwzgl.gov.cn", "pucha.kaipuyun.cn", "121.43.68.40"})
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


DEFAULT_CHROMIUM = "/usr/bin/chromium"


def chromium_path(configured: str | None) -> str | None:
    """The browser to render with: ``MONITOR_CHROMIUM`` when it is set to something else than the
    default (and then only that), else Debian's chromium wherever it is on PATH."""
    if configured and configured != DEFAULT_CHROMIUM:
        candidates = [configured]
    else:
        candidates = [DEFAULT_CHROMIUM, shutil.which("chromium") or "", shutil.which("chromium-browser") or ""]
    for candidate in candidates:
        if candidate and os.path.exists(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def rendering_available(ms: MonitorSettings) -> bool:
    """Rendering is wanted (``MONITOR_RENDER``) and a chromium is there to do it."""
    return ms.rendering_wanted and chromium_path(ms.chromium) is not None


def configure_rendering(settings, ms: MonitorSettings) -> bool:
    """Install the playwright download handlers in the Scrapy ``settings`` when rendering is
    possible; return whether it is."""
    if not ms.rendering_wanted:
        logger.warning("JS rendering is off (MONITOR_RENDER=off): homepages are judged on static HTML only")
        return False
    exe = chromium_path(ms.chromium)
    if exe is None:
        logger.warning("JS rendering is off: chromium not found (apt-get install chromium, or set "
                       "MONITOR_CHROMIUM); homepages are judged on static HTML only")
        return False
    launch = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    launch["executable_path"] = exe
    proxy = os.environ.get("http_proxy") or os.environ.get("HTTP_PROXY")
    if "proxy" not in launch:
        args = [a for a in launch.get("args", []) if not a.startswith("--proxy-pac-url=")]
        launch["args"] = args + [f"--proxy-pac-url={pac_url(proxy)}"]
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="spider")
    settings.set("PLAYWRIGHT_ABORT_REQUEST", abort_request, priority="spider")
    settings.set("DOWNLOAD_HANDLERS", {"http": HANDLER, "https": HANDLER}, priority="spider")
    return True


#: Chromium's own services (sign-in, component updates, safe browsing): never contacted, proxy or not
PHONE_HOME_RE = r"(^|\.)(google\.com|googleapis\.com|gstatic\.com|gvt1\.com|googleusercontent\.com)$"


def pac_url(proxy: str | None) -> str:
    """A PAC script (as a data: URL) that sends the browser's own phone-home requests nowhere and
    everything else through ``http_proxy`` (or direct), as the crawler's requests go."""
    route = "DIRECT"
    if proxy:
        parts = urlsplit(proxy)
        route = f"PROXY {parts.hostname}:{parts.port or 80}"
    script = ("function FindProxyForURL(url, host) {"
              f" if (/{PHONE_HOME_RE}/.test(host)) return 'PROXY 127.0.0.1:9';"
              f" return '{route}'; }}")
    return "data:application/x-ns-proxy-autoconfig;base64," + base64.b64encode(script.encode()).decode()


def abort_request(request) -> bool:
    """Images, fonts and media are never needed to judge a homepage's elements; nor is any script
    or frame from a host other than the portal's own, www.gov.cn's State Council lists and the
    error-report service (``RENDER_THIRD_PARTY_HOSTS``): the browser never wanders off the portal."""
    if request.resource_type in BLOCKED_RESOURCES:
        return True
    if request.is_navigation_request() and request.frame.parent_frame is None:
        return False
    try:
        page_url = request.frame.page.url
    except Exception:  # noqa: BLE001 - a detached frame: nothing worth loading
        return True
    host = canonical_host(request.url)
    return not (host == canonical_host(page_url) or host in RENDER_THIRD_PARTY_HOSTS)


def render_meta() -> dict:
    return {"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": 15_000}}

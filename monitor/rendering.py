"""JS rendering through scrapy-playwright, opt-in per request as the plugin intends.

Only requests carrying ``meta["playwright"] = True`` pay for a browser; everything else goes through
Scrapy's own HTTP handler. Rendering needs Debian's chromium (``MONITOR_CHROMIUM``); without it, or
with ``MONITOR_RENDER=off``, the crawl runs static-only and says so once.
"""

from __future__ import annotations

import logging
import os
import shutil
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

BLOCKED_RESOURCES = frozenset({"image", "font", "media", "stylesheet", "manifest", "texttrack"})
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


def chromium_path(configured: str | None) -> str | None:
    for candidate in (configured, "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium") or ""):
        if candidate and os.path.exists(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def configure_rendering(settings) -> bool:
    """Install the playwright download handlers when rendering is possible; return whether it is."""
    if str(settings.get("MONITOR_RENDER", "on")).lower() in ("off", "0", "false", "no"):
        logger.warning("JS rendering is off (MONITOR_RENDER=off): homepages are judged on static HTML only")
        settings.set("MONITOR_RENDERING_ACTIVE", False, priority="spider")
        return False
    exe = chromium_path(settings.get("MONITOR_CHROMIUM"))
    if exe is None:
        logger.warning("JS rendering is off: chromium not found (apt-get install chromium, or set "
                       "MONITOR_CHROMIUM); homepages are judged on static HTML only")
        settings.set("MONITOR_RENDERING_ACTIVE", False, priority="spider")
        return False
    launch = dict(settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
    launch["executable_path"] = exe
    proxy = os.environ.get("http_proxy") or os.environ.get("HTTP_PROXY")
    if proxy and "proxy" not in launch:
        parts = urlsplit(proxy)
        launch["proxy"] = {"server": f"{parts.scheme or 'http'}://{parts.hostname}:{parts.port or 80}",
                           "bypass": os.environ.get("no_proxy", "") or os.environ.get("NO_PROXY", "")}
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="spider")
    settings.set("PLAYWRIGHT_ABORT_REQUEST", abort_request, priority="spider")
    settings.set("DOWNLOAD_HANDLERS", {"http": HANDLER, "https": HANDLER}, priority="spider")
    settings.set("MONITOR_RENDERING_ACTIVE", True, priority="spider")
    return True


def abort_request(request) -> bool:
    """Images, fonts and media are never needed to judge a homepage's elements."""
    return request.resource_type in BLOCKED_RESOURCES


def render_meta() -> dict:
    return {"playwright": True, "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": 15_000}}

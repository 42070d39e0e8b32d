"""The Scrapy add-on that applies the ``MONITOR_*`` knobs Scrapy itself needs (listed in
``monitor/settings.py``'s ``ADDONS``), once the command line and the job's settings are known.

``MonitorSettings`` is parsed here first, so a bad ``-s MONITOR_…`` value stops a crawl with one
message naming the setting, before any request.
"""

from __future__ import annotations

from monitor import __version__
from monitor.config import MonitorSettings


def user_agent(contact: str) -> str:
    return f"portal-monitor/{__version__} (government website monitoring; +contact: {contact})"


class MonitorAddon:
    def update_settings(self, settings) -> None:
        ms = MonitorSettings.load(settings)
        # project priority: a spider's custom_settings and -s (higher priorities) still win
        settings.set("USER_AGENT", user_agent(ms.contact), priority="project")
        settings.set("ROBOTSTXT_OBEY", ms.robotstxt_obey, priority="project")
        settings.set("CONCURRENT_REQUESTS", ms.concurrent_requests, priority="project")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", ms.concurrent_per_domain, priority="project")
        settings.set("AUTOTHROTTLE_ENABLED", ms.autothrottle, priority="project")

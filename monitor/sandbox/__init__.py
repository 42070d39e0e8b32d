"""A fleet of simulated government portals served on 127.0.0.1 as a virtual-host HTTP proxy.

>>> from monitor.sandbox import Sandbox
>>> with Sandbox(now=datetime(2026, 11, 20, 12, tzinfo=SHANGHAI)) as sb:   # doctest: +SKIP
...     proxy = sb.url        # set http_proxy=proxy and crawl http://www.kaifeng.gov.cn/
"""

from monitor.sandbox.bundled import load_fleet
from monitor.sandbox.fleet import Fleet, Portal, synthetic_fleet, write_registry
from monitor.sandbox.scenario import PHASES, Clock
from monitor.sandbox.server import Sandbox

__all__ = ["Sandbox", "Fleet", "Portal", "Clock", "PHASES", "load_fleet", "synthetic_fleet",
           "write_registry"]

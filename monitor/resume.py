"""Stopping a portal crawl and starting it again (``-s JOBDIR=DIR``): the same crawl record goes on,
portals finished before the stop are not fetched again, the others are crawled afresh.

Scrapy keeps the scheduler's queue and ``spider.state`` in JOBDIR across a graceful stop (Ctrl-C
once, or SIGTERM). The spider keeps its crawl id and the portals whose record was saved in that
state; requests queued by the earlier run carry that run's token and are dropped before download
(``StaleRequestsMiddleware``), because a portal interrupted midway is crawled again from its
homepage rather than from half-remembered bookkeeping. A process killed outright (``kill -9``) saves
no state: its crawl is marked aborted and the next run starts a new one.
"""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

from scrapy.exceptions import IgnoreRequest, NotConfigured

logger = logging.getLogger(__name__)

STATE_FILE = "spider.state"  # the name Scrapy's SpiderState extension uses


def load_state(jobdir: str | None) -> dict:
    """The state a stopped run left in ``jobdir`` (empty when there is none, or it is unreadable)."""
    if not jobdir:
        return {}
    path = Path(jobdir, STATE_FILE)
    try:
        with path.open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 - our own job directory, written by Scrapy
    except FileNotFoundError:
        return {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
        logger.warning("%s: unreadable (%s); starting a new crawl", path, exc)
        return {}
    return state if isinstance(state, dict) else {}


class StaleRequestsMiddleware:
    """Drops requests queued by an earlier run of a resumed crawl (their ``run`` token differs)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("JOBDIR"):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request, spider=None):
        run = request.meta.get("run")
        current = getattr(self.crawler.spider, "run", None)
        if run is not None and current is not None and run != current:
            raise IgnoreRequest(f"queued by an earlier run: {request.url}")
        return None

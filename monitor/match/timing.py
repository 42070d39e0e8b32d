"""Release ids from URLs, and the repost lag the State Council notice measures (within 24 hours).

Naive datetimes are Beijing time (Asia/Shanghai), as portals and www.gov.cn print them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from monitor.clock import SHANGHAI

__all__ = [
    "SHANGHAI",
    "canonical_url",
    "lag_hours",
    "parse_published",
    "release_id_for_url",
    "within_24h",
]

#: China has kept UTC+8 all year since its last daylight saving time ended (1991-09-15)
_FIXED_SINCE = datetime(1992, 1, 1)
_EPOCH_SHANGHAI = datetime(1970, 1, 1, 8)

_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.I)
_GOV_CONTENT = re.compile(r"content_(\d{5,})\.s?html?$", re.I)
_SLASHES = re.compile(r"/{2,}")
#: scheme (or none), a plain host name, a plain path: no port, user, query, fragment or escapes
_SIMPLE_URL = re.compile(r"(?:[Hh][Tt][Tt][Pp][Ss]?:)?//([A-Za-z0-9.-]+)(/[A-Za-z0-9._~/-]*)?\Z")
_TRACKING = {"from", "isappinstalled", "share_token", "spm", "timestamp", "t", "tt_from"}


def canonical_url(url: str | None) -> str:
    """``host/path?query`` without scheme, ``www.``, default port, fragment, trailing index page or
    slash, or share-tracking parameters, so the same page gives the same string. ``""`` if no URL."""
    if not url or not url.strip():
        return ""
    text = url.strip()
    if "//" not in text:
        text = "//" + text.lstrip("/")
    simple = _SIMPLE_URL.match(text)
    if simple:  # the usual http(s)://host/path: what urlsplit would give, without it
        host = simple.group(1).lower().rstrip(".")
        if host.startswith("www."):
            host = host[4:]
        path = _INDEX_PAGE.sub("/", simple.group(2) or "/")
        return host + (_SLASHES.sub("/", path) if "//" in path else path).rstrip("/")
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return text.lower()
    if host.startswith("www."):
        host = host[4:]
    path = _INDEX_PAGE.sub("/", parts.path or "/")
    path = _SLASHES.sub("/", path).rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in _TRACKING and not k.lower().startswith("utm_")]
    qs = urlencode(sorted(query))
    return f"{host}{path}" + (f"?{qs}" if qs else "")


def release_id_for_url(url: str) -> str:
    """A stable id for a release from its URL, the same on every crawl and machine.

    A www.gov.cn article (``…/content_6986382.htm``, any channel, http or https, with or without
    ``www.``) is ``govcn-6986382``: its CMS number. Any other URL is ``url-`` and the first 16 hex
    digits of the SHA-1 of canonical_url().
    """
    return _release_id(canonical_url(url))


def _release_id(canon: str) -> str:
    """release_id_for_url() from the canonical URL."""
    host = canon.split("/", 1)[0]
    m = _GOV_CONTENT.search(canon.split("?", 1)[0])
    if m and host == "gov.cn":
        return f"govcn-{m.group(1)}"
    return "url-" + hashlib.sha1(canon.encode("utf-8")).hexdigest()[:16]


def parse_published(value: str | date | datetime | None) -> date | datetime | None:
    """An ISO date (``2026-03-01``) or date-time (``2026-03-01T10:00``, ``2026-03-01 10:00:00+08:00``)
    as ``date`` or ``datetime``; ``None`` for empty. Raises ``ValueError`` for anything else."""
    if value is None or isinstance(value, (date, datetime)):
        return value
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def _local_date(value: date | datetime) -> date:
    return _aware(value).astimezone(SHANGHAI).date() if isinstance(value, datetime) else value


def lag_hours(entry_published: date | datetime | None,
              release_published: date | datetime | None) -> float | None:
    """Hours from the release to the entry (entry minus release; negative when the portal's time is
    earlier). ``None`` when either side is missing or has a date but no time: a date alone cannot
    give hours."""
    if not isinstance(entry_published, datetime) or not isinstance(release_published, datetime):
        return None
    return (_aware(entry_published) - _aware(release_published)).total_seconds() / 3600.0


def within_24h(entry_published: date | datetime | None,
               release_published: date | datetime | None) -> bool | None:
    """Was the repost published within 24 hours of the release? ``None`` if either date is missing.

    With both times known: ``lag_hours <= 24``. When either side has a date but no time, the
    calendar days in Asia/Shanghai decide: the entry counts as within 24 hours when it is dated the
    same day as the release or the next day (a portal listing only dates cannot show more). In both
    cases an entry dated before the release counts as within (the portal was not late; its clock or
    date field is off).
    """
    if entry_published is None or release_published is None:
        return None
    lag = lag_hours(entry_published, release_published)
    if lag is not None:
        return lag <= 24.0
    return _local_date(entry_published) <= _local_date(release_published) + timedelta(days=1)


def sort_time(value: date | datetime | None) -> float | None:
    """POSIX seconds for ordering; a bare date counts as its noon in Beijing."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, 12)
    if value.tzinfo is None and value >= _FIXED_SINCE:  # UTC+8 all year: no zone lookup
        return (value - _EPOCH_SHANGHAI).total_seconds()
    return _aware(value).timestamp()

"""Classifying what a fetch returned: the error classes recorded for every failed visit.

Classes: ``dns``, ``refused``, ``timeout``, ``tls``, ``reset``, ``too_large``, ``blocked`` (an anti-bot
challenge page such as the HTTP 412/521 JavaScript cookie challenges of Jiasule/Ruishu CDNs),
``robots`` (disallowed by robots.txt), ``private_address`` (the host or its proxy is at an internal
address, ``monitor/guard.py``), ``http_4xx``/``http_5xx`` and ``offhost_redirect``. Behind a
forward proxy (squid and most others), upstream failures arrive as 502/503/504 pages carrying an
``X-Squid-Error`` header; those are mapped to the same classes as direct failures.
"""

from __future__ import annotations

import re

from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError,
                               DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)

SQUID_ERRORS = {
    "ERR_DNS_FAIL": "dns",
    "ERR_CONNECT_FAIL": "refused",
    "ERR_READ_TIMEOUT": "timeout",
    "ERR_CONNECT_TIMEOUT": "timeout",
    "ERR_LIFETIME_EXP": "timeout",
    "ERR_SECURE_CONNECT_FAIL": "tls",
    "ERR_READ_ERROR": "reset",
    "ERR_ZERO_SIZE_OBJECT": "reset",
    "ERR_WRITE_ERROR": "reset",
    "ERR_TOO_BIG": "too_large",
}

# Markers of script-only cookie challenges (Jiasule __jsl_clearance, Ruishu $_ts / FSSBBIl1UgzbN7N,
# Cloudflare-style "checking your browser"); a challenge page is small and has no real content.
CHALLENGE_RE = re.compile(
    rb"__jsl_clearance|\$_ts\s*=|FSSBBIl1UgzbN7N|_guard/auto\.js|document\.cookie\s*=.{0,400}"
    rb"(?:location\.(?:reload|href|replace)|window\.location)|challenge-platform|"
    rb"Checking your browser|acw_sc__v2|arg1\s*=\s*'",
    re.S | re.I)
CHALLENGE_STATUSES = {200, 202, 403, 412, 418, 429, 503, 521}
CHALLENGE_MAX_BYTES = 64 * 1024


def classify_response(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """The error class of a response that arrived, or None when it is a real page."""
    squid = headers.get("x-squid-error", "")
    if squid and status >= 400:
        code = squid.split()[0].upper()
        return SQUID_ERRORS.get(code, f"http_{status // 100}xx")
    if status in CHALLENGE_STATUSES and _looks_like_challenge(status, body):
        return "blocked"
    if status >= 500:
        return "http_5xx"
    if status >= 400:
        return "http_4xx"
    return None


def response_error(response) -> str | None:
    """``classify_response`` for a Scrapy response (its headers are case-insensitive already)."""
    squid = (response.headers.get(b"X-Squid-Error") or b"").decode("latin-1")
    return classify_response(response.status, {"x-squid-error": squid} if squid else {}, response.body)


def _looks_like_challenge(status: int, body: bytes) -> bool:
    """A challenge page is small, script-only and sets a cookie. A 200 page is checked only when it
    is tiny (a real homepage is tens of KB), and the regex runs only behind a cheap literal test:
    it would otherwise cost a tenth of a crawl's CPU."""
    limit = CHALLENGE_MAX_BYTES if status != 200 else CHALLENGE_MAX_BYTES // 4
    if len(body) > limit:
        return False
    lowered = body[:limit].lower()
    if b"cookie" not in lowered and b"$_ts" not in lowered and b"checking your browser" not in lowered \
            and b"challenge" not in lowered and b"arg1" not in lowered:
        return False
    return CHALLENGE_RE.search(body) is not None


def classify_failure(exc: BaseException) -> str:
    """The error class of a download that produced no response."""
    if isinstance(exc, CannotResolveHostError):
        return "dns"
    if isinstance(exc, DownloadConnectionRefusedError):
        return "refused"
    if isinstance(exc, DownloadTimeoutError):
        return "timeout"
    if isinstance(exc, DownloadCancelledError):
        return "too_large"
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if text.startswith("private_address"):
            return "private_address"
        return "robots" if "robots" in text else "ignored"
    if isinstance(exc, (ResponseDataLossError, DownloadFailedError)):
        return _by_text(exc) or "reset"
    return _by_text(exc) or "error"


def _by_text(exc: BaseException) -> str | None:
    name = f"{type(exc).__module__}.{type(exc).__name__} {exc}".lower()
    for needle, cls in (("ssl", "tls"), ("tls", "tls"), ("certificate", "tls"), ("dns", "dns"),
                        ("resolve", "dns"), ("refused", "refused"), ("timeout", "timeout"),
                        ("timed out", "timeout"), ("connectionlost", "reset"), ("reset", "reset"),
                        ("connectiondone", "reset"), ("responsenever", "reset"),
                        ("maxsize", "too_large"), ("max size", "too_large")):
        if needle in name:
            return cls
    return None

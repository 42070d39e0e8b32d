"""Repost matching: which portal entries repost which State Council releases, and how late.

Pure functions and a ``Matcher`` over plain dataclasses: no Scrapy, no SQLite. Modules, in the
order a match goes through them: ``normalize`` (titles), ``features`` (what a title says),
``index`` (the releases, built once), ``blocking`` (scores and near-misses), ``ties`` (one release
per entry), ``matcher`` (the whole), ``forked`` (two processes), ``timing`` (URLs and lags).
"""

from .matcher import DEFAULT_THRESHOLD, Matcher
from .model import Entry, Match, Release
from .normalize import normalize_title
from .timing import canonical_url, lag_hours, parse_published, release_id_for_url, within_24h

__all__ = [
    "DEFAULT_THRESHOLD",
    "Entry",
    "Match",
    "Matcher",
    "Release",
    "canonical_url",
    "lag_hours",
    "normalize_title",
    "parse_published",
    "release_id_for_url",
    "within_24h",
]

"""The values the matcher takes and gives: releases, portal entries and matches (plain, frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["Entry", "Match", "Release"]


@dataclass(slots=True, frozen=True)
class Release:
    """A State Council release (www.gov.cn)."""

    id: str
    title: str
    url: str | None = None
    published: datetime | date | None = None


@dataclass(slots=True, frozen=True)
class Entry:
    """An item a portal published (list entry or article)."""

    id: str
    portal_id: str | None
    title: str
    url: str | None = None
    published: datetime | date | None = None


@dataclass(slots=True, frozen=True)
class Match:
    """``entry_id`` reposts ``release_id``; ``score`` 0..1; ``lag_hours`` entry minus release.

    An ambiguous match (``ambiguous`` true) has no ``release_id`` and no lag: the entry fits the
    releases of ``candidates`` equally well, and nothing tells which one it reposts.
    """

    entry_id: str
    release_id: str | None
    score: float
    lag_hours: float | None
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.release_id is None

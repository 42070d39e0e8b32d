"""Deterministic pseudo-randomness: every choice the sandbox makes is a hash of its inputs.

Python's ``hash()`` is salted per process, so pages would differ between runs; ``blake2b`` over the
key is stable, and fast enough (about a microsecond) to call a few hundred times per page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from hashlib import blake2b

from monitor.clock import SHANGHAI

EPOCH = date(2000, 1, 1)


def h(*parts) -> int:
    """A stable 64-bit integer for ``parts``."""
    key = "\x1f".join(map(str, parts)).encode("utf-8")
    return int.from_bytes(blake2b(key, digest_size=8).digest(), "big")


def pick(seq, *parts):
    return seq[h(*parts) % len(seq)]


def frac(*parts) -> float:
    """A stable float in [0, 1)."""
    return (h(*parts) >> 11) / float(1 << 53)


def day_number(d: date) -> int:
    return (d - EPOCH).days


def day_date(n: int) -> date:
    return EPOCH + timedelta(days=n)


def at(day: int, minutes: int) -> datetime:
    """Shanghai time ``minutes`` after midnight of day number ``day``."""
    d = day_date(day)
    return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI) + timedelta(minutes=minutes)


def local(now: datetime) -> datetime:
    if now.tzinfo is None:
        return now.replace(tzinfo=SHANGHAI)
    return now.astimezone(SHANGHAI)


_M64 = (1 << 64) - 1


def mix(seed: int, n: int) -> int:
    """splitmix64 of ``seed`` and ``n``: a cheap stable hash for per-day/per-item decisions."""
    z = (seed + (n + 1) * 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)

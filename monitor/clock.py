"""Time, in one place: the Asia/Shanghai zone every portal publishes in, the ``MONITOR_NOW`` clock
override, and the one ISO form dates and date-times are written in.

Naive datetimes are read as Shanghai time everywhere (portals print local times without a zone).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

__all__ = ["SHANGHAI", "ClockError", "parse_now", "iso", "aware", "local_date", "duration_text"]


class ClockError(ValueError):
    pass


def parse_now(value: str | None) -> datetime:
    """The clock: the real time when ``value`` is empty, else ``value`` (an ISO date or date-time,
    ``MONITOR_NOW``), as an aware Shanghai datetime."""
    if not value:
        return datetime.now(SHANGHAI)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClockError(f"MONITOR_NOW {value!r} is not an ISO date or date-time "
                         f"(e.g. 2026-11-29 or 2026-11-29T10:00:00+08:00)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(SHANGHAI)


def aware(value: datetime) -> datetime:
    """A naive datetime is read as Asia/Shanghai time."""
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


def local_date(value: date | datetime | None) -> date | None:
    """The calendar day in Shanghai of a date or datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return aware(value).astimezone(SHANGHAI).date()
    return value


def iso(value: date | datetime | None) -> str | None:
    """Dates as ``YYYY-MM-DD``; date-times as ``YYYY-MM-DDTHH:MM:SS+08:00`` (Shanghai, seconds)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return aware(value).astimezone(SHANGHAI).isoformat(timespec="seconds")
    return value.isoformat()


def duration_text(seconds: float) -> str:
    """``45s``, ``3m05s``, ``2h10m``: elapsed times and ETAs in log lines and tables."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"

"""The clock: ``MONITOR_NOW`` (ISO date or date-time) overrides the real time for tests and replays.
Naive times are Asia/Shanghai, the time zone every portal publishes in."""

from __future__ import annotations

from datetime import date, datetime

from monitor.extract.page import SHANGHAI


class ClockError(ValueError):
    pass


def parse_now(value: str | None) -> datetime:
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


def iso(value: date | datetime | None) -> str | None:
    """Dates as YYYY-MM-DD, date-times as ISO with the +08:00 offset."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI).isoformat(timespec="seconds")
    return value.isoformat()

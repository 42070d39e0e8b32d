"""The scenario clock: which moment each portal's pages show in the audit and decay phases.

* ``audit``: every portal shows its history up to ``now``.
* ``decay``: ``now`` is later (e.g. audit + 21 days). Portals whose ``decay.freeze`` is ``"all"``
  (or lists column keys) stopped updating: those columns are cut at the *anchor*,
  ``min(audit_now, now - stale_min_age_days)``, so they are stale whatever the gap. A portal with
  ``decay.stop_reposts`` shows no repost made after the anchor. ``decay.drop`` removes homepage
  elements; ``decay.fault`` takes the portal down.

``audit_now`` is the ``now`` of the last audit phase; a sandbox started directly in decay assumes
``now - decay_gap_days``.

The planted findings of issue 12 that happen after the audit (a leak published, a homepage hacked,
pages removed, guides copied, a column re-dated; ``monitor/sandbox/plants.py``) happen at the
*event*: ``event_days`` after the audit, 09:10 (the day before the demo's first decay crawl, so the
crawl finds them among the newest entries). Before it a decay view shows none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.sandbox.rand import local

PHASES = ("audit", "decay")


@dataclass(frozen=True, slots=True)
class Clock:
    phase: str
    now: datetime
    audit_now: datetime
    stale_min_age_days: int = 20
    event_days: int = 20

    @classmethod
    def make(cls, phase: str, now: datetime, audit_now: datetime | None, scenario: dict) -> "Clock":
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
        now = local(now).replace(microsecond=0)
        if phase == "audit":
            audit_now = now
        elif audit_now is None or audit_now > now:
            audit_now = now - timedelta(days=scenario["decay_gap_days"])
        return cls(phase, now, local(audit_now), scenario["stale_min_age_days"],
                   int(scenario.get("event_days", 20)))

    @property
    def decay(self) -> bool:
        return self.phase == "decay"

    @property
    def anchor(self) -> datetime:
        return min(self.audit_now, self.now - timedelta(days=self.stale_min_age_days))

    def decay_rule(self, portal, key: str, default=None):
        return portal.decay.get(key, default) if self.decay else default

    @property
    def event(self) -> datetime:
        """When the planted post-audit findings happen: ``event_days`` after the audit, 09:10."""
        return self.audit_now.replace(hour=9, minute=10, second=0) + timedelta(days=self.event_days)

    @property
    def after_event(self) -> bool:
        return self.decay and self.now >= self.event

    def event_rule(self, portal, key: str, default=None):
        """A ``decay`` key that takes effect at the event (``redate``, ``inject``, ``remove_special``,
        ``copy_guides``)."""
        return portal.decay.get(key, default) if self.after_event else default

    def cut(self, portal, column=None) -> datetime:
        freeze = self.decay_rule(portal, "freeze")
        if freeze == "all" or (freeze and column is not None and column.key in freeze):
            return self.anchor
        return self.now

    def homepage_cut(self, portal) -> datetime:
        return self.anchor if self.decay_rule(portal, "freeze") == "all" else self.now

    def stop_after(self, portal):
        return self.anchor if self.decay_rule(portal, "stop_reposts") else None

    def has(self, portal, element: str) -> bool:
        """Whether the homepage still carries ``error_link`` / ``policy_column`` in this phase."""
        return element not in (self.decay_rule(portal, "drop") or ())

    def fault(self, portal) -> dict | None:
        return self.decay_rule(portal, "fault") or portal.fault

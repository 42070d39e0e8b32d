"""The scenario clock: which moment each portal's pages show in the audit and decay phases.

* ``audit``: every portal shows its history up to ``now``.
* ``decay``: ``now`` is later (e.g. audit + 21 days). Portals whose ``decay.freeze`` is ``"all"``
  (or lists column keys) stopped updating: those columns are cut at the *anchor*,
  ``min(audit_now, now - stale_min_age_days)``, so they are stale whatever the gap. A portal with
  ``decay.stop_reposts`` shows no repost made after the anchor. ``decay.drop`` removes homepage
  elements; ``decay.fault`` takes the portal down.

``audit_now`` is the ``now`` of the last audit phase; a sandbox started directly in decay assumes
``now - decay_gap_days``.
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

    @classmethod
    def make(cls, phase: str, now: datetime, audit_now: datetime | None, scenario: dict) -> "Clock":
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}")
        now = local(now).replace(microsecond=0)
        if phase == "audit":
            audit_now = now
        elif audit_now is None or audit_now > now:
            audit_now = now - timedelta(days=scenario["decay_gap_days"])
        return cls(phase, now, local(audit_now), scenario["stale_min_age_days"])

    @property
    def decay(self) -> bool:
        return self.phase == "decay"

    @property
    def anchor(self) -> datetime:
        return min(self.audit_now, self.now - timedelta(days=self.stale_min_age_days))

    def decay_rule(self, portal, key: str, default=None):
        return portal.decay.get(key, default) if self.decay else default

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

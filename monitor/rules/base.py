"""The shape every rule shares: a declarative class with a pure ``judge(state, now) -> Verdict``.

Like a Spidermon monitor, a rule is an id, the official indicator it implements, the names of its
``MONITOR_*`` thresholds and a docstring that is its user-facing description. Thresholds are read
once in ``from_settings`` (a ``MonitorSettings``); ``__init__`` takes plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from monitor.clock import SHANGHAI, aware, iso, local_date  # noqa: F401  (the rules' time helpers)
from monitor.config import MonitorSettings, convert

LEVELS = ("ok", "warn", "fail", "unknown")


@dataclass(slots=True)
class Verdict:
    """One rule's judgement of one portal at one crawl. ``passed`` None means unknown."""

    rule: str
    passed: bool | None
    level: str  # ok, warn, fail, unknown
    value: str | float | int | None = None
    evidence: dict = field(default_factory=dict)  # JSON-serialisable

    def as_dict(self) -> dict:
        return asdict(self)


def ok(rule: str, value=None, **evidence) -> Verdict:
    return Verdict(rule, True, "ok", value, evidence)


def warn(rule: str, value=None, **evidence) -> Verdict:
    return Verdict(rule, True, "warn", value, evidence)


def fail(rule: str, value=None, **evidence) -> Verdict:
    return Verdict(rule, False, "fail", value, evidence)


def unknown(rule: str, value=None, **evidence) -> Verdict:
    return Verdict(rule, None, "unknown", value, evidence)


# -- time ---------------------------------------------------------------------------------------


def age_days(newest: date | datetime, now: datetime) -> int:
    """Whole calendar days (Shanghai) from ``newest`` to ``now``; negative for future dates."""
    return (local_date(now) - local_date(newest)).days



class Rule:
    """Base class: subclasses set the class attributes and implement ``judge``."""

    id: ClassVar[str] = ""
    indicator: ClassVar[str] = ""  # the official source of the rule
    veto: ClassVar[bool] = False  # a single-veto item (单项否决): decides 合格/不合格
    #: whether an unknown verdict of a veto rule makes the overall verdict unknown. False for the
    #: rules that look for something bad (a leak, an unanswered message) and are unknown only for
    #: want of data (no board, an older crawl): they can fail a portal but never hold back 合格
    unknown_blocks: ClassVar[bool] = True
    content: ClassVar[bool] = True  # judged from the crawl (unknown when the homepage failed)
    #: setting name -> attribute name of every threshold the rule reads
    settings: ClassVar[dict[str, str]] = {}

    def __init__(self, **values: Any) -> None:
        known = set(self.settings.values())
        unexpected = set(values) - known
        if unexpected:
            raise TypeError(f"{type(self).__name__}: unknown threshold(s) {sorted(unexpected)}")
        for name, attr in self.settings.items():
            setattr(self, attr, convert(name, values.get(attr)))

    @classmethod
    def from_settings(cls, settings: MonitorSettings | Mapping | Any | None = None) -> "Rule":
        """The rule with the thresholds of ``settings`` (a ``MonitorSettings``; a plain mapping of
        ``MONITOR_*`` names is read as one, without the environment)."""
        if not isinstance(settings, MonitorSettings):
            settings = MonitorSettings.load(settings, environ={})
        return cls(**{attr: settings.get(name) for name, attr in cls.settings.items()})

    @classmethod
    def description(cls) -> str:
        return " ".join((cls.__doc__ or "").split())

    def judge(self, state, now: datetime) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError

    # shared guards ---------------------------------------------------------------------------

    def precheck(self, state) -> Verdict | None:
        """Unknown for a closed portal, and for a content rule when there is no usable homepage."""
        if state.status == "closed":
            return unknown(self.id, reason="closed")
        if not self.content:
            return None
        if state.homepage_ok is None:
            return unknown(self.id, reason="no_crawl")
        if not state.homepage_ok:
            return unknown(self.id, reason="homepage_not_fetched", url=state.homepage_url,
                           error=state.homepage_error, crawl_id=state.crawl_id)
        return None

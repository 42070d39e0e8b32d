"""Every ``MONITOR_*`` knob, parsed once into one typed, validated ``MonitorSettings``.

Precedence, for each knob: Scrapy's own settings (``-s NAME=VALUE``, a scrapyd job's ``setting=``,
a spider's ``custom_settings``), then the environment variable of the same name, then the default
below. This is the only module that reads ``MONITOR_*`` environment variables; spiders, pipelines,
rules and the CLI receive a ``MonitorSettings`` (``MonitorSettings.of(crawler)`` in a crawl,
``MonitorSettings.load()`` in the CLI). A bad value is one clear error naming the setting
(``SettingsError``), raised before any request.

The rule thresholds come from the official indicators (国办秘函〔2019〕19号 and the 2015 survey table,
as summarised in README.md, "The official rules"); the ``*_WARN_*`` values are the monitoring
vendors' earlier warnings.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from monitor.clock import ClockError, parse_now
from monitor.paths import DEFAULT_DB, REGISTRY_CSV

logger = logging.getLogger(__name__)

PREFIX = "MONITOR_"
#: old name -> current name; the old one is still read, with a deprecation warning
DEPRECATED = {"MONITOR_REPOSTS_WINDOW_DAYS": "MONITOR_REPOST_WINDOW_DAYS"}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class SettingsError(ValueError):
    """A ``MONITOR_*`` value that cannot be used; the message names the setting."""


def knob(default: Any, help: str, *, minimum: float | None = None, maximum: float | None = None,
         choices: tuple[str, ...] | None = None, factory: bool = False) -> Any:
    meta = {"help": help, "min": minimum, "max": maximum, "choices": choices}
    if factory or isinstance(default, (dict, list)):
        value = default
        return field(default_factory=lambda: value() if callable(value) else type(value)(value),
                     metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class MonitorSettings:
    """The project's settings; attribute ``x`` is the setting ``MONITOR_X``."""

    # -- where things are ---------------------------------------------------------------------------
    registry: str = knob(lambda: str(REGISTRY_CSV), "the registry CSV of portals", factory=True)
    db: str = knob(lambda: str(DEFAULT_DB), "the SQLite store", factory=True)
    now: str = knob("", "ISO date or date-time that replaces the clock (tests, replays); empty: real time")
    allow_hosts: tuple[str, ...] = knob((), "host suffixes accepted in a registry besides .gov.cn "
                                            "(comma list), e.g. for a private test fleet")
    allow_private_addresses: bool = knob(False, "fetch from loopback, private and link-local addresses "
                                                "(the sandbox and tests, whose proxy is on 127.0.0.1); "
                                                "off, such a host is refused as private_address")
    contact: str = knob("set MONITOR_CONTACT to your office's e-mail",
                        "who runs the crawler; sent in the User-Agent so an administrator can reach you")
    # -- the crawl ----------------------------------------------------------------------------------
    column_depth: int = knob(1, "how deep to follow column links from the homepage (1: the columns "
                                "the homepage links to)", minimum=0, maximum=5)
    max_pages_per_portal: int = knob(30, "most pages fetched per portal and crawl (homepage, columns, "
                                         "footer scripts); columns beyond it are unknown, not stale",
                                     minimum=1)
    max_columns_per_page: int = knob(40, "most columns taken from one page (keeps a link farm from "
                                         "flooding the queue)", minimum=0)
    max_footer_resources: int = knob(4, "same-host footer scripts/iframes fetched when the homepage "
                                         "HTML shows no error-report entry", minimum=0)
    render: str = knob("on", "JS rendering through scrapy-playwright when chromium exists: on, off",
                       choices=("on", "off"))
    chromium: str = knob("/usr/bin/chromium", "the chromium executable used for rendering")
    robotstxt_obey: bool = knob(True, "obey robots.txt (offices with a mandate to check every page "
                                      "set 0)")
    concurrent_requests: int = knob(32, "requests in flight at once (Scrapy CONCURRENT_REQUESTS)",
                                    minimum=1)
    concurrent_per_domain: int = knob(2, "requests in flight per portal host", minimum=1)
    autothrottle: bool = knob(True, "adapt the delay between a host's requests to its answers (Scrapy's "
                                    "AutoThrottle); the local sandbox needs no such politeness")
    log_level: str = knob("INFO", "Scrapy's log level", choices=("DEBUG", "INFO", "WARNING", "ERROR",
                                                                 "CRITICAL"))
    progress: bool = knob(True, "log crawl progress (portals done, pages, failures, ETA) each "
                                "MONITOR_PROGRESS_INTERVAL seconds")
    progress_interval: int = knob(60, "seconds between progress lines and heartbeats", minimum=1)
    # -- the store ----------------------------------------------------------------------------------
    batch_size: int = knob(200, "rows buffered before the store writes them in one transaction",
                           minimum=1)
    heartbeat_stale: int = knob(900, "a running crawl whose heartbeat is older than this many "
                                     "seconds is considered dead (aborted)", minimum=1)
    # -- availability probes ------------------------------------------------------------------------
    probe_invalid_share: float = knob(0.5, "probe rounds in which at least this share of portals "
                                           "failed at once are invalid (our own network)",
                                      minimum=0, maximum=1)
    probe_invalid_min_portals: int = knob(4, "a round is only judged invalid with at least this many "
                                             "portals", minimum=1)
    visit_retention_days: int = knob(30, "visits older than this are rolled up per portal and day",
                                     minimum=0)
    fetch_retention_days: int = knob(90, "portal crawls older than this are rolled up to what changed at "
                                         "the end of each crawl: the time and latency of pages and columns "
                                         "that did not change are dropped and passing verdicts lose their "
                                         "evidence, keeping every verdict and the evidence behind every "
                                         "finding (0: keep all)",
                                     minimum=0)
    # -- State Council releases and reposts ---------------------------------------------------------
    govcn_base: str = knob("https://www.gov.cn", "scheme and host the statecouncil spider reads "
                                                 "releases from")
    govcn_max_releases: int = knob(300, "most releases taken per statecouncil crawl", minimum=1)
    repost_threshold: float = knob(0.88, "repost matcher score threshold (0-1), see monitor/match",
                                   minimum=0, maximum=1)
    repost_window_days: int = knob(30, "days of State Council releases matched and judged by the "
                                       "reposts_24h rule", minimum=1)
    # -- reachable: 站点无法访问 ---------------------------------------------------------------------
    reachable_window_days: int = knob(7, "days of visits judged (official: monitored for one week)",
                                      minimum=1)
    reachable_fail_share: float = knob(0.05, "share of failed visits that fails the portal "
                                             "(official veto: >= 5%)", minimum=0, maximum=1)
    reachable_warn_share: float = knob(0.03, "share of failed visits that warns (vendors: 3%; with at least "
                                             "MONITOR_REACHABLE_MIN_FAILURES failed visits)",
                                       minimum=0, maximum=1)
    reachable_min_visits: int = knob(20, "fewest valid visits in the window before a portal can be "
                                         "judged ok (the official daily count, 20)", minimum=1)
    reachable_official_visits: int = knob(140, "visits of a full official sample (a week at 20 a day): "
                                               "from there the observed share decides, as the official "
                                               "rule does", minimum=1)
    reachable_min_failures: int = knob(2, "fewest failed visits, on at least two different hours, that "
                                          "can fail a portal before the official sample is complete: "
                                          "a single timed-out visit is noise, not a veto", minimum=1)
    reachable_confidence: float = knob(0.95, "confidence level of the failure share's interval (Wilson): "
                                             "a portal fails early when even the lower bound is over the "
                                             "official 5%", minimum=0.5, maximum=0.999)
    reachable_ignore_errors: tuple[str, ...] = knob(
        ("robots", "blocked"), "visit error classes that say nothing about the portal: robots.txt "
                               "told us to stay away, or a CDN answered with an anti-bot challenge")
    # -- homepage_fresh: 首页栏目信息更新 ------------------------------------------------------------
    homepage_max_age_days: int = knob(14, "days without a new homepage item that fail (official: "
                                          "2 weeks; undated counts as not updated)", minimum=1)
    homepage_warn_days: int = knob(10, "days without a new homepage item that warn (vendors: 10)",
                                   minimum=1)
    # -- columns_fresh: 栏目不更新 / 空白栏目 ---------------------------------------------------------
    columns_stale_max: int = knob(5, "stale news/notice/policy columns that fail (official: >= 5)",
                                  minimum=1)
    columns_stale_any_max: int = knob(10, "stale columns of any type with a limit that fail "
                                          "(official: >= 10)", minimum=1)
    columns_blank_max: int = knob(5, "blank columns that fail (official: >= 5)", minimum=1)
    columns_key_types: tuple[str, ...] = knob(
        ("news", "notice", "policy", "动态", "工作动态", "要闻", "通知公告", "政策文件", "政府文件"),
        "column types counted against MONITOR_COLUMNS_STALE_MAX (动态/要闻, 通知公告, 政策文件)")
    column_max_age_days: dict = knob(
        {"news": 14, "notice": 183, "policy": 183, "personnel": 365, "plan": 365, "leadership": 365,
         "organization": 365, "finance": 365, "statistics": 365, "disclosure": 365},
        "update limit in days by column type (JSON), used when a column carries no limit of its own")
    # -- regressions --------------------------------------------------------------------------------
    regression_consecutive_reachable: int = knob(2, "consecutive failed crawls before a "
                                                    "reachability regression counts", minimum=1)
    regression_consecutive_content: int = knob(1, "consecutive failed crawls before a content "
                                                  "regression counts", minimum=1)
    # -- the spot-check report (monitor report) ---------------------------------------------------
    report_title: str = knob("政府网站监测情况通报", "title of the spot-check report (monitor report); "
                                                    "the period and scope follow it")
    report_line: float = knob(0.6, "regions whose share of a rule is under this line are named in the "
                                   "report (the notice: 转载比例低于60%)", minimum=0, maximum=1)
    report_trend_periods: int = knob(4, "periods shown in the report's trend chart (this one and the "
                                        "ones before it)", minimum=2, maximum=40)
    # -- notifications (monitor notify) -------------------------------------------------------------
    notify_file: str = knob("", "recipients: an Apprise configuration file (YAML, or Apprise's TEXT "
                                "format) whose tags are region slugs or portal ids, globs allowed "
                                "(henan, henan-zheng*, *)")
    notify_on_close: bool = knob(False, "run monitor notify with MONITOR_NOTIFY_FILE when a portal "
                                        "crawl closes, after judging")
    notify_window_days: int = knob(7, "only regressions that began or recovered within this many days "
                                      "are announced, so a first run on an old store sends no history "
                                      "(monitor notify --since overrides)", minimum=1)
    notify_digest: str = knob("off", "delivery for recipients without a digest-daily/digest-weekly tag: "
                                     "off (a message per region at each run), daily, weekly",
                              choices=("off", "daily", "weekly"))
    # -- the browsable store (monitor serve) -------------------------------------------------------
    serve_sql_time_limit_ms: int = knob(5000, "longest a query may run in monitor serve (Datasette's "
                                              "sql_time_limit_ms; the regressions query reads every verdict)",
                                        minimum=100)
    # -- the pages below the homepage where findings live -------------------------------------------
    articles_per_portal: int = knob(10, "article pages of list entries first seen since the previous "
                                        "crawl fetched per portal and crawl, newest first (the first "
                                        "crawl of a portal takes this many as a sample; 0: none)",
                                    minimum=0)
    boards_per_portal: int = knob(3, "message boards (领导信箱, 咨询, 留言…) read per portal and crawl",
                                  minimum=0)
    board_hosts: tuple[str, ...] = knob((), "host suffixes of shared platforms (a province's 12345 or "
                                            "信箱 system) whose boards are read beside the portal's own host")
    guides_per_portal: int = knob(5, "service-guide (办事指南) pages fetched per portal and crawl",
                                  minimum=0)
    attachments_per_portal: int = knob(5, "small same-host attachments (txt, csv, xls/xlsx, docx) of "
                                          "articles scanned for personal data per portal and crawl",
                                       minimum=0)
    link_checks_per_portal: int = knob(20, "homepage links checked for liveness per portal and crawl "
                                           "(HEAD, then GET where HEAD is refused; off-host links are "
                                           "checked, never crawled; 0: none)", minimum=0)
    # -- interaction: 互动回应差 (single veto) --------------------------------------------------------
    interaction_window_days: int = knob(365, "days of consultation messages judged (official: "
                                             "messages left within the last year)", minimum=1)
    interaction_max_reply_days: int = knob(90, "days a message may stay unanswered (official veto: "
                                               "more than 3 months)", minimum=1)
    interaction_warn_closure: float = knob(0.9, "closure rate (answered / messages of the window) "
                                                "below which a board warns", minimum=0, maximum=1)
    interaction_max_pages: int = knob(5, "list pages followed per message board (next-page links)",
                                      minimum=1)
    # -- privacy: 泄露个人信息 (serious error) --------------------------------------------------------
    privacy_attachment_max_bytes: int = knob(2_000_000, "largest same-host attachment (txt, csv, "
                                                        "xls/xlsx, docx) scanned for personal data",
                                             minimum=0)
    privacy_mobile_bulk: int = knob(5, "mobile numbers on one page that are a leak even when each is "
                                       "labelled as an office contact (联系电话)", minimum=1)
    # -- harmful_content: 有害信息 / 被植入内容 (serious error) ---------------------------------------
    harmful_min_score: int = knob(10, "weight of distinct harmful terms (data/harmful_terms.csv) in "
                                      "one page's text that fails it; hidden link blocks and spam "
                                      "links fail on their own", minimum=1)
    harmful_hidden_min_links: int = knob(5, "outbound (non-government) links in one CSS-hidden block "
                                            "that make it injected spam", minimum=1)
    # -- forged_dates: 伪造更新时间 (serious error) ---------------------------------------------------
    forged_min_entries: int = knob(5, "fewest entries of a list re-dated at once to the crawl day "
                                      "that flag the whole list", minimum=1)
    forged_redated_share: float = knob(0.9, "share of a list's entries dated the crawl day that "
                                            "flags it (with most of them seen before)",
                                       minimum=0, maximum=1)
    forged_window_days: int = knob(90, "days back a re-dating is judged (a re-dated list seen "
                                       "within them fails)", minimum=1)
    forged_seen_before_share: float = knob(0.5, "share of those entries already seen on an earlier "
                                                "day that makes the re-dating forged",
                                           minimum=0, maximum=1)
    # -- copied_guides: 办事指南涉嫌抄袭 --------------------------------------------------------------
    guides_min_similarity: float = knob(0.7, "Jaccard similarity of two service guides' character "
                                             "shingles that makes them near-duplicates (light edits and "
                                             "another page template bring a copy down to about 0.7)",
                                        minimum=0, maximum=1)
    guides_min_foreign: int = knob(2, "weight of the other guide's own places (1 each) and offices (2 "
                                      "each) left in a near-duplicate where that guide prints them, "
                                      "that makes it a copy", minimum=1)
    # -- dead_links: 链接可用性 ----------------------------------------------------------------------
    dead_links_warn: int = knob(1, "dead homepage/first-level links that warn", minimum=1)
    dead_links_fail: int = knob(5, "dead homepage/first-level links that fail", minimum=1)
    dead_links_statuses: tuple[str, ...] = knob(("404", "410"), "HTTP statuses of a dead link")
    dead_links_errors: tuple[str, ...] = knob(("dns", "timeout", "refused"),
                                              "fetch error classes of a dead link")

    # ------------------------------------------------------------------ reading
    @classmethod
    def load(cls, source: Mapping | Any | None = None,
             environ: Mapping[str, str] | None = None) -> "MonitorSettings":
        """Parse every knob from ``source`` (Scrapy ``Settings``, a dict, or anything with ``.get``),
        then ``environ`` (default: the process environment), then the defaults. Raises
        ``SettingsError`` naming each bad setting."""
        if isinstance(source, MonitorSettings):
            return source
        environ = os.environ if environ is None else environ
        get = source.get if source is not None else (lambda name, default=None: None)
        values, problems = {}, []
        for f in fields(cls):
            name = setting_name(f.name)
            raw = _given(get, name)
            if raw is None:
                raw = _given(environ.get, name)
            if raw is None:
                for old, new in DEPRECATED.items():
                    if new == name:
                        raw = _given(get, old)
                        raw = _given(environ.get, old) if raw is None else raw
                        if raw is not None:
                            logger.warning("%s is deprecated: use %s (read %r from the old name)",
                                           old, new, raw)
            if raw is None:
                continue
            try:
                values[f.name] = _convert(name, raw, f)
            except SettingsError as exc:
                problems.append(str(exc))
        if problems:
            raise SettingsError("\n".join(problems))
        settings = cls(**values)
        settings.validate()
        return settings

    @classmethod
    def of(cls, crawler) -> "MonitorSettings":
        """The crawl's settings, parsed once per crawler and kept on it."""
        cached = getattr(crawler, "_monitor_settings", None)
        if cached is None:
            cached = cls.load(crawler.settings)
            crawler._monitor_settings = cached
        return cached

    def validate(self) -> None:
        """Checks that span one value's type: the clock and the release host."""
        try:
            parse_now(self.now)
        except ClockError as exc:
            raise SettingsError(str(exc)) from None
        if self.notify_on_close and not self.notify_file:
            raise SettingsError("MONITOR_NOTIFY_ON_CLOSE: set MONITOR_NOTIFY_FILE too (who gets the "
                                "notifications)")
        parts = urlsplit(self.govcn_base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"MONITOR_GOVCN_BASE: {self.govcn_base!r} is not an http(s) URL")

    # ------------------------------------------------------------------ use
    def get(self, name: str, default: Any = None) -> Any:
        """The value of setting ``name`` (``MONITOR_X``), as rules and older call sites ask for it."""
        name = DEPRECATED.get(name, name)
        if not name.startswith(PREFIX):
            return default
        return getattr(self, name[len(PREFIX):].lower(), default)

    def clock(self) -> datetime:
        """Now: ``MONITOR_NOW`` when set, else the real time (Shanghai)."""
        return parse_now(self.now)

    def replace(self, **changes: Any) -> "MonitorSettings":
        return dataclasses.replace(self, **changes)

    @property
    def rendering_wanted(self) -> bool:
        return self.render == "on"

    def as_dict(self) -> dict[str, Any]:
        return {setting_name(f.name): getattr(self, f.name) for f in fields(self)}


def setting_name(attr: str) -> str:
    return PREFIX + attr.upper()


def describe() -> list[tuple[str, Any, str]]:
    """(name, default, help) of every setting, for documentation."""
    defaults = MonitorSettings()
    return [(setting_name(f.name), getattr(defaults, f.name), f.metadata["help"])
            for f in fields(MonitorSettings)]


_FIELDS = {setting_name(f.name): f for f in fields(MonitorSettings)}


def default(name: str) -> Any:
    """The default of setting ``name``."""
    return getattr(_DEFAULTS, _FIELDS[DEPRECATED.get(name, name)].name)


def convert(name: str, value: Any) -> Any:
    """``value`` (maybe the text ``-s NAME=VALUE`` gives) as setting ``name`` takes it; None gives
    the default. Raises ``SettingsError`` naming the setting."""
    name = DEPRECATED.get(name, name)
    if name not in _FIELDS:
        raise SettingsError(f"{name}: no such setting")
    if value is None or (isinstance(value, str) and not value.strip()):
        return default(name)
    return _convert(name, value, _FIELDS[name])


def environment_value(name: str, default: str) -> str:
    """A ``MONITOR_*`` environment variable as text, for the few Scrapy settings that must be known
    before a crawler exists (``LOG_LEVEL`` in ``monitor/settings.py``)."""
    return os.environ.get(name) or default


_DEFAULTS = MonitorSettings()


def _given(get, name: str) -> Any:
    value = get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _convert(name: str, value: Any, f: dataclasses.Field) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    meta = f.metadata
    try:
        if kind == "bool":
            result = _bool(value)
        elif kind == "int":
            if isinstance(value, bool):
                raise ValueError("not an integer")
            result = int(value.strip()) if isinstance(value, str) else int(value)
            if isinstance(value, float) and value != result:
                raise ValueError("not an integer")
        elif kind == "float":
            if isinstance(value, str):
                text = value.strip()
                result = float(text[:-1]) / 100 if text.endswith("%") else float(text)
            else:
                result = float(value)
        elif kind.startswith("tuple"):
            if isinstance(value, str):
                text = value.strip()
                items = json.loads(text) if text.startswith("[") else text.split(",")
            else:
                items = list(value)
            result = tuple(str(v).strip() for v in items if str(v).strip())
        elif kind == "dict":
            result = dict(json.loads(value) if isinstance(value, str) else value)
            result = {str(k): int(v) for k, v in result.items()}
        else:
            result = str(value).strip()
    except (TypeError, ValueError, json.JSONDecodeError) as exc:
        raise SettingsError(f"{name}: cannot read {value!r} as {kind} ({exc})") from None
    if meta.get("choices"):
        result = result.lower() if name != "MONITOR_LOG_LEVEL" else result.upper()
        if name == "MONITOR_RENDER":
            result = "off" if result in _FALSE else ("on" if result in _TRUE else result)
        if result not in meta["choices"]:
            raise SettingsError(f"{name}: {value!r} is not one of {', '.join(meta['choices'])}")
    if meta.get("min") is not None and result < meta["min"]:
        raise SettingsError(f"{name}: {value!r} is below the minimum {meta['min']}")
    if meta.get("max") is not None and result > meta["max"]:
        raise SettingsError(f"{name}: {value!r} is above the maximum {meta['max']}")
    return result


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not a yes/no value (1/0, true/false, on/off)")


def settings_markdown() -> str:
    """docs/SETTINGS.md: every setting with its default and meaning (a test keeps it current)."""
    lines = ["# Settings", "",
             "Every knob is a `MONITOR_*` setting: `-s NAME=VALUE` (or a scrapyd job's `setting=`), else",
             "an environment variable of the same name, else the default below. They are parsed once,",
             "with their types checked, into `monitor.config.MonitorSettings`; a bad value stops a crawl",
             "or a command with one line naming the setting. Generated by",
             "`python -c 'from monitor.config import settings_markdown; print(settings_markdown())'`.",
             "", "| setting | default | meaning |", "|---|---|---|"]
    for name, value, text in describe():
        if name in ("MONITOR_REGISTRY", "MONITOR_DB"):
            value = "data/portals.csv" if name == "MONITOR_REGISTRY" else "data/monitor.db"
        elif isinstance(value, tuple):
            value = ",".join(value)
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, bool):
            value = "1" if value else "0"
        shown = f"`{value}`" if value not in ("", None) else "—"
        lines.append(f"| `{name}` | {shown} | {text} |")
    lines += ["", "Deprecated names, still read with a warning: "
              + ", ".join(f"`{old}` (use `{new}`)" for old, new in DEPRECATED.items()) + "."]
    return "\n".join(lines) + "\n"

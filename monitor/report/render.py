"""Writing a ``Report`` as one self-contained HTML file or as Markdown, with jinja2 templates.

Everything that reaches the page is escaped: the HTML environment autoescapes, and the Markdown one
escapes every ``{{ … }}`` it prints (``finalize``), HTML and Markdown syntax alike, so a portal name
holding ``<script>`` or ``[x](javascript:…)`` is text in both. Only the charts (SVG built by pygal,
which escapes its labels) are inserted as markup. Crawled or registered URLs become links only after
``http_url`` passed them (http and https).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import jinja2
from markupsafe import Markup

from monitor.clock import local_date
from monitor.report import charts
from monitor.report.labels import UNKNOWN, level_name, percent, points, region_name, rule_label
from monitor.report.sections import http_url

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _value(value: Any) -> str:
    """A verdict's value as a reader sees it (ages in days, shares, counts, short texts)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return percent(value) if 0 <= value <= 1 else f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(value)


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return local_date(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _sign(change: float | None) -> str:
    if change is None or abs(change) < 0.05:
        return ""
    return "up" if change > 0 else "down"


def md_escape(value: Any) -> str:
    """Text safe in a Markdown table cell: HTML characters as entities, Markdown syntax
    backslash-escaped, line breaks as spaces."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        value = str(value)
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _environment(autoescape: bool, finalize=None) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("monitor.report", "templates"),
                             autoescape=autoescape, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, finalize=finalize,
                             keep_trailing_newline=True)
    env.filters.update(pct=percent, pp=points, region=region_name, level=level_name,
                       rule_label=rule_label, value=_value, day=_day, http_url=http_url)
    env.globals.update(sign=_sign, UNKNOWN=UNKNOWN)
    return env


_HTML = _environment(True)
_MD = _environment(False, finalize=md_escape)


def html(report) -> str:
    unknown_regions = [r.label for r in report.regions if r.overall.value is None]
    svgs = {"regions": Markup(charts.region_bars(report.regions, report.national.value)),
            "trend": Markup(charts.trend_lines(report.trend, report.rules))}
    return _HTML.get_template("report.html.j2").render(
        r=report, fig=report.figure, charts=svgs, unknown_regions=unknown_regions)


def markdown(report) -> str:
    return _MD.get_template("report.md.j2").render(r=report, fig=report.figure)

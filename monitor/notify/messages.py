"""The text of a notification: Markdown, in Chinese and English, built from stored event payloads.

Everything interpolated is escaped: values and evidence come from crawled pages (a policy column's
title, a URL), and Apprise turns Markdown into HTML for mail, where raw HTML and ``[x](javascript:…)``
links would pass straight through. URLs appear only when they are http(s), and only inside code
spans, never as links.
"""

from __future__ import annotations

import html
import inspect
import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from monitor.rules import RULES

#: what makes markup in the middle of a line (values never start one: they follow a label)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
MAX_VALUE = 200
KIND_WORDS = {"began": "新增问题 / New regressions", "recovered": "已恢复 / Recovered"}


def md(value: Any, limit: int = MAX_VALUE) -> str:
    """Text safe to put into Markdown: HTML entities for ``<>&``, backslashes before Markdown's
    punctuation, no line breaks, at most ``limit`` characters."""
    if value is None:
        return "—"
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[:limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", html.escape(value, quote=False))


def code(value: str) -> str:
    """A code span: backticks and line breaks removed (they would end it)."""
    return "`" + " ".join(str(value).replace("`", "'").split()) + "`"


def rule_label(check: str) -> str:
    """``我为政府网站找错 (error_link)``: the Chinese name is the head of the rule module's docstring."""
    cls = RULES.get(check)
    doc = inspect.getmodule(cls).__doc__ if cls is not None else None
    head = (doc or "").split(":", 1)[0].strip()
    return f"{head} ({check})" if head and len(head) < 40 else check


def _day(value: str | None) -> str:
    return (value or "")[:10] or "—"


def _http_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.hostname else None


def evidence_command(payload: dict) -> str:
    cmd = f"monitor evidence {payload['portal_id']}"
    if payload.get("crawl_id"):
        cmd += f" --crawl {payload['crawl_id']}"
    return cmd


def event_lines(payload: dict) -> list[str]:
    """One list item per event: the portal and check, then its facts as sub-items."""
    name = payload.get("name") or payload["portal_id"]
    lines = [f"- **{md(name)}** {code(payload['portal_id'])}: {rule_label(payload['check'])}"]
    recovered = payload.get("kind") == "recovered"
    since = f"failing since 自 {_day(payload.get('first_failed_at'))}"
    if payload.get("failing_crawls"):
        since += f" ({payload['failing_crawls']} crawl(s) 次)"
    if recovered:
        since += f", recovered 恢复于 {_day(payload.get('recovered_at'))}"
    lines.append(f"    - {since}")
    baseline_word = "baseline 基线" if payload.get("baseline_kind") == "baseline" else "first crawl 首次抓取"
    facts = f"    - {baseline_word} {_day(payload.get('baseline_at'))}: {md(payload.get('baseline_value'))}; "
    if recovered:
        facts += (f"failed 不合格 {_day(payload.get('failed_at'))}: {md(payload.get('failed_value'))}; "
                  f"now 当前 {_day(payload.get('current_at'))}: {md(payload.get('current_value'))}")
    else:
        facts += f"failed 不合格 {_day(payload.get('failed_at'))}: {md(payload.get('failed_value'))}"
    lines.append(facts)
    evidence = dict(payload.get("evidence") or {})
    url = _http_url(evidence.pop("url", None))
    details = "; ".join(f"{k}={md(v)}" for k, v in evidence.items())
    if details:
        lines.append(f"    - {details}")
    if url:
        lines.append(f"    - page 页面: {code(url)}")
    lines.append(f"    - evidence 证据: {code(evidence_command(payload))}")
    return lines


def _shown(payloads: Sequence[dict]) -> list[dict]:
    """The events a message lists: a regression that began and recovered since the last message is
    listed once, as recovered (its lines say since when it failed)."""
    back = {(p["portal_id"], p["check"], p.get("first_failed_at")) for p in payloads if p.get("kind") == "recovered"}
    return [p for p in payloads
            if p.get("kind") == "recovered" or (p["portal_id"], p["check"], p.get("first_failed_at")) not in back]


def counts_text(payloads: Sequence[dict]) -> str:
    shown = _shown(payloads)
    began = sum(1 for p in shown if p.get("kind") == "began")
    return f"{began} new 新增, {len(shown) - began} recovered 恢复"


def _section(payloads: Sequence[dict]) -> list[str]:
    out = []
    shown = _shown(payloads)
    for kind in ("began", "recovered"):
        chosen = [p for p in shown if p.get("kind") == kind]
        if chosen:
            out += ["", f"**{KIND_WORDS[kind]}**", ""]
            for p in sorted(chosen, key=lambda p: (p["portal_id"], p["check"])):
                out += event_lines(p)
    return out


def region_message(region: str, payloads: Sequence[dict]) -> tuple[str, str]:
    """(title, Markdown body) of one region's events for one recipient."""
    title = f"portal-monitor {region}: {counts_text(payloads)}"
    body = [f"Regressions against the audit baseline, region **{md(region)}** "
            f"(对照抽查基线的退步, 地区 {md(region)}): {counts_text(payloads)}."]
    return title, "\n".join(body + _section(payloads)) + "\n"


def digest_message(period: str, payloads: Sequence[dict]) -> tuple[str, str]:
    """(title, Markdown body) of a daily/weekly digest: every region in one message."""
    word = {"daily": "daily digest 日报", "weekly": "weekly digest 周报"}.get(period, period)
    title = f"portal-monitor {word}: {counts_text(payloads)}"
    body = [f"Regressions against the audit baseline (对照抽查基线的退步), {word}: {counts_text(payloads)}."]
    regions = sorted({p.get("region") or "" for p in payloads})
    for region in regions:
        chosen = [p for p in payloads if (p.get("region") or "") == region]
        body += ["", f"### {md(region or '—')}: {counts_text(chosen)}"] + _section(chosen)
    return title, "\n".join(body) + "\n"

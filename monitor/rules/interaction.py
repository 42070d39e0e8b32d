"""互动回应差: consultation messages left unanswered for more than three months."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from monitor.rules.base import Rule, fail, iso, local_date, ok, unknown, warn

#: most messages listed in the evidence (counts are always complete)
MAX_LISTED = 20


class Interaction(Rule):
    """A message left on one of the portal's boards (领导信箱, 咨询, 留言, 12345) within the last year
    is still unanswered after three months. The value is the closure rate: answered messages over
    the window's messages whose status the board shows. Warns when the closure rate is below 90% or
    a message was answered only after three months. Unknown when no board was found or read, or no
    message of the window was listed; that unknown does not hold back 合格 (a portal without a board
    cannot be judged on answers, not failed for them).
    """

    id = "interaction"
    indicator = "国办秘函〔2019〕19号 单项否决: 互动回应差 (近1年内咨询类留言超过3个月未回复)"
    veto = True
    unknown_blocks = False
    settings = {
        "MONITOR_INTERACTION_WINDOW_DAYS": "window_days",
        "MONITOR_INTERACTION_MAX_REPLY_DAYS": "max_reply_days",
        "MONITOR_INTERACTION_WARN_CLOSURE": "warn_closure",
    }

    def window(self, state, now: datetime) -> list[tuple[str, object]]:
        """(board URL, message) of every message asked within the window, each once."""
        today = local_date(now)
        seen, out = set(), []
        for board in state.boards or ():
            if board.error is not None:
                continue
            for m in board.messages:
                if m.asked is None:
                    continue
                age = (today - local_date(m.asked)).days
                key = (m.title, m.url, local_date(m.asked))
                if 0 <= age <= self.window_days and key not in seen:
                    seen.add(key)
                    out.append((board.url, m))
        return out

    def judge(self, state, now: datetime):
        early = self.precheck(state)
        if early is not None:
            return early
        if state.boards is None:
            return unknown(self.id, None, reason="not_checked", url=state.homepage_url)
        evidence = {"boards": len(state.boards), "window_days": self.window_days,
                    "max_reply_days": self.max_reply_days, "crawl_id": state.crawl_id}
        if not state.boards:
            return unknown(self.id, None, reason="no_board", **evidence)
        read = [b for b in state.boards if b.error is None]
        evidence["boards_read"] = len(read)
        evidence["board_errors"] = {b.url: b.error for b in state.boards if b.error is not None}
        if not read:
            return unknown(self.id, None, reason="boards_not_read", **evidence)
        today = local_date(now)
        messages = self.window(state, now)
        known = [(url, m) for url, m in messages if m.answered is not None]
        evidence.update(messages=len(messages), status_shown=len(known))
        if not known:
            return unknown(self.id, None, reason="no_messages_in_window", **evidence)
        answered = [(url, m) for url, m in known if m.answered]
        overdue = [(url, m) for url, m in known if not m.answered
                   and (today - local_date(m.asked)).days > self.max_reply_days]
        late = [(url, m) for url, m in answered if m.replied is not None
                and (local_date(m.replied) - local_date(m.asked)).days > self.max_reply_days]
        closure = round(len(answered) / len(known), 4)
        overdue.sort(key=lambda um: local_date(um[1].asked))
        evidence.update(
            answered=len(answered), open=len(known) - len(answered), overdue=len(overdue),
            late_replies=len(late), closure=closure, warn_closure=self.warn_closure,
            overdue_messages=[_listed(url, m, today) for url, m in overdue[:MAX_LISTED]],
            late_messages=[_listed(url, m, today) for url, m in late[:MAX_LISTED]],
            per_board={b.url: _closure(self.window(_Only(b), now)) for b in read})
        if overdue:
            return fail(self.id, closure, reason="unanswered_over_limit", **evidence)
        if closure < self.warn_closure or late:
            return warn(self.id, closure, reason="low_closure" if closure < self.warn_closure
                        else "late_replies", **evidence)
        return ok(self.id, closure, **evidence)


class _Only:
    """A stand-in state holding one board (to reuse ``Interaction.window`` per board)."""

    def __init__(self, board) -> None:
        self.boards = [board]


def _listed(url: str, m, today) -> dict:
    return {"board": url, "title": m.title, "url": m.url, "asked": iso(local_date(m.asked)),
            "status": m.status, "status_text": m.status_text, "replied": iso(m.replied),
            "days": (today - local_date(m.asked)).days}


def _closure(messages) -> float | None:
    known = [m for _, m in messages if m.answered is not None]
    return round(sum(1 for m in known if m.answered) / len(known), 4) if known else None


def closure_rates(states: Iterable, now: datetime, settings=None) -> dict:
    """The notice's figure: answered over judged messages of the window, per portal and per region
    (``{"portals": {id: rate}, "regions": {region: {"portals", "messages", "answered", "closure"}},
    "national": rate}``). Portals with no judged message are left out."""
    rule = Interaction.from_settings(settings)
    portals, regions = {}, {}
    total = answered_total = 0
    for state in states:
        if state.status == "closed" or not state.boards:
            continue
        known = [m for _, m in rule.window(state, now) if m.answered is not None]
        if not known:
            continue
        answered = sum(1 for m in known if m.answered)
        portals[state.portal_id] = round(answered / len(known), 4)
        region = regions.setdefault(state.region, {"portals": 0, "messages": 0, "answered": 0})
        region["portals"] += 1
        region["messages"] += len(known)
        region["answered"] += answered
        total += len(known)
        answered_total += answered
    for region in regions.values():
        region["closure"] = round(region["answered"] / region["messages"], 4)
    return {"portals": portals, "regions": regions,
            "national": round(answered_total / total, 4) if total else None}

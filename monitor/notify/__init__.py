"""``monitor notify``: each regression announced once when it begins and once when it recovers.

A run finds the regressions against the audit baseline (``monitor.regressions``, recovered ones
included), turns them into events (``events``), and for every recipient whose tags match the
portal or its region (``recipients``) records a ``pending`` row per event it has not had
(``monitor.store.notifications``). Then every undelivered row of this run's recipients goes out
through Apprise: one message per recipient and region, or one digest a day/week for recipients
tagged ``digest-daily``/``digest-weekly`` (or all, with ``MONITOR_NOTIFY_DIGEST``). A row becomes
``sent`` only when Apprise says the channel took it; a failure is recorded with Apprise's reason
and retried at the next run, so a restart never sends twice and a channel that is down loses nothing.

History is not announced: only events of the last ``MONITOR_NOTIFY_WINDOW_DAYS`` (default 7; a
regression's event is when it was confirmed, i.e. reached its N consecutive failed crawls, or when
it recovered) are considered, so the first run on an old store does not flood every office.
``since`` (``monitor notify --since DATE``) replaces the window, e.g. to announce everything once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import apprise

from monitor.clock import iso, local_date, parse_now
from monitor.config import MonitorSettings
from monitor.ids import stable_id
from monitor.judging import judge_missing, verdict_history
from monitor.notify.events import Event, events_of
from monitor.notify.messages import digest_message, region_message
from monitor.notify.recipients import (Recipient, RecipientsError, apprise_log, apprise_reasons,
                                       load_recipients, recipients_from_urls)
from monitor.regressions import default_consecutive, find_regressions
from monitor.store.notifications import add_pending, known_ids, last_sent_at, mark_failed, mark_sent, unsent
from monitor.store.states import baselines_in_force

logger = logging.getLogger(__name__)

__all__ = ["Message", "Outcome", "notify", "notify_after_crawl", "Recipient", "RecipientsError",
           "load_recipients", "recipients_from_urls"]


@dataclass
class Message:
    recipient: Recipient
    region: str | None  # None: a digest over every region
    title: str
    body: str
    rows: list[dict]


@dataclass
class Outcome:
    since: datetime
    new_rows: int = 0
    messages: list[Message] = field(default_factory=list)  # sent (or, in a dry run, to send)
    failed: list[tuple[Message, str]] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)  # recipient label -> events kept for its digest
    elsewhere: int = 0  # undelivered rows of recipients that are not in this run

    @property
    def ok(self) -> bool:
        return not self.failed


def notify(store, recipients: list[Recipient], settings: MonitorSettings, now: datetime, *,
           since: datetime | None = None, portal_ids: list[str] | None = None,
           dry_run: bool = False) -> Outcome:
    """Record the new events for ``recipients`` and send every undelivered one that is due.
    ``portal_ids`` limits the run to those portals; ``dry_run`` records and sends nothing (crawls
    stored without verdicts are still judged, as ``monitor regressions`` does)."""
    since = since if since is not None else now - timedelta(days=settings.notify_window_days)
    outcome = Outcome(since=since)
    judge_missing(store, settings)  # as monitor regressions does: crawls stored unjudged count too
    portals = {p["id"]: p for p in store.portals()}
    wanted = set(portal_ids) if portal_ids is not None else None
    selected = {pid: p for pid, p in portals.items() if wanted is None or pid in wanted}
    history = verdict_history(store, list(selected) if portal_ids is not None else None, failing_only=True)
    consecutive = default_consecutive(settings)
    found = find_regressions(history, baselines_in_force(store), now, include_recovered=True,
                             consecutive=consecutive, portals=selected)
    events = [e for e in events_of(found, history, consecutive) if e.at >= since]

    candidates = [_row(r, e, settings) for r in recipients for e in events if r.wants(e.portal_id, e.region)]
    known = known_ids(store, [c["id"] for c in candidates])
    new = [c for c in candidates if c["id"] not in known]
    outcome.new_rows = len(new)
    stamp = iso(now)
    if not dry_run:
        add_pending(store, new, stamp)
        waiting = unsent(store)
    else:
        waiting = unsent(store) + new
    by_key = {r.key: r for r in recipients}
    per_recipient: dict[str, list[dict]] = defaultdict(list)
    for row in waiting:
        if row["recipient"] not in by_key:
            outcome.elsewhere += 1
        elif portal_ids is None or row["portal_id"] in selected:
            per_recipient[row["recipient"]].append(row)

    for recipient in recipients:
        rows = per_recipient.get(recipient.key)
        if not rows:
            continue
        mode = recipient.digest or settings.notify_digest
        if mode != "off":
            if not _digest_due(mode, last_sent_at(store, recipient.key), now):
                outcome.held[recipient.label] = len(rows)
                continue
            title, body = digest_message(mode, [r["payload"] for r in rows])
            messages = [Message(recipient, None, title, body, rows)]
        else:
            by_region: dict[str, list[dict]] = defaultdict(list)
            for row in rows:
                by_region[row["region"] or ""].append(row)
            messages = []
            for region in sorted(by_region):
                title, body = region_message(region or "—", [r["payload"] for r in by_region[region]])
                messages.append(Message(recipient, region, title, body, by_region[region]))
        for message in messages:
            if dry_run:
                outcome.messages.append(message)
                continue
            error = _send(message)
            ids = [r["id"] for r in message.rows]
            if error is None:
                mark_sent(store, ids, stamp)
                outcome.messages.append(message)
            else:
                mark_failed(store, ids, stamp, error)
                outcome.failed.append((message, error))
    return outcome


def notify_after_crawl(store, settings: MonitorSettings, now: datetime) -> Outcome | None:
    """The closing step of a portal crawl (``MONITOR_NOTIFY_ON_CLOSE``): notify the recipients of
    ``MONITOR_NOTIFY_FILE``; problems are logged, never raised (the crawl is already recorded)."""
    try:
        known = store.portals()
        recipients = load_recipients(settings.notify_file, {p["region"] for p in known}, {p["id"] for p in known})
        outcome = notify(store, recipients, settings, now)
    except RecipientsError as exc:
        logger.error("notify: MONITOR_NOTIFY_FILE: %s", exc)
        return None
    except Exception:  # the crawl and its verdicts are stored; the next run retries
        logger.exception("notify: failed; the next run retries")
        return None
    for message in outcome.messages:
        logger.info("notify: sent %s (%d event(s)) to %s", message.title, len(message.rows), message.recipient.label)
    for message, error in outcome.failed:
        logger.error("notify: could not send %d event(s) to %s, retried at the next run: %s",
                     len(message.rows), message.recipient.label, error)
    return outcome


def _row(recipient: Recipient, event: Event, settings: MonitorSettings) -> dict:
    return {"id": stable_id(recipient.key, event.id), "recipient": recipient.key,
            "recipient_url": recipient.label, "event_id": event.id, "kind": event.kind,
            "portal_id": event.portal_id, "region": event.region, "rule": event.check,
            "first_failed_at": event.first_failed_at, "event_at": iso(event.at), "payload": event.payload,
            "digest": recipient.digest or settings.notify_digest}


def _digest_due(mode: str, last: str | None, now: datetime) -> bool:
    """A daily digest goes out once a calendar day (Shanghai), a weekly one once an ISO week."""
    if last is None:
        return True
    then, today = local_date(parse_now(last)), local_date(now)
    if mode == "weekly":
        return then.isocalendar()[:2] != today.isocalendar()[:2]
    return then != today


def _send(message: Message) -> str | None:
    """Send through Apprise; None when the channel took it, else why not (Apprise's own words)."""
    sender = apprise.Apprise()
    sender.add(message.recipient.service)
    with apprise_log(logging.WARNING) as records:
        try:
            delivered = sender.notify(title=message.title, body=message.body,
                                      body_format=apprise.NotifyFormat.MARKDOWN)
        except Exception as exc:  # a plugin bug must not lose the others' messages
            return f"{type(exc).__name__}: {exc}"
    if delivered:
        return None
    return "; ".join(dict.fromkeys(apprise_reasons(records))) or "the channel did not accept the message"

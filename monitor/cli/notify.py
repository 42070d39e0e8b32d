"""``monitor notify``: announce regressions to the offices concerned, through Apprise."""

from __future__ import annotations

from datetime import datetime

import click

from monitor.cli import UserError
from monitor.cli.audit import _portal_filter
from monitor.cli.common import clock, db_option, monitor_settings, open_store
from monitor.clock import SHANGHAI


@click.command()
@click.option("--to", "urls", multiple=True, metavar="APPRISE_URL",
              help="Send everything selected to this Apprise URL (repeatable); the recipients file is "
                   "not read.")
@click.option("--file", "file", type=click.Path(dir_okay=False),
              help="Recipients file (Apprise YAML/TEXT, tags = regions or portal ids) [default: "
                   "$MONITOR_NOTIFY_FILE].")
@click.option("--region", help="Only portals of these regions (comma list).")
@click.option("--portal", help="Only these portals (comma list of ids).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Announce events from DATE on, instead of the last MONITOR_NOTIFY_WINDOW_DAYS days.")
@click.option("--digest", type=click.Choice(["off", "daily", "weekly"]),
              help="Delivery for recipients without a digest-* tag [default: $MONITOR_NOTIFY_DIGEST or off].")
@click.option("--dry-run", is_flag=True, help="Print the messages that would go out; record and send nothing.")
@db_option
def notify(urls, file, region, portal, since, digest, dry_run, db_path):
    """Send each new regression once when it begins and once when it recovers.

    Recipients are Apprise URLs (mailto://, dingtalk://, wecombot://, feishu://, json:// for any
    webhook) tagged with the regions or portal ids they get (globs allowed) in the recipients file,
    Apprise's own configuration format; each gets one message per region (or a daily/weekly digest)
    with the portal, the check, since when it fails, the baseline value and the `monitor evidence`
    command. What was sent is recorded in the store: a second run sends nothing new, and a channel
    that was down gets its messages at the next run (the exit status is 1 until then). Only events
    of the last MONITOR_NOTIFY_WINDOW_DAYS days (7) are announced, so history never floods anyone;
    --since widens that.

    \b
    Examples:
      monitor notify --dry-run
      monitor notify --to 'json://127.0.0.1:8080/hook' --region henan
      MONITOR_NOTIFY_FILE=notify.yml monitor notify
    """
    from monitor.notify import RecipientsError, load_recipients, notify as run_notify, recipients_from_urls

    settings = monitor_settings()
    if digest:
        settings = settings.replace(notify_digest=digest)
    store = open_store(db_path)
    try:
        selected = _portal_filter(store, region, portal) if (region or portal) else None
        known = store.portals()
        try:
            if urls:
                recipients = recipients_from_urls(urls)
            else:
                path = file or settings.notify_file
                if not path:
                    raise UserError("no recipients: pass --to APPRISE_URL, --file FILE or set MONITOR_NOTIFY_FILE")
                recipients = load_recipients(path, {p["region"] for p in known}, {p["id"] for p in known})
        except RecipientsError as exc:
            raise UserError(str(exc)) from None
        when = datetime.combine(since.date(), datetime.min.time(), SHANGHAI) if since else None
        outcome = run_notify(store, recipients, settings, clock(store), since=when,
                             portal_ids=list(selected) if selected is not None else None, dry_run=dry_run)
    finally:
        store.close()

    for message in outcome.messages:
        if dry_run:
            scope = f"region {message.region}" if message.region is not None else "digest"
            click.echo(f"=== to {message.recipient.label} ({scope}, {len(message.rows)} event(s))")
            click.echo(message.title)
            click.echo("")
            click.echo(message.body)
        else:
            click.echo(f"sent to {message.recipient.label}: {message.title}")
    for message, error in outcome.failed:
        click.echo(f"monitor notify: not delivered to {message.recipient.label} ({len(message.rows)} event(s), "
                   f"retried at the next run): {error}", err=True)
    for label, count in outcome.held.items():
        click.echo(f"{count} event(s) kept for the digest of {label}")
    if outcome.elsewhere:
        click.echo(f"{outcome.elsewhere} undelivered event(s) of recipients not in this run stay pending")
    verb = "would send" if dry_run else "sent"
    click.echo(f"{verb} {len(outcome.messages)} message(s), {sum(len(m.rows) for m in outcome.messages)} "
               f"event(s); {len(outcome.failed)} failed; events since {outcome.since:%Y-%m-%d %H:%M}")
    if outcome.failed:
        raise SystemExit(1)

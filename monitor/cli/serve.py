"""``monitor serve``: browse the store in Datasette, read-only, on this machine."""

from __future__ import annotations

import ipaddress
import socket

import click

from monitor.cli import UserError
from monitor.cli.common import db_option, monitor_settings, open_store


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only loopback addresses without --allow-remote.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port; the URL is printed first).")
@click.option("--allow-remote", is_flag=True,
              help="Allow a --host other machines can reach. The store is served without login: "
                   "put an authenticating proxy in front.")
@click.option("--live", is_flag=True,
              help="Show rows written after start-up (crawls running): open the store read-only "
                   "instead of immutable.")
@db_option
def serve(host, port, allow_remote, live, db_path):
    """Browse the store in Datasette: read-only, on 127.0.0.1 by default.

    Every table and column is described in Chinese and English; canned queries answer the usual
    questions (regressions against the baseline, latest verdict per portal, qualified share per
    region, a portal's history, reposts per release, undelivered notifications), and a finding's
    stored page opens from its evidence_page link with scripts disabled, under a banner saying
    when it was fetched.

    \b
    Examples:
      monitor serve --db data/demo.db
      monitor serve --port 8080 --live
    """
    if not is_loopback(host) and not allow_remote:
        raise UserError(f"--host {host}: not a loopback address; the store has no login, so pass "
                        f"--allow-remote to serve it to other machines")
    from monitor.store.canned import checkpoint
    store = open_store(db_path)  # brings an old store to the current schema, or fails in one line
    checkpoint(store)  # an immutable reader sees only the database file, not the write-ahead log
    store.close()

    import uvicorn

    from monitor.browse import make_datasette
    app = make_datasette(db_path, monitor_settings(), live=live).app()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)  # connections queue from now on: the URL printed below works at once
    except OSError as exc:
        raise UserError(f"--host {host} --port {port}: cannot listen: {exc.strerror}") from None
    bound = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if family == socket.AF_INET6 else host
    click.echo(f"http://{shown}:{bound}/  (serving {db_path} read-only{', live' if live else ''}; Ctrl-C stops)")
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])

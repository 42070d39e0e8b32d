"""``monitor sandbox``: serve the simulated portal fleet as a local HTTP proxy."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click

from monitor.cli import UserError


@click.command("sandbox")
@click.option("--port", type=int, default=0, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--phase", type=click.Choice(["audit", "decay"]), default="audit", show_default=True,
              help="Scenario phase: healthy fleet, or the decay after the audit.")
@click.option("--now", "now_text", metavar="ISO", help="Freeze the clock (Asia/Shanghai when no offset).")
@click.option("--audit-now", "audit_text", metavar="ISO",
              help="The audit moment a decay phase refers to (default: --now minus 21 days).")
@click.option("--registry", type=click.Path(dir_okay=False), help="Registry CSV (default: data/sandbox/portals.csv).")
@click.option("--fleet", "fleet_path", type=click.Path(dir_okay=False),
              help="Per-portal behaviour JSON (default: data/sandbox/fleet.json).")
@click.option("--size", type=click.IntRange(1, 100_000), help="Serve a synthetic fleet of N healthy portals instead.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the synthetic fleet.")
@click.option("--write-registry", type=click.Path(dir_okay=False), help="Write the served fleet's registry CSV here.")
@click.option("--latency", type=float, default=0.0, show_default=True,
              help="Seconds added to every portal response (simulated network latency).")
def sandbox(port, host, phase, now_text, audit_text, registry, fleet_path, size, seed, write_registry, latency):
    """Serve the sandbox fleet as an HTTP proxy on 127.0.0.1 until interrupted.

    The first line printed is the proxy URL; point ``http_proxy`` at it and crawl the
    registry's real-looking hostnames. Control endpoints: http://sandbox.control/health,
    /phase?set=decay&now=ISO, /log, /reset (through the proxy, or under /__sandbox__/).

    \b
    Example:
      monitor sandbox --now 2026-11-20T12:00
      http_proxy=http://127.0.0.1:PORT MONITOR_REGISTRY=data/sandbox/portals.csv \\
        scrapy crawl portal -a region=all
      monitor sandbox --size 2000 --write-registry /tmp/fleet.csv
    """
    from monitor.clock import parse_now
    from monitor.sandbox import Sandbox, load_fleet, synthetic_fleet, write_registry as write_csv

    try:
        now = parse_now(now_text) if now_text else None
        audit_now = parse_now(audit_text) if audit_text else None
    except ValueError as exc:
        raise UserError(f"--now/--audit-now: not an ISO date-time ({exc})") from None
    try:
        if size:
            fleet = synthetic_fleet(size, seed)
        else:
            for label, path in (("--registry", registry), ("--fleet", fleet_path)):
                if path and not Path(path).is_file():
                    raise UserError(f"{label}: no such file: {path}")
            fleet = load_fleet(registry, fleet_path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"cannot load the sandbox fleet: {exc}") from None
    if write_registry:
        try:
            write_csv(fleet, write_registry)
        except OSError as exc:
            raise UserError(f"--write-registry: {exc}") from None
    try:
        server = Sandbox(fleet=fleet, now=now, phase=phase, host=host, port=port, audit_now=audit_now,
                         latency=latency)
        url = server.start()
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(url)
    sys.stdout.flush()
    click.echo(f"sandbox: {len(fleet.portals)} portals, phase {phase}, now {server.clock.now.isoformat()}; "
               "Ctrl-C to stop", err=True)
    done = threading.Event()

    def _stop(signum, frame):
        done.set()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)

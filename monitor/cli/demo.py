"""``monitor demo``: the whole pipeline on the bundled sandbox, from audit to regressions."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import click

from monitor.cli import UserError
from monitor.clock import parse_now
from monitor.paths import DATA_DIR, PROJECT_DIR, SANDBOX_REGISTRY_CSV

DECAY_AFTER_DAYS = 21


def _crawl(spider: str, env: dict, *args: str, log: Path) -> None:
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"\n$ {' '.join(cmd)}  (MONITOR_NOW={env.get('MONITOR_NOW')})\n")
        fh.flush()
        proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise UserError(f"scrapy crawl {spider} failed (exit {proc.returncode}); see {log}")


def _heading(text: str) -> None:
    click.echo("")
    click.secho(text, bold=True)


@click.command()
@click.option("--db", "db_path", default=str(DATA_DIR / "demo.db"), show_default=True,
              help="Store for the demo (recreated on each run).")
@click.option("--out", "out_dir", default=str(DATA_DIR / "demo-out"), show_default=True,
              help="Where the regression exports are written.")
@click.option("--now", "now_text", help="Clock of the audit phase (ISO; default: now).")
@click.option("--probe-rounds", default=20, show_default=True,
              help="Availability rounds per phase (the official rule visits 20+ times a day).")
@click.option("--timeout", default=4, show_default=True,
              help="Download timeout in seconds for the demo (the official limit is 15 s; the demo "
                   "compresses time so a timing-out portal does not stall it).")
def demo(db_path, out_dir, now_text, probe_rounds, timeout):
    """Run the whole pipeline on the bundled sandbox fleet and print what it found.

    Starts the sandbox (simulated portals behind a local proxy), crawls it at its audit phase
    (State Council releases, availability probes, portal crawl), marks the baseline, switches the
    fleet to its decay phase three weeks later, crawls again twice, and prints and exports the
    regression list.

    \b
    Example:
      monitor demo
    """
    from monitor.cli.audit import baseline as baseline_cmd
    from monitor.cli.audit import regressions as regressions_cmd
    from monitor.exports import format_table
    from monitor.sandbox import Sandbox
    from monitor.store import Store
    from monitor.store.summary import crawl_portal_rows, failure_classes

    audit_now = parse_now(now_text).replace(microsecond=0)
    db = Path(db_path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    log = out / "crawl.log"
    log.write_text("", encoding="utf-8")

    sandbox = Sandbox(registry_csv=SANDBOX_REGISTRY_CSV, now=audit_now, phase="audit")
    proxy = sandbox.start()
    click.echo(f"sandbox: {len(_registry_ids())} portals and a mock www.gov.cn behind proxy {proxy}")
    base_env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    base_env.update({"http_proxy": proxy, "MONITOR_REGISTRY": str(SANDBOX_REGISTRY_CSV), "MONITOR_DB": str(db),
                     "MONITOR_GOVCN_BASE": "http://www.gov.cn", "SCRAPY_SETTINGS_MODULE": "monitor.settings",
                     "MONITOR_LOG_LEVEL": "INFO",
                     # the sandbox's proxy is on 127.0.0.1, an address real crawls refuse
                     "MONITOR_ALLOW_PRIVATE_ADDRESSES": "1",
                     # politeness is for real portals' servers; the sandbox is local
                     "MONITOR_AUTOTHROTTLE": "0"})
    timeout_args = ["-s", f"DOWNLOAD_TIMEOUT={timeout}"]

    def phase_round(now, label: str, crawls: int) -> str:
        crawl_id = ""
        for n in range(crawls):
            at = now + timedelta(days=n)
            sandbox.set_phase(sandbox.phase, at)
            env = {**base_env, "MONITOR_NOW": at.isoformat()}
            t0 = time.monotonic()
            _crawl("statecouncil", env, log=log)
            # the day's availability rounds come before the daily crawl that is judged on them
            probe_env = {**env, "MONITOR_NOW": (at - timedelta(hours=1)).isoformat()}
            _crawl("probe", probe_env, "-a", "region=all", "-a", f"rounds={probe_rounds}", *timeout_args, log=log)
            _crawl("portal", env, "-a", "region=all", *timeout_args, log=log)
            with Store(db) as store:
                crawl = store.latest_finished_crawl("portal")
                crawl_id = crawl["id"]
            click.echo(f"{label}: crawled at {at:%Y-%m-%d %H:%M} ({time.monotonic() - t0:.0f} s): "
                       f"{crawl['pages']} pages, {crawl['failures']} failed fetches")
        return crawl_id

    try:
        _heading(f"1. Audit phase, {audit_now:%Y-%m-%d}")
        crawl_id = phase_round(audit_now, "audit", 1)
        with Store(db) as store:
            rows = crawl_portal_rows(store, crawl_id)
            fails = failure_classes(store, crawl_id)
        click.echo(format_table(rows, list(rows[0].keys())) if rows else "(no portals)")
        click.echo("failures by class: " + (", ".join(f"{k} {v}" for k, v in fails.items()) or "none"))

        _heading("2. The audit baseline")
        _invoke(baseline_cmd, ["--db", str(db), "--note", f"sandbox audit {audit_now:%Y-%m-%d}"])

        decay_now = audit_now + timedelta(days=DECAY_AFTER_DAYS)
        _heading(f"3. Decay phase, {decay_now:%Y-%m-%d} (three weeks after the audit)")
        sandbox.set_phase("decay", decay_now)
        crawl_id = phase_round(decay_now, "decay", 2)
        with Store(db) as store:
            rows = crawl_portal_rows(store, crawl_id)
        click.echo(format_table(rows, list(rows[0].keys())) if rows else "(no portals)")

        _heading("4. Regressions against the audit baseline")
        os.environ["MONITOR_NOW"] = (decay_now + timedelta(days=1)).isoformat()
        try:
            _invoke(regressions_cmd, ["--db", str(db)])
            for fmt, name in (("csv", "regressions.csv"), ("xlsx", "regressions.xlsx"), ("json", "regressions.json")):
                _invoke(regressions_cmd, ["--db", str(db), "--format", fmt, "-o", str(out / name)])
        finally:
            os.environ.pop("MONITOR_NOW", None)
    finally:
        sandbox.stop()
    _heading("5. The spot-check report for the weeks after the audit (against the audit phase)")
    from monitor.cli.report import report as report_cmd
    report_path = out / "report.html"
    os.environ["MONITOR_NOW"] = (decay_now + timedelta(days=1)).isoformat()
    try:
        _invoke(report_cmd, ["--db", str(db), "--since", f"{audit_now + timedelta(days=1):%Y-%m-%d}",
                             "--until", f"{decay_now + timedelta(days=1):%Y-%m-%d}", "-o", str(report_path)])
    finally:
        os.environ.pop("MONITOR_NOW", None)
    click.echo(f"report: {report_path.resolve()}")
    click.echo(f"\nstore: {db}   exports and crawl log: {out}")
    click.echo(f"browse the store, the findings and their stored pages: monitor serve --db {db}")


def _invoke(command, args: list[str]) -> None:
    try:
        command.main(args, standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None


def _registry_ids() -> list[str]:
    from monitor.registry import load_registry
    return [p.id for p in load_registry(SANDBOX_REGISTRY_CSV).portals]

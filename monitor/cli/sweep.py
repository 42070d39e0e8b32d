"""``monitor sweep``: one machine's national sweep as parallel crawl processes over disjoint shards.

One ``scrapy crawl`` process tops out near one CPU core (Scrapy's engine, the parsing and the
pipelines share one Python thread). ``monitor sweep --processes N`` splits the selection into N
disjoint shards balanced by portal count and runs one crawl process per shard, all writing the same
SQLite store (WAL, batched transactions, busy timeout: the writers take turns for milliseconds).
Every process sees every State Council release in that store, so each shard is judged exactly as a
single crawl would judge it and no ``monitor merge`` is needed. Each shard is its own crawl
(``monitor crawls``); ``monitor summary --crawl A,B`` shows them together.

A shard is passed as ``-a region=a,b`` when it is made of whole regions of the selection (the
same unit as ``monitor schedule``), else as ``-a portal=ID,…`` (one region split over processes,
or a ``--level``/``--parent`` selection).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

from monitor.cli import UserError
from monitor.cli.common import FORMATS, default_db, emit, name_value_pairs

SPIDERS = ("portal", "probe")
SWEEP_COLUMNS = ("shard", "args", "portals", "pid", "exit", "seconds", "crawl", "status", "pages", "log")
#: longest ``-a portal=…`` argument passed to one process (Linux refuses a single argument over 128 KiB)
MAX_PORTAL_ARG = 100_000


@dataclass
class Shard:
    portals: list = field(default_factory=list)   # registry Portals
    regions: list[str] = field(default_factory=list)
    whole_regions: bool = True

    def args(self, level: str | None, parent: str | None) -> list[tuple[str, str]]:
        if self.whole_regions and not level and not parent:
            return [("region", ",".join(sorted(self.regions)))]
        return [("portal", ",".join(p.id for p in self.portals))]


def plan_shards(portals: list, processes: int) -> list[Shard]:
    """Disjoint shards of ``portals`` (the selection), balanced by count of crawlable (not closed)
    portals: whole regions, largest first to the lightest shard, when there are at least as many
    regions as processes; otherwise the portals are dealt out in registry order. Empty shards are
    dropped."""
    by_region: dict[str, list] = {}
    for p in portals:
        by_region.setdefault(p.region, []).append(p)
    weight = {r: sum(1 for p in ps if p.status != "closed") for r, ps in by_region.items()}
    if len(by_region) >= processes:
        shards = [Shard() for _ in range(processes)]
        loads = [0] * processes
        for region in sorted(by_region, key=lambda r: (-weight[r], r)):
            i = min(range(processes), key=lambda n: (loads[n], n))
            shards[i].regions.append(region)
            shards[i].portals.extend(by_region[region])
            loads[i] += weight[region]
    else:
        live = [p for p in portals if p.status != "closed"]
        shards = [Shard(whole_regions=False) for _ in range(processes)]
        for i, p in enumerate(live):
            shards[i % processes].portals.append(p)
        for shard in shards:
            shard.regions = sorted({p.region for p in shard.portals})
    for shard in shards:
        order = {p.id: i for i, p in enumerate(portals)}
        shard.portals.sort(key=lambda p: order[p.id])
    return [s for s in shards if any(p.status != "closed" for p in s.portals)]


@click.command()
@click.option("--processes", "-p", type=click.IntRange(1, 64), default=lambda: os.cpu_count() or 1,
              show_default="the number of CPUs", help="Crawl processes to run side by side.")
@click.option("--spider", type=click.Choice(SPIDERS), default="portal", show_default=True)
@click.option("--region", default="all", show_default=True, help="all, or a comma list of regions.")
@click.option("--portal", help="Only these portals (comma list of ids) instead of --region.")
@click.option("--level", help="Only these levels (comma list).")
@click.option("--parent", help="Only these portals and everything below them (comma list of ids).")
@click.option("--registry", "registry_file", type=click.Path(dir_okay=False),
              help="Registry (default: MONITOR_REGISTRY, else the shipped one).")
@click.option("--db", "db_path", default=default_db, show_default="$MONITOR_DB or data/monitor.db",
              help="The store every process writes.")
@click.option("--setting", "-s", "settings", multiple=True, metavar="NAME=VALUE",
              help="Scrapy setting for every process (repeatable), e.g. CONCURRENT_REQUESTS=128.")
@click.option("--arg", "-a", "args", multiple=True, metavar="NAME=VALUE",
              help="Extra spider argument for every process (repeatable), e.g. rounds=3 for probe.")
@click.option("--log-dir", type=click.Path(file_okay=False),
              help="Where each process's log goes (default: beside the store, sweep-logs/).")
@click.option("--dry-run", is_flag=True, help="Print the shards and the commands, start nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
def sweep(processes, spider, region, portal, level, parent, registry_file, db_path, settings, args, log_dir,
          dry_run, fmt):
    """Crawl the selection as N parallel crawl processes over disjoint shards, into one store.

    Shards are balanced by portal count (whole regions when there are enough, else portal lists).
    Each process is a plain `scrapy crawl SPIDER` with its shard's -a region=… or -a portal=…;
    its log goes to --log-dir. The exit status is 1 when any process failed or its crawl did not
    finish. On the project's 2-core VM, shared with other work, 2 processes crawled 1.4 to 1.75
    times as fast as one (bench/sweep.py). The statecouncil spider is not sharded: run it as usual.

    \b
    Examples:
      monitor sweep --processes 2
      monitor sweep -p 2 --region henan,hebei --db /srv/monitor/monitor.db
      monitor sweep -p 2 --spider probe -a rounds=1
    """
    from monitor.cli.registry import load, registry_path
    from monitor.registry import SelectionError
    registry = registry_path(registry_file)
    reg = load(registry)
    if portal and region not in (None, "", "all"):
        raise UserError("give either --region or --portal, not both")
    try:
        chosen = reg.select(None if portal else region, portal, level, parent)
    except SelectionError as exc:
        raise UserError(str(exc)) from None
    setting_pairs = name_value_pairs(settings, "--setting")
    arg_pairs = name_value_pairs(args, "--arg")
    reserved = {"region", "portal", "level", "parent"}
    if any(k in reserved for k, _ in arg_pairs):
        raise UserError("--arg: region, portal, level and parent come from the sweep's own options")
    shards = plan_shards(chosen, processes)
    if not shards:
        raise UserError("nothing to crawl: every selected portal is closed")
    plans = []
    for i, shard in enumerate(shards, start=1):
        shard_args = shard.args(level, parent)
        if len(shard_args[0][1]) > MAX_PORTAL_ARG:
            raise UserError(f"shard {i}: {len(shard.portals)} portals do not fit one -a portal=… argument; "
                            "shard by whole regions (fewer processes than regions, no --level/--parent)")
        plans.append((i, shard, shard_args))
    logs = Path(log_dir) if log_dir else Path(db_path).resolve().parent / "sweep-logs"
    env = dict(os.environ, MONITOR_REGISTRY=str(Path(registry).resolve()), MONITOR_DB=str(Path(db_path).resolve()),
               SCRAPY_SETTINGS_MODULE="monitor.settings")
    commands = []
    for i, shard, shard_args in plans:
        cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
        for key, value in shard_args + arg_pairs:
            cmd += ["-a", f"{key}={value}"]
        for key, value in setting_pairs:
            cmd += ["-s", f"{key}={value}"]
        commands.append(cmd)
    if dry_run:
        rows = [{"shard": i, "args": _describe(a), "portals": len(s.portals), "log": str(logs / f"sweep-{i}.log")}
                for (i, s, a) in plans]
        emit(rows, ("shard", "args", "portals", "log"), fmt, None)
        return
    _prepare_store(db_path)
    try:
        logs.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{logs}: cannot create the log directory: {exc.strerror or exc}") from None
    from monitor.paths import PROJECT_DIR
    cwd = PROJECT_DIR if (PROJECT_DIR / "scrapy.cfg").exists() else logs
    from monitor.store import utcnow
    since = utcnow()
    started = time.monotonic()
    running = []
    for (i, shard, shard_args), cmd in zip(plans, commands):
        log_path = logs / f"sweep-{i}.log"
        fh = open(log_path, "w", encoding="utf-8")
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        running.append((i, shard, shard_args, proc, fh, log_path, time.monotonic()))
    click.echo(f"sweep: {len(running)} {spider} crawl process(es), {len(chosen)} portals, "
               f"store {db_path}, logs in {logs}", err=True)
    finished: dict[int, float] = {}
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def _forward(signum, frame):  # let each crawl shut down cleanly (Scrapy's own SIGTERM handling)
        for *_, proc, _fh, _log, _t0 in running:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    for s in previous:
        signal.signal(s, _forward)
    try:
        while len(finished) < len(running):
            for i, _s, _a, proc, _fh, _log, t0 in running:
                if i not in finished and proc.poll() is not None:
                    finished[i] = time.monotonic() - t0
            time.sleep(0.2)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for *_, fh, _log, _t0 in running:
            fh.close()
    rows = _results(db_path, running, finished, since)
    emit(rows, SWEEP_COLUMNS, fmt, None)
    total = time.monotonic() - started
    pages = sum(r["pages"] or 0 for r in rows)
    click.echo(f"sweep: {pages} pages in {total:.1f} s ({pages / max(total, 1e-9) * 60:.0f} pages/min); "
               f"see them together: monitor summary --crawl {','.join(r['crawl'] for r in rows if r['crawl'])}",
               err=True)
    failed = [r for r in rows if r["exit"] != 0 or r["status"] != "finished"]
    if failed:
        click.echo(f"monitor: error: {len(failed)} of {len(rows)} crawl process(es) failed; see their logs",
                   err=True)
        sys.exit(1)


def _describe(shard_args) -> str:
    key, value = shard_args[0]
    if key == "portal":
        return f"portal=({value.count(',') + 1} ids)"
    return f"{key}={value}"


def _prepare_store(db_path: str) -> None:
    """Create and migrate the store once, before several processes open it at the same moment."""
    from monitor.store import Store, StoreError
    try:
        Store(db_path).close()
    except StoreError as exc:
        raise UserError(str(exc)) from None


def _results(db_path: str, running, finished, since: str) -> list[dict]:
    """One row per process, with the crawl it recorded (found by its pid, started by the sweep)."""
    from monitor.store import Store
    store = Store(db_path, readonly=True)
    try:
        crawls = store.crawls()
    finally:
        store.close()
    rows = []
    for i, shard, shard_args, proc, _fh, log_path, _t0 in running:
        mine = [c for c in crawls if c["pid"] == proc.pid and (c["started"] or "") >= since]
        crawl = mine[-1] if mine else {}
        rows.append({"shard": i, "args": _describe(shard_args), "portals": len(shard.portals), "pid": proc.pid,
                     "exit": proc.returncode, "seconds": round(finished.get(i, 0.0), 1),
                     "crawl": crawl.get("id"), "status": crawl.get("status") or "no crawl",
                     "pages": crawl.get("pages"), "log": str(log_path)})
    return rows


__all__ = ["Shard", "plan_shards", "sweep"]

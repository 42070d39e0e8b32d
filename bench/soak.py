"""Soak: the sandbox's stable fleet crawled ten times, with probe rounds in between.

The fleet does not change between crawls (the sandbox's clock stays put, its pages are the same
bytes); on the monitor's clock the first crawl is on the audit day and the others two hours apart
from the next day on (``crawl_time``): every difference in the store or the verdicts is the
monitor's own.

    .venv/bin/python bench/soak.py                    # the bundled fleet, 10 crawls, about 4 minutes
    .venv/bin/python bench/soak.py --size 30          # 30 healthy synthetic portals, 11 pages each
    .venv/bin/python bench/soak.py --crawls 4 --rounds 2   # a quick look

What it measures, each printed and gathered in the JSON object on the last line:
- regressions against the first crawl's baseline and verdict changes from crawl to crawl (the
  levels of every rule and portal, from crawl 2 on; the first probe round is long enough to fill the
  availability rule's sample, ``--no-warmup`` shows the unknown -> ok changes as it fills): both
  must be zero on a fleet that does not change, and the changes are listed by rule when not;
- store growth per page and crawl on the unchanged fleet (crawls 2..N, file size after a WAL
  checkpoint) and its breakdown per table (SQLite's dbstat);
- each crawl process's peak RSS (``os.wait4``), and its trend from the first crawl to the last;
- the retention roll-up (``monitor/store/retention.py``) applied as if the older crawls were past
  ``MONITOR_FETCH_RETENTION_DAYS``: the size of a rolled-up crawl per page (the store after crawl N
  against the store after crawl 2, both rolled up and vacuumed), and the projection of a
  year of daily crawls of 15,000 portals for the default retention of 90 days and for shorter ones
  (goal: <= 10 GB), scaled per portal and crawl (verdicts, portal records and probe visits are per
  portal; on the synthetic fleet's 11-page portals, the sweep's shape, this is the same as per page).
  The rolled-up stores also fold their probe visits into daily rows, as the visits' own retention
  does after ``MONITOR_VISIT_RETENTION_DAYS``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.clock import parse_now  # noqa: E402
from monitor.config import MonitorSettings  # noqa: E402
from monitor.judging import verdict_history  # noqa: E402
from monitor.paths import SANDBOX_REGISTRY_CSV  # noqa: E402
from monitor.regressions import find_regressions  # noqa: E402
from monitor.sandbox import Sandbox, synthetic_fleet, write_registry  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.store.retention import roll_up  # noqa: E402
from monitor.store.visits import rollup_visits  # noqa: E402
from monitor.store.states import baselines_in_force, latest_portal_crawl_per_portal, mark_baselines  # noqa: E402

START = "2026-11-01T10:00:00+08:00"
PORTALS_NATIONAL, DAYS = 15_000, 365


def run(args: list[str], env: dict) -> tuple[int, float, str]:
    """``scrapy …`` in a subprocess: (exit status, its peak RSS in MB, stderr tail)."""
    proc = subprocess.Popen([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, err[-1500:]


def crawl_time(start, day: int):
    """The monitor's clock at crawl ``day`` (0-based): the first crawl on the audit day, the others
    two hours apart from the next day on, so that from crawl 2 on every rule that needs crawls on two
    days (``forged_dates``) judges, and the fleet ages by under two days over ten crawls."""
    return start if day == 0 else start + timedelta(days=1, hours=2 * (day - 1))


def db_bytes(db: Path) -> int:
    conn = sqlite3.connect(db)
    conn.execute("pragma wal_checkpoint(TRUNCATE)")
    conn.close()
    return db.stat().st_size


def table_bytes(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("select name, sum(pgsize) from dbstat group by name").fetchall()
    except sqlite3.OperationalError:  # SQLite built without DBSTAT
        rows = []
    conn.close()
    return dict(rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crawls", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4, help="probe rounds before each crawl")
    parser.add_argument("--size", type=int, default=0,
                        help="a synthetic fleet of N healthy portals (11 pages each, the sweep's shape) "
                             "instead of the bundled one (38 portals, some failing on purpose)")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false",
                        help="no warm-up probe rounds before the first crawl")
    parser.add_argument("--keep", action="store_true", help="keep the stores (the path is printed)")
    args = parser.parse_args(argv)
    if args.crawls < 3:
        parser.error("--crawls: at least 3 (the roll-up is measured between crawl 2 and the last)")
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    db = tmp / "soak.db"
    start = parse_now(START)
    registry = SANDBOX_REGISTRY_CSV
    if args.size:
        fleet = synthetic_fleet(args.size, 0)
        registry = tmp / "fleet.csv"
        write_registry(fleet, registry)
        sandbox = Sandbox(fleet=fleet, now=start, phase="audit")
    else:
        sandbox = Sandbox(registry_csv=SANDBOX_REGISTRY_CSV, now=start, phase="audit")
    sandbox.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_") and "proxy" not in k.lower()}
    env.update({"http_proxy": sandbox.url, "MONITOR_REGISTRY": str(registry), "MONITOR_DB": str(db),
                "MONITOR_GOVCN_BASE": "http://www.gov.cn", "SCRAPY_SETTINGS_MODULE": "monitor.settings",
                "MONITOR_ALLOW_PRIVATE_ADDRESSES": "1", "MONITOR_AUTOTHROTTLE": "0", "MONITOR_RENDER": "off", "MONITOR_FETCH_RETENTION_DAYS": "0",
                "MONITOR_LOG_LEVEL": "WARNING"})
    crawls, t0 = [], time.monotonic()
    try:
        # warm-up: the availability rule's sample (MONITOR_REACHABLE_MIN_VISITS) is full before the
        # first crawl, as on a fleet probed for a while; otherwise `reachable` goes unknown -> ok
        # part-way through the soak as visits accumulate, which is the rule working, not drift
        warmup = max(MonitorSettings().reachable_min_visits - args.rounds, 0) if args.warmup else 0
        for day in range(args.crawls):
            now = crawl_time(start, day)
            rounds = args.rounds + (warmup if day == 0 else 0)
            rc, _, err = run(["crawl", "probe", "-a", "region=all", "-a", f"rounds={rounds}",
                              "-s", "DOWNLOAD_TIMEOUT=3"], {**env, "MONITOR_NOW": (now - timedelta(hours=1)).isoformat()})
            assert rc == 0, err
            before = db_bytes(db) if db.exists() else 0
            rc, rss, err = run(["crawl", "portal", "-a", "region=all", "-s", "DOWNLOAD_TIMEOUT=3"],
                               {**env, "MONITOR_NOW": now.isoformat()})
            assert rc == 0, err
            with Store(db) as store:
                crawl = store.latest_finished_crawl("portal")
                if day == 0:
                    mark_baselines(store, crawl["id"], list(latest_portal_crawl_per_portal(store, crawl["id"])),
                                   "soak")
            after = db_bytes(db)
            if day == 1:  # the store as it stood after crawl 2: the base of the roll-up measurement
                shutil.copy(db, tmp / "after_crawl_2.db")
            crawls.append({"day": day, "pages": crawl["pages"], "portals": crawl["portals"], "rss_mb": round(rss, 1),
                           "growth": after - before,
                           "tables": table_bytes(db)})
            print(f"crawl {day + 1}: {crawl['pages']} pages, peak RSS {rss:.0f} MB, store +{after - before} B",
                  flush=True)
    finally:
        sandbox.stop()
    elapsed = time.monotonic() - t0

    with Store(db) as store:
        history = verdict_history(store)
        now = crawl_time(start, args.crawls)
        regressions = find_regressions(history, baselines_in_force(store), now)
        by_crawl: dict[str, dict] = {}
        for record in history:
            by_crawl.setdefault(record.crawl_id, {})[(record.portal_id, record.rule)] = record.level
        ordered = [c["id"] for c in store.crawls(spider="portal")]
    changed_rules: dict[str, int] = {}  # "rule: before->after" -> how often, from crawl 2 on
    for a, b in zip(ordered[1:], ordered[2:]):
        for (portal, rule), level in by_crawl[b].items():
            if by_crawl[a].get((portal, rule)) != level:
                name = f"{rule}: {by_crawl[a].get((portal, rule))}->{level}"
                changed_rules[name] = changed_rules.get(name, 0) + 1
    repeat = crawls[1:]
    pages = sum(c["pages"] for c in repeat)
    per_page = sum(c["growth"] for c in repeat) / max(pages, 1)
    first, last = crawls[1]["tables"], crawls[-1]["tables"]
    per_table = {name: round((last.get(name, 0) - first.get(name, 0)) / max(sum(c["pages"] for c in crawls[2:]), 1))
                 for name in sorted(set(first) | set(last))}
    per_table = {k: v for k, v in per_table.items() if v}

    # retention: roll every crawl but the newest up, as a year's old crawls would be, in the store
    # after crawl 2 and in the store after crawl N. Both keep crawl 1's rows (every page's first row
    # is a change) and one unrolled newest crawl, so their difference is crawls 2..N-1 rolled up.
    rolled, counts = {}, {}
    for name, source, newest in (("base", tmp / "after_crawl_2.db", 1), ("end", db, args.crawls - 1)):
        target = tmp / f"rolled_{name}.db"
        shutil.copy(source, target)
        with Store(target) as store:  # a day's retention from the newest crawl's clock: all older ones
            counts = roll_up(store, 1, crawl_time(start, newest) + timedelta(days=1))
            # and their probe visits, folded into a row per portal and day as after the visits'
            # own retention (MONITOR_VISIT_RETENTION_DAYS): what an old crawl's days cost a year on
            rollup_visits(store, 1, (crawl_time(start, newest) + timedelta(days=1)).isoformat())
            store.db.execute("vacuum")
        rolled[name] = db_bytes(target)
    rolled_pages = sum(c["pages"] for c in crawls[1:-1])
    rolled_per_page = max(rolled["end"] - rolled["base"], 0) / max(rolled_pages, 1)
    # per portal and crawl: verdicts, portal records and visits are per portal, not per page, so the
    # year is scaled by portals (the same as by pages on a fleet of 11-page portals, the sweep's shape)
    portals = crawls[-1]["portals"]
    per_portal = per_page * pages / len(repeat) / portals
    rolled_per_portal = rolled_per_page * rolled_pages / (args.crawls - 2) / portals
    year = {}
    for retention in (90, 30, 14, 7):
        total = PORTALS_NATIONAL * (retention * per_portal + (DAYS - retention) * rolled_per_portal)
        year[f"retention_{retention}d_gb"] = round(total / 1e9, 1)
    rss = [c["rss_mb"] for c in crawls]
    result = {
        "fleet": f"synthetic, {args.size} portals" if args.size else "bundled sandbox",
        "crawls": args.crawls, "probe_rounds_between": args.rounds, "warmup_rounds": warmup,
        "elapsed_s": round(elapsed),
        "pages_per_crawl": crawls[-1]["pages"],
        "regressions": len(regressions), "verdict_changes_after_crawl_2": sum(changed_rules.values()),
        "verdict_changes_by_rule": changed_rules,
        "growth_bytes_per_page_per_crawl": round(per_page), "growth_le_1KB": per_page <= 1024,
        "growth_bytes_per_page_by_table": per_table,
        "rolled_up_bytes_per_page_per_crawl": round(rolled_per_page), "rollup_counts": counts,
        "bytes_per_portal_per_crawl": round(per_portal), "rolled_up_bytes_per_portal_per_crawl": round(rolled_per_portal),
        "year_15000_portals": year, "year_goal_10gb_default_retention": year["retention_90d_gb"] <= 10,
        "peak_rss_mb": rss, "peak_rss_growth_first_to_last_mb": round(rss[-1] - rss[0], 1),
        "defaults": {"fetch_retention_days": MonitorSettings().fetch_retention_days},
    }
    print(json.dumps(result, ensure_ascii=False))
    if args.keep:
        print(f"stores kept in {tmp}", file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


if __name__ == "__main__":
    main()

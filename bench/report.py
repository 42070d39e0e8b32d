"""How long ``monitor report`` takes on a national store: 15,000 portals and a quarter of daily crawls.

Builds a synthetic store (``monitor/store/synthetic.py``: registry, 90 daily portal crawls with every
rule's verdict, a baseline, 2,400 imported audit results) unless ``--db`` names one built before,
then times ``monitor report`` for the quarter in each format, each in its own process as a user
runs it. The last line printed is one JSON object.

    .venv/bin/python bench/report.py                      # 15,000 portals x 90 days (store: a few minutes)
    .venv/bin/python bench/report.py --portals 2000 --days 30   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_store(path: Path, portals: int, days: int) -> dict:
    from monitor.rules import RULES
    from monitor.store import Store
    from monitor.store.synthetic import Plan, build

    rules = [r for r in RULES if r != "overall"]
    store = Store(path)
    try:
        return build(store, Plan(portals=portals, days=days, end=date(2026, 12, 30), rules=rules,
                                 veto=[r for r in rules if RULES[r].veto],
                                 content_rules=[r for r in rules if RULES[r].content],
                                 audits=round(portals * 0.16)))
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=15_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--db", help="reuse (or build and keep) the synthetic store at this path")
    parser.add_argument("--formats", default="html,md,xlsx")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    db = Path(args.db) if args.db else work / "bench.db"
    built = None
    if not db.exists():
        t0 = time.monotonic()
        built = build_store(db, args.portals, args.days)
        built["build_s"] = round(time.monotonic() - t0, 1)
        print(f"built {db}: {built}", file=sys.stderr)
    env = {**os.environ, "MONITOR_NOW": "2026-12-31T09:00:00+08:00", "MONITOR_DB": str(db)}
    monitor = [sys.executable, "-c", "from monitor.cli import main; main()"]
    result = {"bench": "report", "portals": args.portals, "days": args.days,
              "db_mb": round(db.stat().st_size / 1e6, 1), "seconds": {}, "peak_rss_mb": {}}
    if built:
        result["store_build_s"] = built["build_s"]
        result["verdicts"] = built["verdicts"]
    for fmt in args.formats.split(","):
        out = work / f"report.{fmt}"
        t0 = time.monotonic()
        proc = subprocess.run([*monitor, "report", "--period", "2026Q4", "--format", fmt, "-o", str(out)],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - t0
        if proc.returncode != 0:
            raise SystemExit(f"monitor report --format {fmt} failed: {proc.stderr[-2000:]}")
        result["seconds"][fmt] = round(elapsed, 1)
        result["peak_rss_mb"][fmt] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        result.setdefault("output_kb", {})[fmt] = round(out.stat().st_size / 1024)
        print(proc.stdout.strip(), file=sys.stderr)
    result["target_s"] = 60
    result["ok"] = max(result["seconds"].values()) < 60
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

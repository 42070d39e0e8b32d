"""Static vs rendered homepage fetches per second on the sandbox, side by side in one run.

    .venv/bin/python bench/render.py [--portals 60]

A synthetic sandbox fleet of N healthy portals is crawled homepage-only (``MONITOR_COLUMN_DEPTH=0``)
three times through the same sandbox proxy: every homepage static (``render=static``), every homepage
rendered in Debian's chromium (``render=js``, images/fonts/media blocked), and the bundled fleet with
the shipped ``render=auto`` to count how many homepages rendering is actually spent on. Throughput is
homepages / the crawl's own ``elapsed_time_seconds`` (engine start to finish, without process
start-up). The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.clock import parse_now  # noqa: E402
from monitor.paths import SANDBOX_REGISTRY_CSV  # noqa: E402
from monitor.rendering import chromium_path  # noqa: E402
from monitor.sandbox import Sandbox, synthetic_fleet, write_registry  # noqa: E402
from monitor.store import Store  # noqa: E402

NOW = "2026-11-20T10:00:00+08:00"


def crawl(proxy: str, registry: Path, db: Path, *extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_") and k.lower() != "http_proxy"}
    env.update({"http_proxy": proxy, "MONITOR_REGISTRY": str(registry), "MONITOR_DB": str(db),
                "MONITOR_NOW": NOW, "SCRAPY_SETTINGS_MODULE": "monitor.settings", "MONITOR_LOG_LEVEL": "INFO",
                "MONITOR_ALLOW_PRIVATE_ADDRESSES": "1"})
    cmd = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", "region=all", "-s", "MONITOR_COLUMN_DEPTH=0",
           "-s", "MONITOR_ROBOTSTXT_OBEY=0", "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "DOWNLOAD_TIMEOUT=4", *extra]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    log = proc.stderr
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", log).group(1))
    stats = {k: int(v) for k, v in re.findall(r"'(playwright/[\w/]+)': (\d+)", log)}
    with Store(db) as store:
        crawl_id = store.latest_finished_crawl("portal")["id"]
        rows = store.query("select rendered, count(*) n, sum(error is null) ok from fetches where crawl_id = ? "
                           "and kind = 'homepage' group by rendered", [crawl_id])
    return {"elapsed_s": elapsed, "homepages": {r["rendered"]: r["n"] for r in rows},
            "ok": sum(r["ok"] or 0 for r in rows), "playwright": stats}


def with_render(src: Path, dst: Path, render: str) -> None:
    rows = list(csv.DictReader(src.open(encoding="utf-8-sig")))
    with dst.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "render": render})


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=60)
    args = parser.parse_args()
    if chromium_path(os.environ.get("MONITOR_CHROMIUM")) is None:
        sys.exit("bench/render.py: chromium not found (apt-get install chromium)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-render-"))
    fleet = synthetic_fleet(args.portals, seed=7)
    registry = tmp / "fleet.csv"
    write_registry(fleet, registry)
    with_render(registry, tmp / "static.csv", "static")
    with_render(registry, tmp / "js.csv", "js")
    with Sandbox(fleet=fleet, now=parse_now(NOW)) as synthetic:
        static = crawl(synthetic.url, tmp / "static.csv", tmp / "static.db")
        rendered = crawl(synthetic.url, tmp / "js.csv", tmp / "js.db")
    with Sandbox(now=parse_now(NOW)) as bundled:
        auto = crawl(bundled.url, SANDBOX_REGISTRY_CSV, tmp / "auto.db")
    n = args.portals
    static_rate = n / static["elapsed_s"]
    rendered_rate = n / rendered["elapsed_s"]
    pw = rendered["playwright"]
    result = {
        "portals": n,
        "static_homepages_per_s": round(static_rate, 2),
        "rendered_homepages_per_s": round(rendered_rate, 2),
        "rendered_vs_static": round(rendered_rate / static_rate, 3),
        "static_elapsed_s": static["elapsed_s"], "rendered_elapsed_s": rendered["elapsed_s"],
        "rendered_ok": rendered["ok"],
        "browser_requests": pw.get("playwright/request_count", 0),
        "browser_requests_aborted": pw.get("playwright/request_count/aborted", 0),
        "pages_closed": pw.get("playwright/page_count/closed", 0),
        "max_concurrent_pages": pw.get("playwright/page_count/max_concurrent", 0),
        "auto_fleet_homepages": sum(auto["homepages"].values()) - auto["homepages"].get(1, 0),
        "auto_fleet_rendered": auto["homepages"].get(1, 0),
    }
    for key, value in result.items():
        print(f"{key:28} {value}")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()

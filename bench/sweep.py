"""National-sweep benchmark: the full ``portal`` pipeline over a synthetic sandbox fleet, beside ``scrapy bench``.

    .venv/bin/python bench/sweep.py                      # 2,000 portals, ~10 pages each
    .venv/bin/python bench/sweep.py --portals 200 --latency-portals 100 --bench-seconds 20   # quick

Steps, all on this machine in one run:
1. ``scrapy bench`` (default Scrapy settings, outside the project) for ``--bench-seconds``;
   pages/minute = its ``response_received_count`` / ``elapsed_time_seconds``;
2. ``monitor sandbox --size N`` in its own process (no added latency), and ``scrapy crawl portal -a
   region=all`` with every pipeline, robots.txt off, AutoThrottle off, rendering off,
   ``CONCURRENT_REQUESTS=--concurrency``: pages/minute (fetch rows / wall time of the crawl
   process, start-up and judging included), peak RSS of the crawl and of the sandbox separately
   (``os.wait4`` of each child), database bytes per page;
3. the same crawl again over the unchanged fleet: database growth per page;
4. a sandbox with ``--latency`` seconds per response (``--latency-portals`` portals): pages/minute
   behind the national-sweep estimate (15,000 portals x pages per portal).

The last line of output is one JSON object with every figure and the targets' pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOW = "2026-11-20T10:00:00+08:00"
NATIONAL_PORTALS = 15_000


def wait_child(proc: subprocess.Popen, timeout: float) -> tuple[int, int]:
    """Wait for ``proc`` (bounded); return (exit status, peak RSS in bytes) from ``os.wait4``."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_maxrss * 1024
        if time.monotonic() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return -9, usage.ru_maxrss * 1024
        time.sleep(0.2)


def scrapy_bench(seconds: int, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "MONITOR_")) and "proxy" not in k.lower()}
    cmd = [str(BIN / "scrapy"), "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}", "-s", "LOGSTATS_INTERVAL=5"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = proc.communicate(timeout=seconds + 120)
    received = re.search(r"'response_received_count': (\d+)", out)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", out)
    if not (received and elapsed):
        raise SystemExit(f"scrapy bench: could not parse its stats:\n{out[-2000:]}")
    rates = [int(m) for m in re.findall(r"at (\d+) pages/min", out)][1:]
    return {"pages": int(received.group(1)), "seconds": float(elapsed.group(1)),
            "pages_per_min": round(int(received.group(1)) / float(elapsed.group(1)) * 60),
            "logstats_pages_per_min": rates, "wall_seconds": round(time.monotonic() - t0, 1)}


class SandboxProcess:
    def __init__(self, size: int, registry: Path, latency: float, log: Path):
        cmd = [str(BIN / "monitor"), "sandbox", "--size", str(size), "--write-registry", str(registry),
               "--now", NOW, "--latency", str(latency)]
        self.log = open(log, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline().strip()  # the proxy URL, first line of stdout
        if not line.startswith("http://"):
            self.stop()
            raise SystemExit(f"monitor sandbox did not start (see {log})")
        self.url = line

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        _, rss = wait_child(self.proc, 30)
        self.log.close()
        return rss


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


def crawl(proxy: str, registry: Path, db: Path, concurrency: int, log: Path, timeout: float) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_") and "proxy" not in k.lower()}
    env.update({"http_proxy": proxy, "MONITOR_REGISTRY": str(registry), "MONITOR_DB": str(db),
                "MONITOR_NOW": NOW, "MONITOR_RENDER": "off", "MONITOR_ROBOTSTXT_OBEY": "0",
                "MONITOR_GOVCN_BASE": "http://www.gov.cn", "SCRAPY_SETTINGS_MODULE": "monitor.settings",
                "MONITOR_ALLOW_PRIVATE_ADDRESSES": "1"})
    cmd = [str(BIN / "scrapy"), "crawl", "portal", "-a", "region=all",
           "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "LOG_LEVEL=INFO", "-s", "LOGSTATS_INTERVAL=10"]
    before = db_bytes(db)
    t0 = time.monotonic()
    with open(log, "a") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        status, rss = wait_child(proc, timeout)
    seconds = time.monotonic() - t0
    import sqlite3
    conn = sqlite3.connect(db)
    crawl_id, cstatus = conn.execute("select id, status from crawls where spider = 'portal' "
                                     "order by started desc limit 1").fetchone()
    pages, failed = conn.execute("select count(*), count(error) from fetches where crawl_id = ?", [crawl_id]).fetchone()
    portals = conn.execute("select count(*) from portal_crawls where crawl_id = ?", [crawl_id]).fetchone()[0]
    conn.close()
    after = db_bytes(db)
    return {"exit": status, "crawl_status": cstatus, "portals": portals, "pages": pages, "failed": failed,
            "seconds": round(seconds, 1), "pages_per_min": round(pages / seconds * 60),
            "peak_rss_mb": round(rss / 2**20, 1), "db_bytes": after, "db_growth_bytes": after - before,
            "db_bytes_per_page": round((after - before) / max(pages, 1))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--portals", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=256)
    ap.add_argument("--bench-seconds", type=int, default=60)
    ap.add_argument("--latency", type=float, default=0.2, help="seconds per response in the latency run")
    ap.add_argument("--latency-portals", type=int, default=500, help="0 skips the latency run")
    ap.add_argument("--timeout", type=float, default=3600, help="bound on each crawl, seconds")
    ap.add_argument("--workdir", help="keep databases and logs here (default: a temp dir)")
    opts = ap.parse_args()
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="sweep-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"portals": opts.portals, "concurrency": opts.concurrency, "workdir": str(work),
                    "cpus": os.cpu_count(), "loadavg_start": os.getloadavg()}

    print(f"scrapy bench for {opts.bench_seconds} s …", flush=True)
    result["scrapy_bench"] = scrapy_bench(opts.bench_seconds, work)
    print(f"  {result['scrapy_bench']['pages_per_min']} pages/min", flush=True)

    registry, db = work / "fleet.csv", work / "sweep.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    sb = SandboxProcess(opts.portals, registry, 0.0, work / "sandbox.log")
    try:
        for label in ("first", "repeat"):
            print(f"crawl ({label}) of {opts.portals} portals …", flush=True)
            result[f"crawl_{label}"] = crawl(sb.url, registry, db, opts.concurrency, work / "crawl.log", opts.timeout)
            print(f"  {json.dumps(result[f'crawl_{label}'])}", flush=True)
    finally:
        result["sandbox_peak_rss_mb"] = round(sb.stop() / 2**20, 1)

    if opts.latency_portals:
        lat_registry, lat_db = work / "fleet-latency.csv", work / "latency.db"
        for p in (lat_db, Path(f"{lat_db}-wal"), Path(f"{lat_db}-shm")):
            p.unlink(missing_ok=True)
        sb = SandboxProcess(opts.latency_portals, lat_registry, opts.latency, work / "sandbox-latency.log")
        try:
            print(f"crawl with {opts.latency * 1000:.0f} ms latency, {opts.latency_portals} portals …", flush=True)
            lat = crawl(sb.url, lat_registry, lat_db, opts.concurrency, work / "crawl-latency.log", opts.timeout)
        finally:
            lat["sandbox_peak_rss_mb"] = round(sb.stop() / 2**20, 1)
        per_portal = lat["pages"] / max(lat["portals"], 1)
        lat["latency_s"] = opts.latency
        lat["national_sweep_hours"] = round(NATIONAL_PORTALS * per_portal / max(lat["pages_per_min"], 1) / 60, 2)
        result["latency_run"] = lat
        print(f"  {json.dumps(lat)}", flush=True)

    first, repeat, bench = result["crawl_first"], result["crawl_repeat"], result["scrapy_bench"]
    result["ratio_to_scrapy_bench"] = round(first["pages_per_min"] / bench["pages_per_min"], 3)
    result["repeat_growth_bytes_per_page"] = repeat["db_bytes_per_page"]
    result["loadavg_end"] = os.getloadavg()  # other work on the machine skews both figures
    result["targets"] = {
        "throughput_ge_0.7x_bench": result["ratio_to_scrapy_bench"] >= 0.7,
        "peak_memory_le_1GB": max(first["peak_rss_mb"], repeat["peak_rss_mb"]) <= 1024,
        "repeat_growth_le_1KB_per_page": repeat["db_bytes_per_page"] <= 1024,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

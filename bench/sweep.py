"""National-sweep benchmark: the full ``portal`` pipeline over a synthetic sandbox fleet, beside ``scrapy bench``,
and the sweep with 1 and with 2 crawl processes side by side (``monitor sweep``).

    .venv/bin/python bench/sweep.py                      # 2,000 portals, ~10 pages each
    .venv/bin/python bench/sweep.py --portals 200 --latency-portals 100 --bench-seconds 20   # quick
    .venv/bin/python bench/sweep.py --only-processes --latency-portals 300                    # 1 vs 2 processes only

Steps, all on this machine in one run:
1. ``scrapy bench`` (default Scrapy settings, outside the project) for ``--bench-seconds``;
   pages/minute = its ``response_received_count`` / ``elapsed_time_seconds``;
2. ``monitor sandbox --size N`` in its own process (no added latency), and ``scrapy crawl portal -a
   region=all`` with every pipeline, robots.txt off, AutoThrottle off, rendering off,
   ``CONCURRENT_REQUESTS=--concurrency``: pages/minute (fetch rows / wall time of the crawl
   process, start-up and judging included), peak RSS of the crawl and of the sandbox separately
   (``os.wait4`` of each child), database bytes per page;
3. the same crawl again over the unchanged fleet: database growth per page;
4. a sandbox with ``--latency`` seconds per response (``--latency-portals`` portals, every page kept
   in the sandbox's cache after a warm-up crawl, so serving costs the machine little), crawled by
   ``monitor sweep --processes P`` for each P of ``--processes`` (default 1,2), ``--rounds`` times
   in alternating order, each into a fresh store: wall time, pages/minute, the crawl processes' CPU
   seconds (``os.wait4`` of the sweep, which includes its crawl processes) and the sandbox's CPU
   seconds over the run (``/proc``). The national-sweep estimate (15,000 portals x pages per
   portal) is reported for each P from the measured rate, and as a ceiling from the crawlers' CPU
   seconds per page with P processes each keeping one core busy (what a remote fleet would allow).

Steps 1-3 are skipped with ``--only-processes``. The last line of output is one JSON object with
every figure and the targets' pass/fail.
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
        if self.proc.returncode is not None:  # already reaped (it ended on its own)
            self.log.close()
            return 0
        self.proc.send_signal(signal.SIGTERM)
        _, rss = wait_child(self.proc, 30)
        self.log.close()
        return rss


SANDBOX_CODE = """
import signal, sys, threading
from monitor.clock import parse_now
from monitor.sandbox import Sandbox, synthetic_fleet, write_registry
size, registry, latency, cache, now = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
fleet = synthetic_fleet(size, 0)
write_registry(fleet, registry)
sb = Sandbox(fleet=fleet, now=parse_now(now), latency=latency, cache_size=cache)
print(sb.start(), flush=True)
done = threading.Event()
for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, lambda *a: done.set())
while not done.wait(0.5):
    pass
sb.stop()
"""


class CachedSandbox(SandboxProcess):
    """The synthetic fleet with every page kept in the sandbox's cache (``cache_size`` pages)."""

    def __init__(self, size: int, registry: Path, latency: float, log: Path, cache_size: int):
        cmd = [sys.executable, "-c", SANDBOX_CODE, str(size), str(registry), str(latency), str(cache_size), NOW]
        self.log = open(log, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http://"):
            self.stop()
            raise SystemExit(f"the sandbox did not start (see {log})")
        self.url = line


def cpu_seconds(pid: int) -> float:
    """utime + stime of a running process (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sweep_run(proxy: str, registry: Path, db: Path, processes: int, concurrency: int, log_dir: Path,
              timeout: float, sandbox_pid: int) -> dict:
    """``monitor sweep --processes P`` over the fleet into a fresh store: wall, pages, CPU."""
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_") and "proxy" not in k.lower()}
    env.update({"http_proxy": proxy, "MONITOR_NOW": NOW, "MONITOR_RENDER": "off", "MONITOR_ROBOTSTXT_OBEY": "0",
                "MONITOR_ALLOW_PRIVATE_ADDRESSES": "1",
                "MONITOR_GOVCN_BASE": "http://www.gov.cn"})
    cmd = [str(BIN / "monitor"), "sweep", "--processes", str(processes), "--registry", str(registry), "--db", str(db),
           "--log-dir", str(log_dir), "--format", "json",
           "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "LOG_LEVEL=INFO", "-s", "LOGSTATS_INTERVAL=10"]
    load0 = os.getloadavg()
    sandbox0 = cpu_seconds(sandbox_pid)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.2)
    seconds = time.monotonic() - t0
    sandbox_cpu = cpu_seconds(sandbox_pid) - sandbox0
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    try:
        shards = json.loads(out)
    except ValueError:
        raise SystemExit(f"monitor sweep failed (exit {proc.returncode}):\n{err[-2000:]}")
    import sqlite3
    conn = sqlite3.connect(db)
    pages, failed = conn.execute("select count(*), count(error) from fetches").fetchone()
    portals = conn.execute("select count(*) from portal_crawls").fetchone()[0]
    conn.close()
    crawler_cpu = usage.ru_utime + usage.ru_stime
    return {"processes": processes, "exit": proc.returncode,
            "crawls": [{k: s[k] for k in ("portals", "seconds", "status", "pages")} for s in shards],
            "portals": portals, "pages": pages, "failed": failed, "seconds": round(seconds, 1),
            "pages_per_min": round(pages / seconds * 60), "crawler_cpu_s": round(crawler_cpu, 1),
            "crawler_cpu_ms_per_page": round(crawler_cpu / max(pages, 1) * 1000, 2),
            "crawler_cores_busy": round(crawler_cpu / seconds, 2), "sandbox_cpu_s": round(sandbox_cpu, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "loadavg_before": load0}


def compare_processes(opts, work: Path) -> dict:
    """Step 4: the latency fleet crawled with each process count, side by side."""
    counts = [int(c) for c in str(opts.processes).split(",") if c.strip()]
    registry = work / "fleet-latency.csv"
    cache = opts.latency_portals * 16 + 1000
    sb = CachedSandbox(opts.latency_portals, registry, opts.latency, work / "sandbox-latency.log", cache)
    runs: list[dict] = []
    try:
        print(f"warm-up crawl of {opts.latency_portals} portals ({opts.latency * 1000:.0f} ms latency) …", flush=True)
        warm = sweep_run(sb.url, registry, work / "warmup.db", 1, opts.concurrency, work / "logs-warmup",
                         opts.timeout, sb.proc.pid)
        print(f"  {json.dumps(warm)}", flush=True)
        order = []
        for r in range(opts.rounds):
            order += counts if r % 2 == 0 else list(reversed(counts))
        for n, processes in enumerate(order):
            print(f"sweep with {processes} process(es) …", flush=True)
            run = sweep_run(sb.url, registry, work / f"sweep-{n}.db", processes, opts.concurrency,
                            work / f"logs-{n}", opts.timeout, sb.proc.pid)
            runs.append(run)
            print(f"  {json.dumps(run)}", flush=True)
    finally:
        sandbox_rss = round(sb.stop() / 2**20, 1)
    cores = os.cpu_count() or 1
    summary = {}
    for processes in counts:
        mine = [r for r in runs if r["processes"] == processes]
        pages = sum(r["pages"] for r in mine)
        seconds = sum(r["seconds"] for r in mine)
        cpu = sum(r["crawler_cpu_s"] for r in mine)
        ppm = pages / seconds * 60
        per_portal = pages / max(sum(r["portals"] for r in mine), 1)
        ceiling = pages / cpu * min(processes, cores) * 60
        summary[str(processes)] = {
            "pages_per_min": round(ppm), "pages_per_portal": round(per_portal, 2),
            "crawler_cpu_ms_per_page": round(cpu / pages * 1000, 2),
            "national_sweep_minutes": round(NATIONAL_PORTALS * per_portal / ppm, 1),
            "ceiling_pages_per_min": round(ceiling),
            "national_sweep_minutes_at_ceiling": round(NATIONAL_PORTALS * per_portal / ceiling, 1),
        }
    result = {"latency_s": opts.latency, "portals": opts.latency_portals, "rounds": opts.rounds, "warmup": warm,
              "runs": runs, "by_processes": summary, "sandbox_peak_rss_mb": sandbox_rss}
    if "1" in summary and "2" in summary:
        result["speedup_2_vs_1"] = round(summary["2"]["pages_per_min"] / summary["1"]["pages_per_min"], 2)
    return result


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
    ap.add_argument("--processes", default="1,2", help="crawl process counts compared in the latency run")
    ap.add_argument("--rounds", type=int, default=1, help="latency runs per process count (alternating order)")
    ap.add_argument("--only-processes", action="store_true",
                    help="only the latency run with each process count (skips scrapy bench and steps 2-3)")
    opts = ap.parse_args()
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="sweep-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"portals": opts.portals, "concurrency": opts.concurrency, "workdir": str(work),
                    "cpus": os.cpu_count(), "loadavg_start": os.getloadavg()}

    if opts.only_processes:
        result["processes"] = compare_processes(opts, work)
        result["loadavg_end"] = os.getloadavg()
        result["targets"] = {"national_sweep_le_45_min_with_2_processes":
                             result["processes"]["by_processes"].get("2", {}).get("national_sweep_minutes", 1e9) <= 45}
        print(json.dumps(result, ensure_ascii=False))
        return
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
        result["processes"] = compare_processes(opts, work)
        one = result["processes"]["by_processes"].get("1")
        if one:   # the figures earlier versions reported, from the 1-process runs
            result["latency_run"] = {"latency_s": opts.latency, "pages_per_min": one["pages_per_min"],
                                     "national_sweep_hours": round(one["national_sweep_minutes"] / 60, 2)}

    first, repeat, bench = result["crawl_first"], result["crawl_repeat"], result["scrapy_bench"]
    result["ratio_to_scrapy_bench"] = round(first["pages_per_min"] / bench["pages_per_min"], 3)
    result["repeat_growth_bytes_per_page"] = repeat["db_bytes_per_page"]
    result["loadavg_end"] = os.getloadavg()  # other work on the machine skews both figures
    result["targets"] = {
        "throughput_ge_0.7x_bench": result["ratio_to_scrapy_bench"] >= 0.7,
        "peak_memory_le_1GB": max(first["peak_rss_mb"], repeat["peak_rss_mb"]) <= 1024,
        "repeat_growth_le_1KB_per_page": repeat["db_bytes_per_page"] <= 1024,
    }
    by_p = result.get("processes", {}).get("by_processes", {})
    if "2" in by_p:
        result["targets"]["national_sweep_le_45_min_with_2_processes"] = by_p["2"]["national_sweep_minutes"] <= 45
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""``monitor sweep``: disjoint shards balanced by portal count, N crawl processes into one store."""

from __future__ import annotations

import pytest

import json
import sqlite3
import subprocess
import sys

from conftest import PROJECT, SANDBOX_NOW, scrapy_env
from monitor.cli.sweep import plan_shards
from monitor.paths import SANDBOX_REGISTRY_CSV
from monitor.registry import Portal, load_registry


def portal(pid, region, status="active"):
    return Portal(pid, pid, region, "county", f"http://www.{pid}.gov.cn/", None, status, None, "auto")


def test_whole_regions_balanced_by_live_portals():
    portals = ([portal(f"a{i}", "henan") for i in range(6)] + [portal(f"b{i}", "hebei") for i in range(4)]
               + [portal(f"c{i}", "shanxi") for i in range(3)] + [portal("d0", "bumen", "closed")])
    shards = plan_shards(portals, 2)
    # 6 against 4 + 3; a region of closed portals weighs nothing but is still crawled (recorded as closed)
    assert [s.args(None, None) for s in shards] == [[("region", "bumen,henan")], [("region", "hebei,shanxi")]]
    assert sorted(p.id for s in shards for p in s.portals) == sorted(p.id for p in portals)
    # a --level/--parent selection is passed as the exact portal list
    assert shards[0].args("county", None) == [("portal", "a0,a1,a2,a3,a4,a5,d0")]


def test_fewer_regions_than_processes_deals_portals_out():
    portals = [portal(f"a{i}", "henan") for i in range(5)] + [portal("x", "henan", "closed")]
    shards = plan_shards(portals, 3)
    assert [[p.id for p in s.portals] for s in shards] == [["a0", "a3"], ["a1", "a4"], ["a2"]]
    assert all(s.args(None, None)[0][0] == "portal" for s in shards)
    assert plan_shards([portal("x", "henan", "closed")], 2) == []


@pytest.mark.slow
def test_sweep_of_the_sandbox_with_two_processes(sandbox, tmp_path):
    db = tmp_path / "m.db"
    env = scrapy_env(http_proxy=sandbox.url, MONITOR_NOW=SANDBOX_NOW, MONITOR_GOVCN_BASE="http://www.gov.cn",
                     MONITOR_RENDER="off")
    proc = subprocess.run(
        [sys.executable, "-c", "from monitor.cli import main; main()", "sweep", "--processes", "2",
         "--registry", str(SANDBOX_REGISTRY_CSV), "--db", str(db), "--log-dir", str(tmp_path / "logs"),
         "-s", "DOWNLOAD_TIMEOUT=3", "--format", "json"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    shards = json.loads(proc.stdout)
    assert len(shards) == 2 and {s["status"] for s in shards} == {"finished"} and {s["exit"] for s in shards} == {0}
    assert "monitor summary --crawl" in proc.stderr
    conn = sqlite3.connect(db)
    crawled = conn.execute("select portal_id, count(*) from portal_crawls group by portal_id").fetchall()
    verdicts = conn.execute("select count(distinct crawl_id) from verdicts").fetchone()[0]
    conn.close()
    registry = load_registry(SANDBOX_REGISTRY_CSV)
    assert sorted(pid for pid, _ in crawled) == sorted(p.id for p in registry.portals)
    assert {n for _, n in crawled} == {1}        # disjoint: every portal in exactly one shard
    assert verdicts == 2                         # each shard judged its crawl
    assert (tmp_path / "logs" / "sweep-1.log").exists()

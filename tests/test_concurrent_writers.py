"""Two writers on one store: a portal crawl and two probes at once, writing a row per transaction,
lose no row and never fail on ``database is locked``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import PROJECT, SANDBOX_NOW, scrapy_env
from monitor.paths import SANDBOX_REGISTRY_CSV
from monitor.registry import load_registry
from monitor.store import Store

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

ROUNDS = 4


def test_a_crawl_and_two_probes_write_one_store_at_once(sandbox, tmp_path):
    db = tmp_path / "shared.db"
    sandbox.reset()
    sandbox.set_phase("audit")
    env = scrapy_env(http_proxy=sandbox.url, MONITOR_REGISTRY=str(SANDBOX_REGISTRY_CSV), MONITOR_DB=str(db),
                     MONITOR_NOW=SANDBOX_NOW, MONITOR_BATCH_SIZE="1", MONITOR_RENDER="off")
    common = ["-a", "region=all", "-s", "DOWNLOAD_TIMEOUT=3"]
    commands = [["crawl", "portal", *common],
                ["crawl", "probe", *common, "-a", f"rounds={ROUNDS}"],
                ["crawl", "probe", *common, "-a", f"rounds={ROUNDS}"]]
    procs = [subprocess.Popen([sys.executable, "-m", "scrapy", *cmd], cwd=PROJECT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for cmd in commands]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
        assert "database is locked" not in err and "Traceback" not in err, err[-3000:]

    registry = load_registry(SANDBOX_REGISTRY_CSV)
    targets = [p for p in registry.portals if p.status != "closed"]
    with Store(db) as store:
        crawls = store.crawls()
        assert sorted(c["spider"] for c in crawls) == ["portal", "probe", "probe"]
        assert all(c["status"] == "finished" for c in crawls)
        visits = store.query("select count(*) n from visits")[0]["n"]
        assert visits == 2 * ROUNDS * len(targets)
        [portal_crawl] = [c for c in crawls if c["spider"] == "portal"]
        rows = store.query("select count(*) n from portal_crawls where crawl_id = ?", [portal_crawl["id"]])
        assert rows[0]["n"] == len(registry.portals)
        counted = store.query("select count(*) n from fetches where crawl_id = ?", [portal_crawl["id"]])[0]["n"]
        assert counted == portal_crawl["pages"]

"""A portal crawl stopped with SIGTERM and started again with the same JOBDIR finishes the same
portals under one crawl record, without fetching the portals it had finished again."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from conftest import PROJECT, SANDBOX_NOW, crawl_sandbox, scrapy_env
from monitor.paths import SANDBOX_REGISTRY_CSV
from monitor.registry import load_registry
from monitor.store import Store

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow


def _saved(db, crawl_id=None) -> int:
    try:
        with Store(db) as store:
            sql = "select count(*) n from portal_crawls where outcome != 'incomplete'"
            return store.query(sql)[0]["n"]
    except Exception:  # noqa: BLE001 - the crawl has not created the store yet
        return 0


def test_sigterm_then_resume_finishes_once_without_refetching(sandbox, tmp_path):
    db, jobdir = tmp_path / "m.db", tmp_path / "job"
    sandbox.reset()
    sandbox.set_phase("audit")
    args = ["crawl", "portal", "-a", "region=all", "-s", f"JOBDIR={jobdir}", "-s", "DOWNLOAD_TIMEOUT=3",
            "-s", "CONCURRENT_REQUESTS=3", "-s", "MONITOR_BATCH_SIZE=1", "-s", "MONITOR_RENDER=off"]
    env = scrapy_env(http_proxy=sandbox.url, MONITOR_REGISTRY=str(SANDBOX_REGISTRY_CSV), MONITOR_DB=str(db),
                     MONITOR_NOW=SANDBOX_NOW, MONITOR_GOVCN_BASE="http://www.gov.cn",
                     MONITOR_AUTOTHROTTLE="1")  # slow enough to be stopped midway
    first = subprocess.Popen([sys.executable, "-m", "scrapy", *args], cwd=PROJECT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _saved(db) < 5 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.2)
    assert first.poll() is None, "the crawl ended before it could be stopped"
    first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=120)
    assert (jobdir / "spider.state").is_file(), err[-2000:]
    with Store(db) as store:
        [crawl] = store.crawls(spider="portal")
        assert crawl["status"] == "aborted"
        done_first = {r["portal_id"] for r in store.query(
            "select portal_id from portal_crawls where outcome != 'incomplete'")}
    registry = load_registry(SANDBOX_REGISTRY_CSV)
    assert 5 <= len(done_first) < len(registry.portals)
    seen_before = len(sandbox.requests)

    second = crawl_sandbox(sandbox, db, "-a", "region=all", "-s", f"JOBDIR={jobdir}", "-s",
                           "MONITOR_RENDER=off", timeout_s=3)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "resuming crawl" in second.stderr
    with Store(db) as store:
        crawls = store.crawls(spider="portal")
        assert [c["id"] for c in crawls] == [crawl["id"]]  # one crawl record
        assert crawls[0]["status"] == "finished"
        outcomes = {r["portal_id"]: r["outcome"] for r in store.query(
            "select portal_id, outcome from portal_crawls where crawl_id = ?", [crawl["id"]])}
        assert set(outcomes) == {p.id for p in registry.portals}
        assert "incomplete" not in outcomes.values()
        assert store.query("select count(*) n from verdicts where crawl_id = ?", [crawl["id"]])[0]["n"] > 0
    homes = {p.id: p.url.rstrip("/") for p in registry.portals}
    asked_again = {url.rstrip("/") for _, url, _ in sandbox.requests[seen_before:]}
    refetched = sorted(pid for pid in done_first if homes[pid] in asked_again)
    assert refetched == []

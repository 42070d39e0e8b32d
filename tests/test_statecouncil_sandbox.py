"""``scrapy crawl statecouncil`` against the sandbox's mock www.gov.cn (through ``http_proxy``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.clock import iso
from monitor.clock import SHANGHAI
from monitor.store import Store

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

sandbox = pytest.importorskip("monitor.sandbox")
timeline = pytest.importorskip("monitor.sandbox.timeline")

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 29, 12, tzinfo=SHANGHAI)


def test_crawl_against_sandbox(tmp_path):
    db = tmp_path / "m.db"
    with sandbox.Sandbox(fleet=sandbox.synthetic_fleet(2), now=NOW) as sb:
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "all_proxy")}
        env.update({"MONITOR_DB": str(db), "http_proxy": sb.url, "MONITOR_GOVCN_BASE": "http://www.gov.cn",
                    "MONITOR_NOW": NOW.isoformat(), "MONITOR_ALLOW_PRIVATE_ADDRESSES": "1"})
        proc = subprocess.run([str(Path(sys.executable).with_name("scrapy")), "crawl", "statecouncil"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    start = (NOW - timedelta(days=30)).date()
    expected = {f"govcn-{r.docid}": (r.title, iso(r.ts), "最新政策" if r.category == "zhengce" else "要闻")
                for r in timeline.releases(NOW, 31) if r.ts.date() >= start}
    with Store(db) as store:
        got = {r["id"]: (r["title"], r["published"], r["category"])
               for r in store.query("select * from releases")}
        crawls = store.crawls(spider="statecouncil")
    assert got == expected  # exact times from the pages; the policy feed (with its BOM) parsed
    assert any(c == "最新政策" for _, _, c in got.values())
    assert [c["status"] for c in crawls] == ["finished"]
    assert json.loads(crawls[0]["counts"])["releases"] == len(expected)

"""End to end on the sandbox: ``scrapy crawl portal``, ``scrapy crawl statecouncil``, ``monitor reposts``.

The sandbox's portals repost the mock www.gov.cn's releases (titles decorated, some cut with …, some
linking gov.cn directly); every stored repost must pair an entry with the release it really reposts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from monitor.clock import SHANGHAI
from monitor.store import Store

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

sandbox = pytest.importorskip("monitor.sandbox")

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 29, 12, tzinfo=SHANGHAI)
BIN = Path(sys.executable).parent


def test_portal_then_statecouncil_then_report(tmp_path):
    fleet = sandbox.synthetic_fleet(3)
    registry = tmp_path / "portals.csv"
    sandbox.write_registry(fleet, registry)
    db = tmp_path / "m.db"
    with sandbox.Sandbox(fleet=fleet, now=NOW) as sb:
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "all_proxy")}
        env.update({"MONITOR_ALLOW_PRIVATE_ADDRESSES": "1", "MONITOR_DB": str(db), "http_proxy": sb.url, "MONITOR_GOVCN_BASE": "http://www.gov.cn",
                    "MONITOR_NOW": NOW.isoformat(), "MONITOR_REGISTRY": str(registry), "MONITOR_RENDER": "off"})
        for args in (["portal", "-a", "region=all"], ["statecouncil"]):
            proc = subprocess.run([str(BIN / "scrapy"), "crawl", *args], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=180)
            assert proc.returncode == 0, proc.stderr[-3000:]
        report = subprocess.run([str(BIN / "monitor"), "reposts", "--format", "json"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    data = json.loads(report.stdout)
    assert {r["portal_id"] for r in data["portals"]} == set(fleet.portals)
    assert all(r["reposted"] >= 5 and r["within_24h"] >= 1 for r in data["portals"]), data
    assert data["national"]["portals"] == 3 and data["national"]["share_within_24h"] == 1.0

    with Store(db) as store:
        rows = store.query("select r.release_id, r.portal_id, e.url from reposts r "
                           "join entries e on e.id = r.entry_id")
    assert len(rows) >= 15
    for row in rows:  # the sandbox numbers a repost page doc_base + 5,000,000 + the release's k
        number = int(re.search(r"(\d+)(?:\.\w+)?$", row["url"]).group(1))
        if "gov.cn/zhengce" in row["url"] or "gov.cn/yaowen" in row["url"]:
            assert row["release_id"] == f"govcn-{number}"
        else:
            k = number - fleet.portals[row["portal_id"]].doc_base - 5_000_000
            assert row["release_id"] == f"govcn-{6_900_000 + k}", row

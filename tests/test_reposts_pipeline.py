"""The reposts pipeline at the end of a ``portal`` crawl: that crawl's entries are matched against the
stored releases. ``scrapy crawl portal`` in a subprocess against a mock portal behind a local proxy."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.store import Store, stable_id
from monitor.store.reposts import upsert_releases

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-29T12:00:00+08:00"

HOME = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>测试市人民政府</title></head><body>
<div class="gwyxx"><h3>国务院信息</h3><ul>
<li><a href="/art/2026/11/20/art_1_101.html">国务院关于进一步优化营商环境降低制度性交易成本的意见</a><span>2026-11-20</span></li>
<li><a href="/art/2026/11/23/art_1_102.html">国务院办公厅关于加快发展银发经济增进老年人福祉的通知</a><span>2026-11-23</span></li>
<li><a href="/art/2026/11/21/art_1_103.html">我市召开常务会议研究部署近期工作</a><span>2026-11-21</span></li>
<li><a href="/art/2026/11/22/art_1_104.html">国务院办公厅关于进一步优化营商环境降低制度性交易成本的意见</a><span>2026-11-22</span></li>
</ul></div></body></html>""".encode("utf-8")


class _Portal(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        if parts.hostname == "www.ceshi.gov.cn" and parts.path in ("/", "/index.html"):
            status, body = 200, HOME
        else:
            status, body = 404, b"not found"
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_portal_crawl_matches_its_entries(proxy, tmp_path):
    registry = tmp_path / "portals.csv"
    registry.write_text("id,name,region,level,url,site_code,status,migrated_to,render\n"
                        "ceshi,测试市人民政府,henan,city,http://www.ceshi.gov.cn/,,active,,static\n",
                        encoding="utf-8")
    db = tmp_path / "m.db"
    with Store(db) as store:
        upsert_releases(store, [
            {"id": "govcn-7090001", "title": "国务院关于进一步优化营商环境降低制度性交易成本的意见",
             "url": "https://www.gov.cn/zhengce/content/202611/content_7090001.htm",
             "published": "2026-11-20T10:00:00+08:00"},
            {"id": "govcn-7090002", "title": "国务院办公厅关于加快发展银发经济增进老年人福祉的通知",
             "url": "https://www.gov.cn/zhengce/content/202611/content_7090002.htm",
             "published": "2026-11-21T10:00:00+08:00"},
        ])
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "all_proxy")}
    env.update({"MONITOR_DB": str(db), "MONITOR_REGISTRY": str(registry), "http_proxy": proxy,
                "MONITOR_NOW": NOW, "MONITOR_RENDER": "off", "MONITOR_COLUMN_DEPTH": "0",
                "MONITOR_ALLOW_PRIVATE_ADDRESSES": "1"})
    scrapy = Path(sys.executable).with_name("scrapy")
    proc = subprocess.run([str(scrapy), "crawl", "portal", "-a", "portal=ceshi"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with Store(db) as store:
        entries = store.query("select id, title from entries where portal_id = 'ceshi'")
        reposts = store.query("select * from reposts order by release_id")
        crawl = store.crawls(spider="portal")[0]
    assert len(entries) == 4, proc.stderr[-3000:]
    assert crawl["status"] == "finished"
    assert [(r["release_id"], r["portal_id"], r["within_24h"], r["lag_hours"]) for r in reposts] == [
        ("govcn-7090001", "ceshi", 1, None),  # same day, date only
        ("govcn-7090002", "ceshi", 0, None),  # two days later
    ]
    assert reposts[0]["entry_id"] == stable_id("ceshi", "http://www.ceshi.gov.cn/art/2026/11/20/art_1_101.html")

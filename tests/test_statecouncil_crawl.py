"""``scrapy crawl statecouncil`` in a subprocess against a mock www.gov.cn on 127.0.0.1.

The mock is an HTTP proxy (the crawl reaches it through ``http_proxy``, as it would reach the sandbox):
it answers absolute-form requests for ``http://www.gov.cn/…`` and records every URL asked for, so
the test also checks that nothing off www.gov.cn is requested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from monitor.match import release_id_for_url
from monitor.store import Store, stable_id

#: real crawls of the sandbox (subprocesses): deselect with -m 'not slow'
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-29T12:00:00+08:00"


def _release(title: str, first: str | None, visible: str | None) -> bytes:
    meta = f'<meta name="firstpublishedtime" content="{first}">' if first else ""
    date = f'<div class="pages-date">{visible}<span class="font">来源： 新华社</span></div>' if visible else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{meta}<title>{title}_国务院_中国政府网</title>'
            f'</head><body><h1>{title}</h1>{date}<p>正文</p>'
            f'<a href="https://www.news.cn/politics/content_1.htm">新华网</a></body></html>').encode("utf-8")


ZHENGCE = "\ufeff" + json.dumps([
    {"TITLE": "国务院关于进一步优化营商环境降低制度性交易成本的意见", "SUB_TITLE": "",
     "URL": "./../content/202611/content_7090001.htm", "DOCRELPUBTIME": "2026-11-20"},
    {"TITLE": "国务院办公厅关于加快发展银发经济增进老年人福祉的通知", "SUB_TITLE": "",
     "URL": "https://www.gov.cn/zhengce/content/202611/content_7090002.htm", "DOCRELPUBTIME": "2026-11-22"},
    {"TITLE": "国务院关于印发《新污染物治理行动方案》的通知", "SUB_TITLE": "",
     "URL": "/zhengce/content/202611/content_7090003.htm", "DOCRELPUBTIME": "2026-11-23"},
    {"TITLE": "已在别处发布", "URL": "https://www.news.cn/politics/content_7090009.htm", "DOCRELPUBTIME": "2026-11-24"},
    {"TITLE": "窗口之外的旧文件", "URL": "/zhengce/content/202609/content_7000001.htm", "DOCRELPUBTIME": "2026-09-01"},
], ensure_ascii=False)

YAOWEN_LIST = """<html><head><meta charset="utf-8"></head><body><ul class="list">
<li><a href="/yaowen/liebiao/202611/content_7090004.htm">李强主持召开国务院常务会议</a><span>2026-11-25</span></li>
<li><a href="http://www.xinhuanet.com/politics/content_7090010.htm">外站链接</a><span>2026-11-25</span></li>
</ul></body></html>"""

PUSHINFO = """<html><head><meta charset="utf-8"></head><body><ul class="list">
<li><a href="../../zhengce/content/202611/content_7090001.htm" target="_blank">国务院关于进一步优化营商环境降低制度性交易成本的意见</a><span>2026-11-20</span></li>
<li><a href="/zhengce/content/202611/content_7090005.htm">国务院关于2026年度国家科学技术奖励的决定</a><span>2026-11-26</span></li>
</ul></body></html>"""

PAGES: dict[str, tuple[int, dict, bytes]] = {
    "/zhengce/zuixin/ZUIXINZHENGCE.json": (200, {"Content-Type": "application/json"}, ZHENGCE.encode("utf-8")),
    "/yaowen/liebiao/YAOWENLIEBIAO.json": (500, {}, b"error"),
    "/yaowen/liebiao/home.htm": (200, {"Content-Type": "text/html"}, YAOWEN_LIST.encode("utf-8")),
    "/pushinfo/v150203/index.htm": (200, {"Content-Type": "text/html"}, PUSHINFO.encode("utf-8")),
    "/zhengce/content/202611/content_7090001.htm":
        (200, {"Content-Type": "text/html"}, _release("A", "2026-11-20-10:00:00", "2026-11-20 10:00")),
    "/zhengce/content/202611/content_7090002.htm":  # no meta: the visible date
        (200, {"Content-Type": "text/html"}, _release("B", None, "2026-11-22 18:02")),
    "/zhengce/content/202611/content_7090003.htm": (404, {}, b"not found"),  # keeps the feed's date
    "/yaowen/liebiao/202611/content_7090004.htm":
        (301, {"Location": "https://www.gov.cn/yaowen/liebiao/202611/content_7090004_moved.htm"}, b""),
    "/yaowen/liebiao/202611/content_7090004_moved.htm":
        (200, {"Content-Type": "text/html"}, _release("C", "2026-11-25-17:30:05", None)),
    "/zhengce/content/202611/content_7090005.htm":
        (301, {"Location": "http://www.example.com/elsewhere.htm"}, b""),
}


class _Proxy(BaseHTTPRequestHandler):
    requested: list[str] = []

    def do_GET(self):  # noqa: N802
        url = self.path if self.path.startswith("http") else f"http://{self.headers.get('Host')}{self.path}"
        type(self).requested.append(url)
        parts = urlsplit(url)
        status, headers, body = (404, {}, b"no such page")
        if parts.hostname == "www.gov.cn":
            status, headers, body = PAGES.get(parts.path, (404, {}, b"no such page"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def govcn():
    _Proxy.requested = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Proxy.requested
    server.shutdown()
    server.server_close()


def _crawl(db: Path, proxy: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "all_proxy")}
    env.update({"MONITOR_ALLOW_PRIVATE_ADDRESSES": "1", "MONITOR_DB": str(db), "http_proxy": proxy, "MONITOR_GOVCN_BASE": "http://www.gov.cn",
                "MONITOR_NOW": NOW, "MONITOR_LOG_LEVEL": "INFO"})
    scrapy = Path(sys.executable).with_name("scrapy")
    return subprocess.run([str(scrapy), "crawl", "statecouncil"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_crawl_stores_releases_with_exact_times(govcn, tmp_path):
    proxy, requested = govcn
    db = tmp_path / "m.db"
    with Store(db) as store:  # an entry an earlier portal crawl stored: matched at the end of this crawl
        store.add("entries", {
            "id": stable_id("pa", "https://www.pa.gov.cn/1.html"), "portal_id": "pa", "column_url": "x",
            "url": "https://www.pa.gov.cn/1.html", "title": "转载：国务院关于进一步优化营商环境降低制度性交易成本的意见",
            "published": "2026-11-20T16:30:00+08:00", "first_seen": "2026-11-20T09:00:00+00:00",
            "last_seen": "2026-11-28T09:00:00+00:00", "first_crawl_id": "c0"})
    proc = _crawl(db, proxy)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with Store(db) as store:
        rows = {r["id"]: r for r in store.query("select * from releases")}
        crawls = store.crawls(spider="statecouncil")
        reposts = store.query("select * from reposts")
    got = {rid: (r["title"], r["published"], r["category"]) for rid, r in rows.items()}
    assert got == {
        "govcn-7090001": ("国务院关于进一步优化营商环境降低制度性交易成本的意见", "2026-11-20T10:00:00+08:00", "最新政策"),
        "govcn-7090002": ("国务院办公厅关于加快发展银发经济增进老年人福祉的通知", "2026-11-22T18:02:00+08:00", "最新政策"),
        "govcn-7090003": ("国务院关于印发《新污染物治理行动方案》的通知", "2026-11-23", "最新政策"),
        "govcn-7090004": ("李强主持召开国务院常务会议", "2026-11-25T17:30:05+08:00", "要闻"),
        "govcn-7090005": ("国务院关于2026年度国家科学技术奖励的决定", "2026-11-26", "国务院信息"),
        release_id_for_url("https://www.news.cn/politics/content_7090009.htm"):
            ("已在别处发布", "2026-11-24", "最新政策"),
        release_id_for_url("http://www.xinhuanet.com/politics/content_7090010.htm"): ("外站链接", "2026-11-25", "要闻"),
    }
    assert rows["govcn-7090001"]["url"] == "http://www.gov.cn/zhengce/content/202611/content_7090001.htm"
    assert rows["govcn-7090001"]["source"] == "新华社"
    assert [c["status"] for c in crawls] == ["finished"]
    assert json.loads(crawls[0]["counts"])["releases"] == 7
    assert [(r["release_id"], r["lag_hours"], r["within_24h"]) for r in reposts] == [("govcn-7090001", 6.5, 1)]
    hosts = {urlsplit(u).hostname for u in requested}
    assert hosts == {"www.gov.cn"}, requested
    assert not any("content_7000001" in u for u in requested)  # older than the window: not fetched
    assert "http://www.gov.cn/yaowen/liebiao/home.htm" in requested  # the feed failed: HTML fallback

"""The sandbox served for real: proxy and Host routing, encodings, faults, phases, control, gov.cn."""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urljoin

import pytest

from monitor.clock import SHANGHAI
from monitor.extract.page import Page
from monitor.sandbox import Sandbox, load_fleet

AUDIT = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
DECAY = AUDIT + timedelta(days=21)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def sandbox():
    fleet = load_fleet()
    fleet.scenario["timeout_sleep"] = 1.0
    sb = Sandbox(fleet=fleet, now=AUDIT)
    sb.start()
    yield sb
    sb.stop()


def fetch(sb, url, timeout=10, method="GET"):
    """``(status, headers, body)`` through the sandbox as an HTTP proxy (urllib, no redirects)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": sb.url}), _NoRedirect)
    req = urllib.request.Request(url, method=method)
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


def host_fetch(sb, host, path="/"):
    """A plain request routed by its Host header."""
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def control(sb, path):
    status, _, body = fetch(sb, f"http://sandbox.control{path}")
    assert status == 200, body
    return json.loads(body)


def test_proxy_request_serves_homepage(sandbox):
    status, headers, body = fetch(sandbox, "http://www.henan.gov.cn/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    text = body.decode("utf-8")
    assert '<meta name="SiteIDCode" content="4100000011">' in text
    assert "网站标识码：4100000011" in text and "ICP备" in text
    assert 15_000 < len(body) < 60_000


def test_host_header_routing_with_and_without_www(sandbox):
    status, _, body = host_fetch(sandbox, "www.kaifeng.gov.cn")
    assert status == 200 and "开封市人民政府" in body.decode()
    status2, _, body2 = host_fetch(sandbox, "kaifeng.gov.cn:80")
    assert status2 == 200 and body2 == body


def test_gbk_portal_bytes(sandbox):
    status, headers, body = fetch(sandbox, "http://www.pds.gov.cn/")
    assert status == 200
    assert "charset" not in headers["Content-Type"]
    assert b'<meta charset="gb2312">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert "平顶山市人民政府" in text and re.search(r"\d{4}年\d{2}月\d{2}日", text)
    assert "平顶山市人民政府" in Page.from_bytes(body, now=AUDIT).html


def test_utf8_bom_homepage(sandbox):
    _, headers, body = fetch(sandbox, "http://www.hbsjz.gov.cn/")
    assert body.startswith(b"\xef\xbb\xbf") and "charset" not in headers["Content-Type"]
    assert "石家庄市人民政府" in Page.from_bytes(body).html


@pytest.mark.parametrize("url", ["http://www.nowhere.gov.cn/", "http://unknown.example/survey.html",
                                 "http://www.xtqd.gov.cn/"])
def test_unknown_hosts_answer_squid_dns_failure(sandbox, url):
    status, headers, body = fetch(sandbox, url)
    assert status == 503 and headers["X-Squid-Error"] == "ERR_DNS_FAIL 0"
    assert headers["Server"].startswith("squid")


@pytest.mark.parametrize("url", ["http://www.hnzwfw.gov.cn/", "http://external.example/survey.html",
                                 "http://beian.miit.gov.cn/", "http://www.people.com.cn/", "http://www.xpj8888.example/x/"])
def test_sites_outside_the_fleet_that_homepages_link_answer(sandbox, url):
    """政务服务网, the ICP filing system, central media and a link farm's hosts are live (a dead-link
    check of a healthy homepage finds nothing dead)."""
    status, headers, body = fetch(sandbox, url)
    assert status == 200 and "X-Squid-Error" not in headers and b"<title>" in body


def test_refused_and_blocked_and_redirect(sandbox):
    status, headers, _ = fetch(sandbox, "http://www.hengshui.gov.cn/")
    assert status == 503 and headers["X-Squid-Error"] == "ERR_CONNECT_FAIL 111"
    status, headers, body = fetch(sandbox, "http://www.xingtai.gov.cn/")
    assert status == 412 and b"$_ts" in body and "Set-Cookie" in headers
    status, headers, body = fetch(sandbox, "http://www.bd.gov.cn/")
    assert status == 521 and b"document.cookie" in body and "__jsluid" in headers["Set-Cookie"]
    status, headers, _ = fetch(sandbox, "http://www.chengde.gov.cn/")
    assert status == 302 and headers["Location"] == "http://cd.hebei.gov.cn/"
    status, _, body = fetch(sandbox, "http://cd.hebei.gov.cn/")
    assert status == 200 and "承德" in body.decode()


def test_reset_closes_without_response(sandbox):
    with pytest.raises((urllib.error.URLError, http.client.RemoteDisconnected, ConnectionError)):
        fetch(sandbox, "http://www.zjk.gov.cn/")
    assert ("GET", "http://www.zjk.gov.cn/", 0) in sandbox.requests


def test_too_large_announces_60_mb(sandbox):
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    try:
        conn.request("GET", "http://www.lf.gov.cn/")
        r = conn.getresponse()
        assert r.status == 200 and int(r.headers["Content-Length"]) == 62914560
        first = r.read(1000)
        assert len(first) == 1000
    finally:
        conn.close()


def test_timeout_answers_squid_read_timeout_after_sleep(sandbox):
    t0 = time.monotonic()
    status, headers, _ = fetch(sandbox, "http://www.cangzhou.gov.cn/", timeout=10)
    assert time.monotonic() - t0 >= 0.9
    assert status == 504 and headers["X-Squid-Error"] == "ERR_READ_TIMEOUT 0"


def test_timeout_is_cancelled_when_the_client_leaves(sandbox):
    before = len(sandbox.requests)
    with pytest.raises((urllib.error.URLError, TimeoutError, OSError)):
        fetch(sandbox, "http://www.cangzhou.gov.cn/index.html", timeout=0.2)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and ("GET", "http://www.cangzhou.gov.cn/index.html", 0) not in sandbox.requests[before:]:
        time.sleep(0.05)
    assert ("GET", "http://www.cangzhou.gov.cn/index.html", 0) in sandbox.requests[before:]


@pytest.mark.slow
def test_slow_portal_waits_two_seconds(sandbox):
    t0 = time.monotonic()
    status, _, _ = fetch(sandbox, "http://www.xuchang.gov.cn/")
    assert status == 200 and 1.9 <= time.monotonic() - t0 < 8


def test_flapping_portal_fails_exactly_its_requests(sandbox):
    control(sandbox, "/reset")
    outcomes = []
    for _ in range(30):
        try:
            outcomes.append(fetch(sandbox, "http://www.nanyang.gov.cn/")[0])
        except (urllib.error.URLError, http.client.RemoteDisconnected, ConnectionError):
            outcomes.append(0)
    assert [i + 1 for i, s in enumerate(outcomes) if s != 200] == [3]  # down for one request only
    assert fetch(sandbox, "http://www.nanyang.gov.cn/xwzx/gzdt/index.html")[0] == 200   # only the homepage flaps


def test_control_endpoints(sandbox):
    health = control(sandbox, "/health")
    assert health["ok"] and health["phase"] == "audit" and health["portals"] == 38
    control(sandbox, "/reset")
    fetch(sandbox, "http://www.henan.gov.cn/")
    log = control(sandbox, "/log")
    assert log == [["GET", "http://www.henan.gov.cn/", 200]]
    status, _, body = host_fetch(sandbox, "www.henan.gov.cn", "/__sandbox__/health")
    assert status == 200 and json.loads(body)["ok"]
    status, _, _ = fetch(sandbox, "http://sandbox.control/phase?set=bogus")
    assert status == 400


def test_connect_is_refused_quickly(sandbox):
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    try:
        conn.request("CONNECT", "zfwzgl.www.gov.cn:443")
        r = conn.getresponse()
        assert r.status == 503 and r.headers["X-Squid-Error"] == "ERR_CONNECT_FAIL 111"
    finally:
        conn.close()


def _links(body: bytes, base: str, page_url: str | None = None) -> list[str]:
    """Absolute same-host links of a page."""
    page = Page.from_bytes(body, url=page_url or base)
    urls = [urljoin(page_url or base, a.get("href", "")) for a in page.tree.iter("a")]
    return [u.split("#")[0] for u in urls if u.startswith(base)]


@pytest.mark.parametrize("host", ["www.henan.gov.cn", "www.zhengzhou.gov.cn", "www.ly.gov.cn", "www.pds.gov.cn",
                                  "www.hd.gov.cn", "www.forestry.gov.cn", "www.puyang.gov.cn", "www.xinji.gov.cn",
                                  "www.xinzheng.gov.cn", "www.xinmi.gov.cn", "www.dengfeng.gov.cn", "www.zd.gov.cn"])
def test_every_same_host_link_on_homepage_and_a_column_resolves(sandbox, host):
    base = f"http://{host}/"
    _, _, home = fetch(sandbox, base)
    links = sorted(set(_links(home, base)))
    assert len(links) >= 5
    for url in links:
        assert fetch(sandbox, url)[0] == 200, url
    column = next(u for u in links if ("/col/" in u or u.endswith(("/", "index.html"))) and u != base
                  and "/hdjl/" not in u)   # a list column, not a message board
    _, _, listing = fetch(sandbox, column)
    hrefs = [urljoin(column, h) for h in re.findall(r'href="([^"]+)"', listing.decode("gbk" if b"gb2312" in listing else "utf-8"))]
    articles = [u for u in hrefs if re.search(r"/(t\d{8}_\d+\.html|art_\d+_\d+\.html|\d+\.shtml)$", u)]
    assert articles and all(fetch(sandbox, u)[0] == 200 for u in articles[:5])


def test_planted_pages_and_files(sandbox):
    """Boards page TRS-style and by 下一页, messages open, guides and attachments are served with their types."""
    _, _, board = fetch(sandbox, "http://www.xinji.gov.cn/hdjl/ldxx/index.html")
    assert b'createPageHTML(2, 0, "index", "html")' in board and board.count(b"<tr>") == 21
    assert fetch(sandbox, "http://www.xinji.gov.cn/hdjl/ldxx/index_1.html")[0] == 200
    assert fetch(sandbox, "http://www.xinji.gov.cn/hdjl/ldxx/index_2.html")[0] == 404
    _, _, board = fetch(sandbox, "http://www.xinzheng.gov.cn/hdjl/ly/index.html")
    assert b'<a href="list_2.html">\xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5</a>' in board   # 下一页
    message = re.search(rb'href="(/hdjl/ly/content_\d+\.html)"', board).group(1).decode()
    assert fetch(sandbox, f"http://www.xinzheng.gov.cn{message}")[0] == 200
    _, headers, guide = fetch(sandbox, "http://www.xinzheng.gov.cn/bszn/gtgsh.shtml")
    assert headers["Content-Type"] == "text/html; charset=utf-8" and "新郑市政务服务中心".encode() in guide
    _, _, home = fetch(sandbox, "http://www.xingyang.gov.cn/")
    article = re.search(rb'href="(/tzgg/\d{6}/\d+\.shtml)"[^>]*>2026\xe5\xb9\xb4', home).group(1).decode()
    _, _, page = fetch(sandbox, f"http://www.xingyang.gov.cn{article}")
    csv_url = re.search(rb'href="(/uploadfile/\d{6}/\d+_0\.csv)"', page).group(1).decode()
    status, headers, data = fetch(sandbox, f"http://www.xingyang.gov.cn{csv_url}")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8" and data.startswith(b"\xef\xbb\xbf")
    assert fetch(sandbox, "http://www.xingyang.gov.cn/uploadfile/202611/1_0.csv")[0] == 404


def test_list_page_shapes(sandbox):
    _, _, trs = fetch(sandbox, "http://www.kaifeng.gov.cn/zwgk/tzgg/index.html")
    assert re.search(rb'createPageHTML\(\d+, 0, "index", "html"\)', trs)
    assert fetch(sandbox, "http://www.kaifeng.gov.cn/xwzx/gzdt/index_1.html")[0] == 200
    assert fetch(sandbox, "http://www.kaifeng.gov.cn/xwzx/gzdt/index_99.html")[0] == 404
    fleet = sandbox.fleet
    col = fleet.portals["henan-zhengzhou"].column("gzdt")
    _, _, hanweb = fetch(sandbox, f"http://www.zhengzhou.gov.cn{col.path}")
    assert b'<script type="text/xml"><datastore>' in hanweb and b"<record><![CDATA[" in hanweb
    _, headers, xml = fetch(sandbox, f"http://www.zhengzhou.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=21"
                                     f"&endrecord=40&perpage=20&columnid={col.colid}")
    assert headers["Content-Type"].startswith("text/xml") and xml.count(b"<record>") == 20
    _, _, plain = fetch(sandbox, "http://www.hd.gov.cn/gzdt/list_2.html")
    assert b'<ul class="list">' in plain
    _, _, table = fetch(sandbox, "http://www.puyang.gov.cn/tzgg/")
    assert b"<table" in table and re.search(rb"<td class=\"d\">\d{4}-\d{2}-\d{2}</td>", table)


@pytest.mark.slow
def test_homepage_element_resources(sandbox):
    _, headers, js = fetch(sandbox, "http://www.puyang.gov.cn/js/footer.js")
    assert "javascript" in headers["Content-Type"] and b'sitecode="4109000026"' in js
    _, _, frame = fetch(sandbox, "http://www.xuchang.gov.cn/include/foot.html")
    assert b'id="_jiucuo_" sitecode="4110000030"' in frame
    _, _, home = fetch(sandbox, "http://www.luohe.gov.cn/")
    assert b"jiucuo" not in home and b"4111000033" not in home and b"fromCharCode" in home
    _, _, smx = fetch(sandbox, "http://www.smx.gov.cn/")
    live = re.sub(rb"<!--.*?-->", b"", smx, flags=re.S)
    assert b"_jiucuo_" in smx and b"_jiucuo_" not in live


def test_migrations(sandbox):
    status, headers, _ = fetch(sandbox, "http://www.kaifengxian.gov.cn/")
    assert status == 301 and headers["Location"] == "http://www.kfxf.gov.cn/"
    status, _, body = fetch(sandbox, "http://www.gaocheng.gov.cn/")
    assert status == 200 and b'href="http://www.sjzgc.gov.cn/"' in body
    assert fetch(sandbox, "http://www.kfxf.gov.cn/")[0] == 200


def test_mock_govcn(sandbox):
    _, headers, raw = fetch(sandbox, "http://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json")
    assert raw.startswith(b"\xef\xbb\xbf") and headers["Content-Type"] == "application/json"
    policy = json.loads(raw.decode("utf-8-sig"))
    _, _, raw2 = fetch(sandbox, "http://www.gov.cn/yaowen/liebiao/YAOWENLIEBIAO.json")
    news = json.loads(raw2)
    assert 30 <= len(policy) + len(news) <= 45
    row = policy[0]
    assert set(row) >= {"TITLE", "URL", "DOCRELPUBTIME"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row["DOCRELPUBTIME"])
    assert re.fullmatch(r"http://www\.gov\.cn/zhengce/content/\d{6}/content_\d+\.htm", row["URL"])
    assert max(r["DOCRELPUBTIME"] for r in policy + news) <= AUDIT.strftime("%Y-%m-%d %H:%M")
    status, _, page = fetch(sandbox, row["URL"])
    text = page.decode()
    stamp = row["DOCRELPUBTIME"]
    assert status == 200 and row["TITLE"] in text
    assert f'<meta name="firstpublishedtime" content="{stamp[:10]}-{stamp[11:]}:00">' in text
    assert f'<div class="pages-date">{stamp}' in text
    _, _, push = fetch(sandbox, "http://www.gov.cn/pushinfo/v150203/index.htm")
    assert push.count(b"<li>") == 10
    _, _, shell = fetch(sandbox, "http://www.gov.cn/zhengce/zuixin/")
    assert row["TITLE"].encode() in shell
    assert fetch(sandbox, "http://www.gov.cn/zhengce/content/209901/content_1.htm")[0] == 404


def _newest_homepage_date(sb, url):
    _, _, body = fetch(sb, url)
    dates = re.findall(r'class="date">\[?(\d{4}-\d{2}-\d{2})', body.decode())
    return max(dates)


def test_phase_switch_changes_the_decaying_portals():
    with Sandbox(now=AUDIT) as sb:
        assert _newest_homepage_date(sb, "http://www.kaifeng.gov.cn/") >= (AUDIT - timedelta(days=4)).strftime("%Y-%m-%d")
        healthy_audit = _newest_homepage_date(sb, "http://www.henan.gov.cn/")
        assert b"_jiucuo_" in fetch(sb, "http://www.zhengzhou.gov.cn/")[2]
        control(sb, f"/phase?set=decay&now={DECAY.isoformat().replace('+', '%2B')}")
        assert control(sb, "/health")["phase"] == "decay"
        assert _newest_homepage_date(sb, "http://www.kaifeng.gov.cn/") <= AUDIT.strftime("%Y-%m-%d")
        assert _newest_homepage_date(sb, "http://www.henan.gov.cn/") > healthy_audit
        assert b"_jiucuo_" not in fetch(sb, "http://www.zhengzhou.gov.cn/")[2]
        assert "国务院文件" not in fetch(sb, "http://www.anyang.gov.cn/")[2].decode()
        assert fetch(sb, "http://www.puyang.gov.cn/")[0] == 503
        # issue 12's findings planted after the audit (at the event, the day before)
        assert b"www.xpj8888.example" in fetch(sb, "http://www.sjzlq.gov.cn/")[2]
        assert fetch(sb, "http://www.dengfeng.gov.cn/ztzl/2024/xczx.shtml")[0] == 404
        assert "新郑市市场监督管理局" in fetch(sb, "http://www.xingyang.gov.cn/bszn/gtgsh.shtml")[2].decode()
        with pytest.raises((urllib.error.URLError, http.client.RemoteDisconnected, ConnectionError)):
            fetch(sb, "http://www.ly.gov.cn/")
        sb.set_phase("audit", AUDIT)
        assert fetch(sb, "http://www.puyang.gov.cn/")[0] == 200
        assert b"www.xpj8888.example" not in fetch(sb, "http://www.sjzlq.gov.cn/")[2]
        assert fetch(sb, "http://www.dengfeng.gov.cn/ztzl/2024/xczx.shtml")[0] == 200
        assert "荥阳市市场监督管理局" in fetch(sb, "http://www.xingyang.gov.cn/bszn/gtgsh.shtml")[2].decode()

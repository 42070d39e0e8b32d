"""The typed path from response to store, offline: spider callbacks and the pipelines on recorded
responses (Scrapy's ``HtmlResponse`` over fixture bytes), settings parsed once and validated."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from monitor.cli import cli
from monitor.config import MonitorSettings, SettingsError
from monitor.crawlrecord import PortalCrawl
from monitor.extract.errorlink import ErrorLink
from monitor.items import DiscoveredColumn, PageItem, PortalDoneItem
from monitor.store import Store
from pipelines.dates import DatesPipeline
from pipelines.elements import ElementsPipeline
from pipelines.portals import PortalCrawlPipeline
from pipelines.reposts import RepostsPipeline
from pipelines.session import CrawlSession
from pipelines.snapshots import SnapshotsPipeline
from spiders.portal import PortalProgress, PortalSpider

FIXTURES = Path(__file__).parent / "fixtures"
HOME = FIXTURES / "homepages" / "footer-script-only.html"  # the entry only in its footer script
FOOT_JS = FIXTURES / "homepages" / "resources" / "xiangtan-foot.js"
LIST = FIXTURES / "dates" / "pages" / "list-trs-span.html"
NOW = "2026-11-29T10:00:00+08:00"
REGISTRY = ("id,name,region,level,url,site_code,status,migrated_to,render\n"
            "hunan-xiangtan,湘潭市人民政府,hunan,city,http://www.xiangtan.gov.cn/,4303000006,active,,static\n")


def make_crawler(tmp_path, extra: dict | None = None):
    registry = tmp_path / "portals.csv"
    registry.write_text(REGISTRY, encoding="utf-8")
    crawler = get_crawler(PortalSpider, {
        "MONITOR_REGISTRY": str(registry), "MONITOR_DB": str(tmp_path / "m.db"), "MONITOR_NOW": NOW,
        "MONITOR_RENDER": "off", "MONITOR_PROGRESS": "0", **(extra or {})})
    crawler.spider = PortalSpider.from_crawler(crawler, portal="hunan-xiangtan")
    return crawler


@pytest.fixture
def crawler(tmp_path):
    return make_crawler(tmp_path)


#: the record test reads the homepage, its footer script and columns: nothing below them
NOTHING_BELOW = {name: "0" for name in ("MONITOR_ARTICLES_PER_PORTAL", "MONITOR_BOARDS_PER_PORTAL",
                                        "MONITOR_GUIDES_PER_PORTAL", "MONITOR_LINK_CHECKS_PER_PORTAL")}


def _response(request: Request, path: Path | None, content_type: str = "text/html") -> TextResponse:
    cls = HtmlResponse if content_type == "text/html" else TextResponse
    body = path.read_bytes() if path is not None else b"var x = 1;"
    return cls(request.url, body=body, headers={"Content-Type": content_type}, request=request)


def _homepage_request(spider: PortalSpider) -> Request:
    portal = spider.portals[0]
    spider.progress[portal.id] = PortalProgress(portal, spider.max_pages, left=dict(spider.content_budgets))
    return spider._request(portal, portal.url, "homepage", 0)


def test_homepage_callback_asks_for_the_footer_script_and_its_columns_only_on_its_host(crawler):
    spider = crawler.spider
    out = list(spider.parse_page(_response(_homepage_request(spider), HOME)))
    requests = [o for o in out if isinstance(o, Request)]
    [item] = [o for o in out if isinstance(o, PageItem)]
    assert item.kind == "homepage" and item.error is None and item.page is not None
    assert item.error_link == ErrorLink(False, "4303000006", None, None)  # the meta code, no entry
    assert item.policy_column.found and item.policy_column.title == "国务院文件"
    assets = [r.url for r in requests if r.meta["kind"] == "asset"]
    assert "http://www.xiangtan.gov.cn/static/js/foot.js" in assets
    crawled = [r for r in requests if r.meta["kind"] != "linkcheck"]
    assert crawled and all(r.url.startswith("http://www.xiangtan.gov.cn/") for r in crawled)
    checks = [r for r in requests if r.meta["kind"] == "linkcheck"]
    assert checks and all(r.method == "HEAD" for r in checks)  # liveness only, never read
    assert all(r.meta["dont_obey_robotstxt"] for r in checks if not r.url.startswith("http://www.xiangtan.gov.cn/"))
    columns = spider.progress["hunan-xiangtan"].columns
    assert all(isinstance(c, DiscoveredColumn) for c in columns.values())
    assert not any(isinstance(o, PortalDoneItem) for o in out)  # its requests are in flight


def test_pipelines_build_one_record_and_store_it(tmp_path):
    crawler = make_crawler(tmp_path, NOTHING_BELOW)
    spider = crawler.spider
    session = CrawlSession.of(crawler)
    pipelines = [DatesPipeline(), ElementsPipeline(), RepostsPipeline.from_crawler(crawler),
                 PortalCrawlPipeline.from_crawler(crawler), SnapshotsPipeline.from_crawler(crawler)]
    for p in pipelines:
        getattr(p, "open_spider", lambda: None)()
    assert session.store is not None  # one store, opened once for every pipeline

    def run(obj):
        for p in pipelines:
            obj = p.process_item(obj)
        return obj

    home_out = list(spider.parse_page(_response(_homepage_request(spider), HOME)))
    follow = [o for o in home_out if isinstance(o, Request)]
    for o in home_out:
        if not isinstance(o, Request):
            run(o)
    done = None
    for request in follow:
        if request.meta["kind"] == "asset":
            body = FOOT_JS if request.url.endswith("/foot.js") else None
            response = _response(request, body, "application/javascript; charset=gbk")
        else:
            response = _response(request, LIST)
        for o in spider.parse_page(response):
            if isinstance(o, (PageItem, PortalDoneItem)):
                o = run(o)
            if isinstance(o, PortalDoneItem):
                done = o
    assert done is not None and isinstance(done.record, PortalCrawl)
    record = done.record
    assert record.outcome == "fetched"
    assert record.error_link.found and record.error_link.site_code == "4303000006"
    assert record.error_link.via == "http://www.xiangtan.gov.cn/static/js/foot.js"
    assert record.homepage.entries > 0 and record.columns

    for p in pipelines:
        getattr(p, "close_spider", lambda: None)()
    crawler.stats.set_value("finish_reason", "finished")
    session.close(spider, "finished")
    with Store(session.settings.db) as store:
        [row] = store.query("select * from portal_crawls")
        assert json.loads(row["error_link"])["via"] == "http://www.xiangtan.gov.cn/static/js/foot.js"
        assert row["columns_fetched"] == len(record.columns)
        crawl = store.crawl(session.crawl_id)
        assert crawl["status"] == "finished" and json.loads(crawl["progress"])["done"] == 1
        rules = {v["rule"]: v["level"] for v in store.query("select rule, level from verdicts")}
        assert rules["error_link"] == "ok" and rules["policy_column"] == "ok"  # judged on close


def test_settings_are_parsed_once_typed_and_checked():
    ms = MonitorSettings.load({"MONITOR_MAX_PAGES_PER_PORTAL": "12", "MONITOR_REACHABLE_FAIL_SHARE": "5%"},
                              environ={"MONITOR_RENDER": "0", "MONITOR_MAX_PAGES_PER_PORTAL": "99"})
    assert ms.max_pages_per_portal == 12  # -s beats the environment
    assert ms.reachable_fail_share == 0.05 and ms.render == "off"
    assert ms.get("MONITOR_MAX_PAGES_PER_PORTAL") == 12
    with pytest.raises(SettingsError, match="^MONITOR_MAX_PAGES_PER_PORTAL: cannot read 'abc'"):
        MonitorSettings.load({"MONITOR_MAX_PAGES_PER_PORTAL": "abc"}, environ={})
    with pytest.raises(SettingsError, match="MONITOR_REPOST_THRESHOLD: '1.5' is above the maximum"):
        MonitorSettings.load({"MONITOR_REPOST_THRESHOLD": "1.5"}, environ={})
    with pytest.raises(SettingsError, match="MONITOR_NOW"):
        MonitorSettings.load({"MONITOR_NOW": "yesterday"}, environ={})


def test_the_old_repost_window_name_still_works_with_a_warning(caplog):
    """MONITOR_REPOSTS_WINDOW_DAYS (the rule's old name) used to change only the verdict, while
    matching read MONITOR_REPOST_WINDOW_DAYS; both now set the one window, the old with a warning."""
    with caplog.at_level(logging.WARNING, logger="monitor.config"):
        ms = MonitorSettings.load({}, environ={"MONITOR_REPOSTS_WINDOW_DAYS": "14"})
    assert ms.repost_window_days == 14
    assert "MONITOR_REPOSTS_WINDOW_DAYS is deprecated: use MONITOR_REPOST_WINDOW_DAYS" in caplog.text
    from monitor.rules import build_rules
    assert build_rules(ms)["reposts_24h"].window_days == 14
    both = MonitorSettings.load({"MONITOR_REPOST_WINDOW_DAYS": "20"}, environ={"MONITOR_REPOSTS_WINDOW_DAYS": "14"})
    assert both.repost_window_days == 20


def test_a_bad_setting_stops_the_crawl_before_any_request(run_crawl, tmp_path):
    result = run_crawl("crawl", "portal", "-a", "region=henan", "-s", "MONITOR_MAX_PAGES_PER_PORTAL=lots",
                       MONITOR_DB=str(tmp_path / "m.db"))
    assert result.returncode == 2
    assert "MONITOR_MAX_PAGES_PER_PORTAL: cannot read 'lots'" in result.stderr
    assert "Traceback" not in result.stderr


def test_monitor_crawls_shows_a_running_crawls_progress(tmp_path):
    db = tmp_path / "m.db"
    with Store(db) as store:
        crawl_id = store.begin_crawl("portal", "region=all")
        store.heartbeat(crawl_id, {"unit": "portals", "done": 12, "total": 92, "pages": 340,
                                   "failures": 5, "elapsed_s": 60, "eta_s": 400})
    result = CliRunner().invoke(cli, ["crawls", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["status"] == "running"
    assert row["progress"].startswith("12/92 portals, 340 pages, 5 failures, ETA 6m40s")


def test_settings_documentation_is_current():
    from monitor.config import settings_markdown
    doc = Path(__file__).resolve().parent.parent / "docs" / "SETTINGS.md"
    assert doc.read_text(encoding="utf-8") == settings_markdown(), "regenerate docs/SETTINGS.md"

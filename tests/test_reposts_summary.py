"""The repost job and ``monitor reposts`` on a small store filled through the store functions."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.registry import Portal
from monitor.reposts import match_window, summarize
from monitor.store import Store, stable_id
from monitor.store.reposts import upsert_releases

NOW = "2026-11-29T12:00:00+08:00"
SEEN = "2026-11-28T00:00:00+00:00"
R1 = "https://www.gov.cn/zhengce/content/202611/content_7090001.htm"
R2 = "https://www.gov.cn/zhengce/content/202611/content_7090002.htm"
R3 = "https://www.gov.cn/zhengce/content/202610/content_7080003.htm"


def _portal(pid, region, status="active"):
    return Portal(pid, f"{pid} 人民政府", region, "province", f"https://www.{pid}.gov.cn/", None, status, None, "auto")


def _entry(portal_id, title, published, url=None):
    return {"id": stable_id(portal_id, url or title), "portal_id": portal_id, "column_url": "x",
            "url": url or f"https://www.{portal_id}.gov.cn/{abs(hash(title))}.html", "title": title,
            "published": published, "first_seen": SEEN, "last_seen": SEEN, "first_crawl_id": "c1"}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "m.db"
    with Store(path) as store:
        store.sync_portals([_portal("pa", "henan"), _portal("pb", "hebei"), _portal("pc", "henan"),
                            _portal("pd", "henan", "closed")])
        upsert_releases(store, [
            {"id": "govcn-7090001", "title": "国务院关于进一步优化营商环境降低制度性交易成本的意见", "url": R1,
             "published": "2026-11-20T10:00:00+08:00", "category": "最新政策", "source": None},
            {"id": "govcn-7090002", "title": "国务院办公厅关于加快发展银发经济增进老年人福祉的通知", "url": R2,
             "published": "2026-11-22T09:00:00+08:00", "category": "最新政策", "source": None},
            {"id": "govcn-7080003", "title": "国务院关于推进城市更新行动的意见", "url": R3,
             "published": "2026-10-01T09:00:00+08:00", "category": "最新政策", "source": None},
        ])
        for row in [
            _entry("pa", "【国务院】国务院关于进一步优化营商环境降低制度性交易成本的意见（全文）",
                   "2026-11-20T15:00:00+08:00"),
            _entry("pa", "国务院办公厅关于加快发展银发经济增进老年人福祉的通知", "2026-11-24"),
            _entry("pb", "重要文件", "2026-11-22T12:00:00+08:00", url=R1.replace("https://", "http://")),
            _entry("pc", "国务院办公厅关于进一步优化营商环境降低制度性交易成本的意见", "2026-11-20T12:00:00+08:00"),
            _entry("pc", "我市召开常务会议", "2026-11-21T09:00:00+08:00"),
            _entry("pd", "国务院关于进一步优化营商环境降低制度性交易成本的意见", "2026-11-20T11:00:00+08:00"),
        ]:
            store.add("entries", row)
    return path


def test_match_window_and_summary(db):
    now = datetime.fromisoformat(NOW)
    with Store(db) as store:
        counts = match_window(store, since=date(2026, 11, 1), now=now)
        reposts = {r["portal_id"]: r for r in store.query("select * from reposts where portal_id != 'pa'")}
        pa = store.query("select * from reposts where portal_id = 'pa' order by release_id")
        summary = summarize(store, since=date(2026, 11, 1), now=now)
        again = match_window(store, since=date(2026, 11, 1), now=now)
    assert counts["matched"] == 4 and again["matched"] == 4
    assert [(r["release_id"], r["lag_hours"], r["within_24h"]) for r in pa] == [
        ("govcn-7090001", 5.0, 1), ("govcn-7090002", None, 0)]
    assert reposts["pb"]["release_id"] == "govcn-7090001" and reposts["pb"]["lag_hours"] == 50.0
    assert reposts["pb"]["within_24h"] == 0 and "pc" not in reposts  # 国务院办公厅 is another issuer
    by = {r["portal_id"]: r for r in summary["portals"]}
    assert set(by) == {"pa", "pb", "pc"}  # pd is closed
    assert {k: by["pa"][k] for k in ("releases", "reposted", "within_24h", "median_lag_hours")} == \
        {"releases": 2, "reposted": 2, "within_24h": 1, "median_lag_hours": 5.0}
    assert (by["pb"]["reposted"], by["pb"]["within_24h"], by["pb"]["median_lag_hours"]) == (1, 0, 50.0)
    assert (by["pc"]["reposted"], by["pc"]["median_lag_hours"]) == (0, None)
    assert summary["national"] == {"portals": 3, "portals_within_24h": 1, "share_within_24h": 0.3333}
    assert summary["window"]["releases"] == 2


def _cli(args, db):
    return CliRunner().invoke(cli, ["reposts", "--db", str(db), *args], env={"MONITOR_NOW": NOW})


def test_cli_formats_and_filters(db):
    empty = _cli(["--since", "2026-11-01", "--format", "json"], db)
    assert empty.exit_code == 0, empty.output
    assert all(r["reposted"] == 0 for r in json.loads(empty.stdout)["portals"])  # nothing matched yet
    result = _cli(["--since", "2026-11-01", "--format", "json", "--rematch"], db)
    data = json.loads(result.stdout)
    assert data["national"]["share_within_24h"] == 0.3333
    assert [r["portal_id"] for r in data["portals"]] == ["pb", "pa", "pc"]  # by region, then id

    henan = json.loads(_cli(["--since", "2026-11-01", "--format", "json", "--region", "henan"], db).stdout)
    assert [r["portal_id"] for r in henan["portals"]] == ["pa", "pc"]
    assert henan["national"] == {"portals": 2, "portals_within_24h": 1, "share_within_24h": 0.5}
    one = json.loads(_cli(["--since", "2026-11-01", "--format", "json", "--portal", "pb"], db).stdout)
    assert [r["portal_id"] for r in one["portals"]] == ["pb"]

    out = _cli(["--since", "2026-11-01", "--format", "csv"], db)
    assert out.stdout.startswith("\ufeffportal_id,name,region,releases,reposted,within_24h,median_lag_hours")
    rows = list(csv.DictReader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    assert rows[1]["portal_id"] == "pa" and rows[1]["median_lag_hours"] == "5.0"
    assert rows[2]["median_lag_hours"] == ""

    table = _cli(["--since", "2026-11-01"], db)
    assert "pa 人民政府" in table.stdout
    assert "national: 1 of 3 portals reposted within 24 h (33.3%)" in table.stdout

    # default window: 30 days before MONITOR_NOW (from 2026-10-30), so R3 (10-01) is out
    default = json.loads(_cli(["--format", "json"], db).stdout)
    assert default["window"]["since"] == "2026-10-30" and default["window"]["releases"] == 2


def test_cli_errors(db, tmp_path):
    assert _cli(["--since", "yesterday"], db).exit_code == 2
    assert _cli(["--portal", "pa", "--region", "henan"], db).exit_code == 2
    missing = CliRunner().invoke(cli, ["reposts", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no such database" in missing.stderr

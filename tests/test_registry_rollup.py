"""Level and parent in what the store reports: ``monitor summary`` and ``monitor regressions`` filter
and roll up by region, level and parent (parents from the registry while the store has none)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.hierarchy import FilterError, narrow, portal_info, rollup
from monitor.registry import load_registry
from monitor.store import Store

HEADER = "id,name,region,level,url,site_code,status,migrated_to,render,parent\n"
ROWS = (
    "henan,河南省人民政府,henan,province,https://www.henan.gov.cn/,,active,,,\n"
    "henan-zhengzhou,郑州市人民政府,henan,city,https://www.zhengzhou.gov.cn/,,active,,,henan\n"
    "henan-zhengzhou-xinzheng,新郑市人民政府,henan,county,http://www.xinzheng.gov.cn/,,active,,,henan-zhengzhou\n"
    "henan-zhengzhou-xingyang,荥阳市人民政府,henan,county,http://www.xingyang.gov.cn/,,active,,,henan-zhengzhou\n"
    "henan-kaifeng,开封市人民政府,henan,city,http://www.kaifeng.gov.cn/,,active,,,henan\n"
    "hebei,河北省人民政府,hebei,province,https://www.hebei.gov.cn/,,active,,,\n"
)
FAILING = {"henan-zhengzhou-xinzheng": ["homepage_fresh", "error_link"], "henan-zhengzhou-xingyang": ["error_link"],
           "henan-kaifeng": ["reachable"]}


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A registry with parents and a store with two finished crawls: all pass, then some fail."""
    registry = tmp_path / "portals.csv"
    registry.write_text(HEADER + ROWS, encoding="utf-8")
    monkeypatch.setenv("MONITOR_REGISTRY", str(registry))
    monkeypatch.setenv("MONITOR_NOW", "2026-11-21T12:00:00+08:00")
    reg = load_registry(registry)
    db = tmp_path / "m.db"
    crawls = []
    with Store(db) as store:
        store.sync_portals(reg.portals)
        for n, at in enumerate(("2026-11-10T10:00:00+08:00", "2026-11-20T10:00:00+08:00")):
            cid = store.begin_crawl("portal", "region=all", now=at)
            crawls.append(cid)
            for p in reg.portals:
                fails = FAILING.get(p.id, []) if n else []
                store.add("portal_crawls", {"crawl_id": cid, "portal_id": p.id,
                                            "outcome": "failed" if "reachable" in fails else "fetched",
                                            "columns_fetched": 0, "columns_discovered": 0, "error_link": json.dumps(
                                                {"found": "error_link" not in fails})})
                for rule in ("reachable", "homepage_fresh", "columns_fresh", "error_link"):
                    passed = rule not in fails
                    store.add("verdicts", {"crawl_id": cid, "portal_id": p.id, "rule": rule, "passed": int(passed),
                                           "level": "ok" if passed else "fail", "value": json.dumps(n),
                                           "evidence": "{}", "at": at})
            store.finish_crawl(cid, "finished", {"portals": len(reg.portals)})
    return db, crawls[-1]


def run(*args):
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return res


def test_summary_rows_carry_level_and_parent_and_filter_by_them(world):
    db, latest = world
    res = run("summary", "--db", str(db), "--crawl", latest, "--format", "json", "--parent", "henan-zhengzhou", "--level", "county")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [(r["portal"], r["level"], r["parent"]) for r in rows] == [
        ("henan-zhengzhou-xingyang", "county", "henan-zhengzhou"), ("henan-zhengzhou-xinzheng", "county", "henan-zhengzhou")]
    assert list(rows[0])[:5] == ["portal", "name", "region", "level", "parent"]


def test_summary_rolls_up_by_level_and_parent(world):
    db, latest = world
    by_level = json.loads(run("summary", "--db", str(db), "--crawl", latest, "--format", "json", "--by", "level").stdout)
    assert [(r["level"], r["portals"], r["fetched"], r["failed"], r["no_jiucuo"]) for r in by_level] == [
        ("province", 2, 2, 0, 0), ("city", 2, 1, 1, 0), ("county", 2, 2, 0, 2)]
    by_parent = json.loads(run("summary", "--db", str(db), "--crawl", latest, "--format", "json", "--by", "parent",
                               "--region", "henan").stdout)
    assert [(r["parent"], r["portals"]) for r in by_parent] == [("henan", 2), ("henan-zhengzhou", 2), ("(none)", 1)]


def test_regressions_by_parent_and_level(world):
    world = world[0]
    res = run("regressions", "--db", str(world), "--format", "json", "--parent", "henan-zhengzhou")
    rows = json.loads(res.stdout)
    assert sorted((r["portal_id"], r["check"], r["level"], r["parent"]) for r in rows) == [
        ("henan-zhengzhou-xingyang", "error_link", "county", "henan-zhengzhou"),
        ("henan-zhengzhou-xinzheng", "error_link", "county", "henan-zhengzhou"),
        ("henan-zhengzhou-xinzheng", "homepage_fresh", "county", "henan-zhengzhou")]
    rolled = json.loads(run("regressions", "--db", str(world), "--format", "json", "--by", "parent").stdout)
    by = {r["parent"]: r for r in rolled}
    assert (by["henan-zhengzhou"]["portals"], by["henan-zhengzhou"]["regressions"],
            by["henan-zhengzhou"]["error_link"], by["henan-zhengzhou"]["homepage_fresh"]) == (2, 3, 2, 1)
    assert set(by) == {"henan-zhengzhou"}   # 开封's one failed visit is not a reachability regression yet (2 in a row)
    rolled = json.loads(run("regressions", "--db", str(world), "--format", "json", "--by", "level",
                            "--level", "city,county").stdout)
    assert [r["level"] for r in rolled] == ["county"]


def test_unknown_filters_fail_in_one_line(world):
    world = world[0]
    res = run("regressions", "--db", str(world), "--parent", "henan-luoyang")
    assert res.exit_code == 2 and "unknown parent henan-luoyang" in res.output and "henan-zhengzhou" in res.output
    res = run("summary", "--db", str(world), "--level", "town")
    assert res.exit_code == 2 and "unknown level town" in res.output


def test_portal_info_prefers_a_stored_parent_and_rollup_orders_levels():
    stored = [{"id": "a", "name": "甲", "region": "henan", "level": "county", "status": "active", "parent": "b"},
              {"id": "b", "name": "乙", "region": "henan", "level": "city", "status": "active", "parent": None}]
    info = portal_info(stored)
    assert info["a"]["parent"] == "b" and narrow(info, parent="b") == {"a", "b"}
    with pytest.raises(FilterError, match="unknown parent zz; valid: b"):
        narrow(info, parent="zz")
    rows = [{"portal": "a", "level": "county"}, {"portal": "b", "level": "city"}, {"portal": "b", "level": "city"}]
    assert [(r["level"], r["portals"], r["n"]) for r in rollup(rows, "level", {"n": lambda r: True})] == [
        ("city", 1, 2), ("county", 1, 1)]

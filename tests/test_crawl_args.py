"""``scrapy crawl`` refuses a bad selection, registry or database before any request."""

from conftest import run_scrapy

HEADER = "id,name,region,level,url,site_code,status,migrated_to,render\n"


def registry(tmp_path, body):
    path = tmp_path / "portals.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_unknown_region_fails_before_any_request_listing_valid_ones(tmp_path):
    reg = registry(tmp_path, "a,甲,henan,city,http://www.a.gov.cn/,,active,,\n"
                             "b,乙,hebei,city,http://www.b.gov.cn/,,active,,\n")
    db = tmp_path / "m.db"
    proc = run_scrapy("crawl", "portal", "-a", "region=shanxi", MONITOR_REGISTRY=reg, MONITOR_DB=str(db),
                      http_proxy="http://127.0.0.1:9")
    assert proc.returncode != 0
    assert "unknown region shanxi" in proc.stderr and "valid: all, hebei, henan" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Spider opened" not in proc.stderr


def test_unknown_portal_for_probe(tmp_path):
    reg = registry(tmp_path, "a,甲,henan,city,http://www.a.gov.cn/,,active,,\n")
    proc = run_scrapy("crawl", "probe", "-a", "portal=zz", MONITOR_REGISTRY=reg, MONITOR_DB=str(tmp_path / "m.db"))
    assert proc.returncode != 0 and "unknown portal zz" in proc.stderr and "valid: a" in proc.stderr


def test_bad_registry_lists_every_problem(tmp_path):
    reg = registry(tmp_path, "a,甲,henan,city,http://www.a.gov.cn/,123,active,,\n"
                             "a,乙,henan,town,http://www.b.gov.cn/,,active,,\n")
    proc = run_scrapy("crawl", "portal", "-a", "region=all", MONITOR_REGISTRY=reg, MONITOR_DB=str(tmp_path / "m.db"))
    assert proc.returncode != 0
    assert f"{reg}:2: bad site_code" in proc.stderr
    assert f"{reg}:3: unknown level 'town'" in proc.stderr and f"{reg}:3: duplicate id 'a'" in proc.stderr


def test_unwritable_database_path(tmp_path):
    reg = registry(tmp_path, "a,甲,henan,city,http://www.a.gov.cn/,,active,,\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    proc = run_scrapy("crawl", "portal", "-a", "region=all", MONITOR_REGISTRY=reg,
                      MONITOR_DB=str(blocker / "m.db"))
    assert proc.returncode != 0 and "cannot create the directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_level_and_parent_narrow_the_selection_and_unknown_ones_fail_first(tmp_path):
    reg = tmp_path / "portals.csv"
    reg.write_text("id,name,region,level,url,site_code,status,migrated_to,render,parent\n"
                   "henan,河南省人民政府,henan,province,http://www.henan.gov.cn/,,active,,,\n"
                   "henan-zhengzhou,郑州市人民政府,henan,city,http://www.zhengzhou.gov.cn/,,active,,,henan\n",
                   encoding="utf-8")
    db = str(tmp_path / "m.db")
    bad = run_scrapy("crawl", "portal", "-a", "region=henan", "-a", "level=village", MONITOR_REGISTRY=str(reg),
                     MONITOR_DB=db)
    assert bad.returncode == 2 and "village" in bad.stderr and "Traceback" not in bad.stderr
    orphan = run_scrapy("crawl", "portal", "-a", "parent=henan-kaifeng", MONITOR_REGISTRY=str(reg), MONITOR_DB=db)
    assert orphan.returncode == 2 and "henan-kaifeng" in orphan.stderr
    from monitor.config import MonitorSettings
    from monitor.selection import resolve
    ms = MonitorSettings.load({"MONITOR_REGISTRY": str(reg)}, environ={})
    assert [p.id for p in resolve(ms, "henan", level="city").portals] == ["henan-zhengzhou"]
    chosen = resolve(ms, None, parent="henan")
    assert [p.id for p in chosen.portals] == ["henan", "henan-zhengzhou"]
    assert chosen.label == "region=all parent=henan"

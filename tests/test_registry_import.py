"""``monitor registry import`` / ``export``: the national site database's export to and from the registry."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from monitor.cli import cli
from monitor.paths import REGISTRY_CSV
from monitor.registry import load_registry
from monitor.registry_io import import_official, level_of, readable_id, region_of, registry_name

TITLE = "全国政府网站基本信息导出（2026年11月）\n"
HEADER = "序号,网站名称,网站标识码,首页网址,主办单位,网站类型,运行状态\n"
GOOD = [
    "1,河南省人民政府门户网站,4100000011,https://www.henan.gov.cn/,河南省人民政府办公厅,政府门户网站,正常",
    "2,郑州市人民政府门户网站,4101000004,www.zhengzhou.gov.cn,郑州市人民政府办公室,政府门户网站,正常",
    "3,郑州市发展和改革委员会网站,4101000020,http://fgw.zhengzhou.gov.cn/,郑州市发展和改革委员会,部门网站,正常",
    "4,新郑市人民政府,4101840001,http://www.xinzheng.gov.cn/index.html,新郑市人民政府办公室,政府门户网站,运行",
    "5,济源市人民政府门户网站,4190010001,http://www.jiyuan.gov.cn/,济源市人民政府,政府门户网站,正常",
    "6,河南省发展和改革委员会,4100000020,https://fgw.henan.gov.cn/,河南省发展和改革委员会,部门网站,关停",
    "7,中华人民共和国教育部,bm05000001,http://www.moe.gov.cn/,教育部,部门网站,正常",
    "8,新疆生产建设兵团,6600000001,http://www.xjbt.gov.cn/,新疆生产建设兵团办公厅,政府门户网站,正常",
    "9,陕西省人民政府,6100000001,http://www.shaanxi.gov.cn/,陕西省人民政府办公厅,政府门户网站,正常",
    "10,山西省人民政府,1400000001,http://www.shanxi.gov.cn/,山西省人民政府办公厅,政府门户网站,正常",
    "11,中国郑州 金水,4101050001,http://www.zzjs.gov.cn/,郑州市金水区人民政府,政府门户网站,正常",
]


def write(tmp_path, lines, name="export.csv", encoding="utf-8", title=True):
    path = tmp_path / name
    path.write_bytes(((TITLE if title else "") + HEADER + "\n".join(lines) + "\n").encode(encoding))
    return path


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def by_id(rows):
    return {r["id"]: r for r in rows}


def test_derivation_rules():
    assert [region_of(c) for c in ("1100000001", "1400000001", "6100000001", "1500000001", "5400000001",
                                   "6600000001", "bm17000009")] == [
        "beijing", "shanxi", "shaanxi", "neimenggu", "xizang", "bingtuan", "bumen"]
    assert region_of("9900000001") is None
    assert [level_of(c, "portal") for c in ("4100000011", "4101000004", "4101840001", "4190010001")] == [
        "province", "city", "county", "county"]
    assert level_of("4101000020", "department") == "department" and level_of("bm05000001", "portal") == "department"
    assert registry_name("河南省人民政府门户网站", "河南省人民政府办公厅") == "河南省人民政府"
    assert registry_name("中国郑州", "郑州市人民政府办公室") == "郑州市人民政府"
    assert registry_name("郑州市发展和改革委员会网站", "") == "郑州市发展和改革委员会"
    assert readable_id("henan", "city", "http://www.zhengzhou.gov.cn/", "4101000004", False) == "henan-zhengzhou"
    assert readable_id("henan", "department", "http://fgw.zhengzhou.gov.cn/", "", False) == "henan-zhengzhou-fgw"
    assert readable_id("henan", "department", "http://www.zhengzhou.gov.cn/fgw/index.html", "", False) == \
        "henan-zhengzhou-fgw"
    assert readable_id("henan", "department", "https://fgw.henan.gov.cn/", "", False) == "henan-fgw"
    assert readable_id("bumen", "department", "http://www.chinamine-safety.gov.cn/", "", False) == \
        "bumen-chinamine-safety"


def test_gbk_csv_with_a_title_row_imports_with_region_level_parent_and_readable_ids(tmp_path):
    result = import_official(write(tmp_path, GOOD, encoding="gbk"))
    assert result.problems == []
    rows = by_id(result.rows)
    assert list(rows) == ["henan", "henan-zhengzhou", "henan-zhengzhou-fgw", "henan-xinzheng", "henan-jiyuan",
                          "henan-fgw", "bumen-moe", "bingtuan", "shaanxi", "shanxi", "henan-zzjs"]
    assert {k: rows["henan-zhengzhou"][k] for k in ("name", "region", "level", "url", "site_code", "parent")} == {
        "name": "郑州市人民政府", "region": "henan", "level": "city", "url": "http://www.zhengzhou.gov.cn/",
        "site_code": "4101000004", "parent": "henan"}
    assert rows["henan-zhengzhou-fgw"]["level"] == "department"
    assert rows["henan-zhengzhou-fgw"]["parent"] == "henan-zhengzhou"     # its own government
    assert rows["henan-xinzheng"]["parent"] == "henan-zhengzhou"          # county-level city under its city
    assert rows["henan-jiyuan"]["parent"] == "henan"                      # 省直辖: no city 419000, the province
    assert rows["henan-fgw"]["status"] == "closed" and rows["henan-fgw"]["parent"] == "henan"
    assert rows["bumen-moe"]["region"] == "bumen" and rows["bumen-moe"]["parent"] == ""
    assert rows["henan-zzjs"]["name"] == "郑州市金水区人民政府" and rows["henan-zzjs"]["parent"] == "henan-zhengzhou"
    assert result.registry().select(parent="henan-zhengzhou")  # what it writes loads


def test_ids_do_not_depend_on_row_order(tmp_path):
    forward = import_official(write(tmp_path, GOOD, name="a.csv")).rows
    backward = import_official(write(tmp_path, list(reversed(GOOD)), name="b.csv")).rows
    assert sorted((r["id"], r["site_code"], r["parent"]) for r in forward) == \
        sorted((r["id"], r["site_code"], r["parent"]) for r in backward)


def test_rows_sharing_an_id_all_get_their_site_code(tmp_path):
    lines = GOOD[:2] + [
        "3,郑州市教育局,4101000031,http://www.zhengzhou.gov.cn/jyj/,郑州市教育局,部门网站,正常",
        "4,郑州市教育局（旧）,4101000032,http://jyj.zhengzhou.gov.cn/,郑州市教育局,部门网站,正常"]
    ids = [r["id"] for r in import_official(write(tmp_path, lines)).rows]
    assert ids == ["henan", "henan-zhengzhou", "henan-zhengzhou-jyj-4101000031", "henan-zhengzhou-jyj-4101000032"]


def test_every_bad_row_reported_by_line_and_nothing_written(tmp_path):
    bad = GOOD[:3] + [
        "12,坏标识码,41010000,http://www.a.gov.cn/,甲,政府门户网站,正常",                 # 6 bad code
        "13,无省份,9900000001,http://www.b.gov.cn/,乙,政府门户网站,正常",                  # 7 unknown province
        "14,外站,4101000050,http://www.example.com/,丙,政府门户网站,正常",                 # 8 not .gov.cn
        "15,重复码,4101000004,http://www.c.gov.cn/,丁,政府门户网站,正常",                  # 9 duplicate code
        "16,重复站,4101000051,https://zhengzhou.gov.cn/index.htm,戊,政府门户网站,正常",    # 10 same site as 4
        "17,奇怪类型,4101000052,http://www.d.gov.cn/,己,微信公众号,正常",                  # 11 unknown type
        "18,奇怪状态,4101000053,http://www.e.gov.cn/,庚,政府门户网站,维护中",              # 12 unknown status
        "19,无网址,4101000054,,辛,政府门户网站,正常",                                      # 13 no url
        "20,无标识码,,http://www.f.gov.cn/,壬,政府门户网站,正常",                          # 14 no code
        "21,空格网址,4101000055,http://www.g.gov.cn/a b,癸,政府门户网站,正常",             # 15 whitespace
        ",,,,,,",                                                                           # blank: ignored
        "合计,,,,,,"]                                                                       # a totals line
    path = write(tmp_path, bad)
    out = tmp_path / "portals.csv"
    res = run("registry", "import", str(path), "-o", str(out))
    assert res.exit_code == 2 and not out.exists()
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith(str(path))]
    assert [int(ln.split(":")[1]) for ln in lines] == list(range(6, 16))
    text = "\n".join(lines)
    for needle in ("bad 网站标识码 '41010000'", "no province has division code 99", "is not a .gov.cn host",
                   "duplicate 网站标识码 4101000004 (first at line 4)",
                   "duplicate 首页网址 https://zhengzhou.gov.cn/index.htm (the same site as line 4)",
                   "unknown 网站类型 '微信公众号'", "unknown 运行状态 '维护中'", "no 首页网址",
                   "no 网站标识码", "contains whitespace"):
        assert needle in text, needle
    assert "Traceback" not in res.output
    assert "nothing written" in res.stderr.splitlines()[-1]


def test_skip_bad_writes_the_good_rows_and_reports_the_rest(tmp_path):
    path = write(tmp_path, GOOD[:2] + ["3,外站,4101000050,http://www.example.com/,丙,政府门户网站,正常"])
    out = tmp_path / "portals.csv"
    res = run("registry", "import", str(path), "-o", str(out), "--skip-bad")
    assert res.exit_code == 0, res.output
    assert f"{path}:5: bad 首页网址" in res.stderr and "skipped 1 bad row(s)" in res.stderr
    assert [p.id for p in load_registry(out).portals] == ["henan", "henan-zhengzhou"]


def test_migrated_needs_a_new_address_else_closed_with_a_note(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("网站名称,网站标识码,网站首页,主办单位,网站类型,网站状态,迁移后网址\n"
                    "甲县人民政府,4101220001,http://www.jia.gov.cn/,甲县人民政府,政府门户网站,已整合,http://www.yi.gov.cn/\n"
                    "丙县人民政府,4101230001,http://www.bing.gov.cn/,丙县人民政府,政府门户网站,已整合,\n",
                    encoding="utf-8-sig")
    result = import_official(path)
    assert [(r["status"], r["migrated_to"]) for r in result.rows] == [
        ("migrated", "http://www.yi.gov.cn/"), ("closed", "")]
    assert result.notes == [f"{path}:3: 运行状态 已整合 without a 迁移后网址: imported as closed"]


def test_xlsx_rows_are_named_by_sheet_and_row_and_numeric_codes_survive(tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本表由系统导出"])
    sheet = book.create_sheet("网站列表")
    sheet.append(["全国政府网站基本数据库"])
    sheet.append(["网站名称*", "网站标识码（必填）", "首页网址", "主办单位", "网站类型", "运行状态"])
    sheet.append(["河南省人民政府门户网站", 4100000011, "https://www.henan.gov.cn/", "河南省人民政府办公厅",
                  "政府门户网站", "正常"])
    sheet.append(["开封市人民政府", 4102000011.0, "http://www.kaifeng.gov.cn", "开封市人民政府办公室",
                  "政府门户网站", "正常"])
    sheet.append(["坏行", 4102000012, "ftp://www.kf.gov.cn/", "x", "政府门户网站", "正常"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    result = import_official(path)
    assert [(r["id"], r["site_code"], r["parent"]) for r in result.rows] == [
        ("henan", "4100000011", ""), ("henan-kaifeng", "4102000011", "henan")]
    assert result.problems == [f"{path}:网站列表!5: bad 首页网址 'ftp://www.kf.gov.cn/': not an http(s) URL"]
    res = run("registry", "import", str(path), "--sheet", "说明")
    assert res.exit_code == 2 and "no header row" in res.stderr and f"{path}:说明!1" in res.stderr


def test_unreadable_inputs_fail_in_one_line(tmp_path):
    res = run("registry", "import", str(tmp_path / "nope.xlsx"))
    assert res.exit_code == 2 and "no such file" in res.stderr
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    res = run("registry", "import", str(junk))
    assert res.exit_code == 2 and "no header row with 网站标识码 and 首页网址" in res.stderr
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04not a zip")
    res = run("registry", "import", str(fake))
    assert res.exit_code == 2 and "not a readable XLSX workbook" in res.stderr
    assert "Traceback" not in res.output


def test_keep_ids_reuses_the_ids_of_known_sites(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("id,name,region,level,url,site_code,status,migrated_to,render\n"
                   "zz,郑州市人民政府,henan,city,https://zhengzhou.gov.cn/,,active,,static\n"
                   "hn,河南省人民政府,henan,province,https://www.henan.gov.cn/,4100000011,active,,\n",
                   encoding="utf-8")
    out = tmp_path / "new.csv"
    res = run("registry", "import", str(write(tmp_path, GOOD[:3])), "--keep-ids", str(old), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert [(p.id, p.parent) for p in load_registry(out).portals] == [
        ("hn", None), ("zz", "hn"), ("henan-zhengzhou-fgw", "zz")]
    assert "2 id(s) kept" in res.stderr


def test_export_then_import_gives_the_shipped_registry_back(tmp_path):
    out = tmp_path / "official.xlsx"
    assert run("registry", "export", "--registry", str(REGISTRY_CSV), "-o", str(out)).exit_code == 0
    back = tmp_path / "back.csv"
    res = run("registry", "import", str(out), "-o", str(back))
    assert res.exit_code == 0, res.output
    fields = ("id", "name", "region", "level", "url", "site_code", "status", "migrated_to", "render", "parent")
    assert [tuple(getattr(p, f) for f in fields) for p in load_registry(back).portals] == \
        [tuple(getattr(p, f) for f in fields) for p in load_registry(REGISTRY_CSV).portals]


def test_export_csv_on_stdout_uses_the_official_headers():
    res = run("registry", "export", "--registry", str(REGISTRY_CSV))
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0])[:7] == ["网站名称", "网站标识码", "首页网址", "主办单位", "网站类型", "运行状态", "迁移后网址"]
    moe = next(r for r in rows if r["id"] == "bumen-moe")
    assert (moe["网站标识码"], moe["网站类型"], moe["运行状态"]) == ("bm05000001", "部门网站", "正常")


def test_validate_reports_counts_or_every_problem(tmp_path):
    res = run("registry", "validate", str(REGISTRY_CSV))
    assert res.exit_code == 0 and "425 portals in 33 regions" in res.stdout and "city 333" in res.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,region,level,url,site_code,status,migrated_to,render\n"
                   "a,甲,henan,town,http://www.a.gov.cn/,,active,,\n", encoding="utf-8")
    res = run("registry", "validate", str(bad))
    assert res.exit_code == 2 and f"{bad}:2: unknown level 'town'" in res.stderr


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_other_encodings_and_tab_separated(tmp_path, encoding):
    lines = [ln.replace(",", "\t") for ln in GOOD[:2]]
    path = tmp_path / "export.txt"
    path.write_bytes((HEADER.replace(",", "\t") + "\n".join(lines) + "\n").encode(encoding))
    assert [r["id"] for r in import_official(path).rows] == ["henan", "henan-zhengzhou"]

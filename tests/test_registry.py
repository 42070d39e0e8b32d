"""Registry validation: every bad row type reported as FILE:LINE, all at once; the shipped registries load."""

import pytest

from monitor.paths import REGISTRY_CSV, SANDBOX_REGISTRY_CSV
from monitor.registry import RegistryError, SelectionError, canonical_host, load_registry

HEADER = "id,name,region,level,url,site_code,status,migrated_to,render\n"
GOOD = "henan,河南省人民政府,henan,province,https://www.henan.gov.cn/,4100000011,active,,\n"


def write(tmp_path, body, header=HEADER, encoding="utf-8"):
    path = tmp_path / "portals.csv"
    path.write_bytes((header + body).encode(encoding))
    return path


def problems(path, **kw):
    with pytest.raises(RegistryError) as info:
        load_registry(path, **kw)
    return info.value.problems


def test_shipped_registry_covers_every_province_and_departments():
    reg = load_registry(REGISTRY_CSV)
    provinces = [p for p in reg.portals if p.level == "province"]
    assert len(provinces) == 32
    assert {"henan", "shanxi", "shaanxi", "neimenggu", "xizang", "bingtuan"} <= {p.region for p in provinces}
    assert any(p.region == "bumen" for p in reg.portals)
    assert len({p.host for p in reg.portals}) == len(reg.portals)


def test_shipped_registry_has_every_prefecture_under_its_province():
    reg = load_registry(REGISTRY_CSV)
    by_id = reg.by_id()
    cities = [p for p in reg.portals if p.level == "city"]
    assert len(cities) == 333
    assert all(by_id[p.parent].level == "province" and by_id[p.parent].region == p.region for p in cities)
    assert not {p.region for p in cities} & {"beijing", "tianjin", "shanghai", "chongqing", "bumen"}
    assert [p.id for p in reg.select("henan", level="city")][:2] == ["henan-zhengzhou", "henan-kaifeng"]
    assert len(reg.select(parent="henan")) == 18   # the province and its 17 prefecture-level cities


def test_sandbox_registry_loads():
    reg = load_registry(SANDBOX_REGISTRY_CSV)
    assert len(reg.portals) >= 20 and len(reg.regions) >= 2


def test_every_bad_row_type_reported_with_line_numbers(tmp_path):
    body = (GOOD
            + "Bad_ID,x,henan,city,https://www.a.gov.cn/,,active,,\n"             # 3 bad id
            + "henan,dup,henan,city,https://www.b.gov.cn/,,active,,\n"            # 4 duplicate id
            + "c,x,henan,village,https://www.c.gov.cn/,,active,,\n"               # 5 unknown level
            + "d,x,henan,city,https://www.d.gov.cn/,,paused,,\n"                  # 6 unknown status
            + "e,x,henan,city,ftp://www.e.gov.cn/,,active,,\n"                    # 7 not http(s)
            + "f,x,henan,city,https://www.example.com/,,active,,\n"               # 8 not .gov.cn
            + "g,x,henan,city,https://www.g.gov.cn/,41000000,active,,\n"          # 9 bad site code
            + "h,x,henan,city,https://www.h.gov.cn/,,migrated,,\n"                # 10 migrated, no target
            + "i,x,henan,city,https://www.i.gov.cn/,,active,,fancy\n"             # 11 unknown render
            + "j,x,henan,city\n")                                                  # 12 short row
    found = problems(write(tmp_path, body))
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    text = "\n".join(found)
    for needle in ("bad id", "duplicate id 'henan'", "unknown level 'village'", "unknown status 'paused'",
                   "not an http(s) URL", "not a .gov.cn host", "bad site_code", "migrated_to is empty",
                   "unknown render", "expected 9 fields"):
        assert needle in text
    assert all(p.startswith(str(tmp_path / "portals.csv") + ":") for p in found)


def test_allow_hosts_setting_admits_other_hosts(tmp_path):
    path = write(tmp_path, "t,测试,henan,city,http://portal.test/,,active,,\n")
    assert problems(path)
    assert load_registry(path, allow_hosts="test").portals[0].host == "portal.test"


def test_bom_tolerated_and_site_codes(tmp_path):
    path = write(tmp_path, GOOD + "moe,教育部,bumen,department,http://www.moe.gov.cn/,bm05000001,active,,\n",
                 encoding="utf-8-sig")
    reg = load_registry(path)
    assert [p.site_code for p in reg.portals] == ["4100000011", "bm05000001"]
    assert reg.portals[0].render == "auto"


def test_missing_file_missing_columns_and_not_utf8(tmp_path):
    assert "registry file not found" in problems(tmp_path / "nope.csv")[0]
    assert "missing column(s) site_code" in problems(write(tmp_path, "", header="id,name,region,level,url,status,migrated_to,render\n"))[0]
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "a,河南,henan,city,https://www.a.gov.cn/,,active,,\n").encode("gbk"))
    assert "not UTF-8" in problems(path)[0]


def test_selection(tmp_path):
    path = write(tmp_path, GOOD + "hebei,河北省人民政府,hebei,province,https://www.hebei.gov.cn/,,active,,\n")
    reg = load_registry(path)
    assert [p.id for p in reg.select("henan,hebei")] == ["henan", "hebei"]
    assert len(reg.select("all")) == 2
    assert [p.id for p in reg.select(portal="hebei")] == ["hebei"]
    with pytest.raises(SelectionError, match="valid: all, hebei, henan"):
        reg.select("shanxi")
    with pytest.raises(SelectionError, match="unknown portal nope"):
        reg.select(portal="nope")


def test_same_host_with_or_without_www():
    assert canonical_host("https://www.henan.gov.cn/x") == canonical_host("http://henan.gov.cn:80/")


def test_malformed_csv_names_the_line_where_the_record_began(tmp_path):
    path = write(tmp_path, 'a,"甲,henan,city,http://www.a.gov.cn/,,active,,\n' + GOOD)
    found = problems(path)
    assert found == [f"{path}:2: expected 9 fields, found 2 (the record runs to line 3: an unclosed quote?)"]

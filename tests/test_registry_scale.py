"""A national registry (15,000 rows, three levels, parents) loads and validates in one pass, and
every error in it still names its line. The time is measured by ``monitor registry validate``
(README), never asserted here: the machine is shared."""

from __future__ import annotations

import pytest

from monitor.registry import RegistryError, load_registry
from monitor.registry_io import REGION_CODES

HEADER = "id,name,region,level,url,site_code,status,migrated_to,render,parent\n"
REGIONS = sorted(REGION_CODES)


def national(n: int = 15_000) -> list[str]:
    """``n`` rows: every province, then cities (1 in 12) and their counties, round-robin over regions."""
    rows, i = [], 0
    while len(rows) < n:
        region = REGIONS[i % len(REGIONS)]
        k = i // len(REGIONS)
        prov = REGION_CODES[region]
        if k == 0:
            rows.append(f"{region},{region}人民政府,{region},province,https://www.{region}.gov.cn/,{prov}00000001,active,,,")
        elif k % 12 == 1:
            rows.append(f"{region}-c{k},测试{k}市人民政府,{region},city,http://www.{region}c{k}.gov.cn/,"
                        f"{prov}{k % 100:02d}000001,active,,,{region}")
        else:
            city = k - (k - 1) % 12
            rows.append(f"{region}-c{city}-x{k},测试{k}县人民政府,{region},county,http://www.{region}x{k}.gov.cn/,"
                        f"{prov}{city % 100:02d}{k % 100:02d}0001,active,,static,{region}-c{city}")
        i += 1
    return rows


@pytest.fixture(scope="module")
def rows():
    return national()


def test_fifteen_thousand_rows_load_with_their_hierarchy(tmp_path, rows):
    path = tmp_path / "national.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    reg = load_registry(path)
    assert len(reg.portals) == 15_000
    assert reg.levels == ["province", "city", "county"]
    henan = reg.select("henan")
    assert len(reg.select(parent="henan")) == len(henan)
    assert {p.level for p in reg.select("henan", level="county", parent="henan-c13")} == {"county"}
    assert reg.ancestors(henan[-1].id)[-1] == "henan"


def test_errors_deep_in_a_large_file_name_their_lines(tmp_path, rows):
    bad = list(rows)
    bad[7_000] = bad[7_000].replace(",county,", ",village,")                       # line 7002
    bad[11_000] = bad[11_000].replace("http://", "ftp://")                          # line 11002
    bad[14_998] = bad[14_998].rsplit(",", 1)[0] + ",nowhere"                         # line 15000
    bad.append(bad[3].split(",", 1)[0] + ",dup,henan,county,http://www.dup.gov.cn/,,active,,,")  # 15002
    path = tmp_path / "national.csv"
    path.write_text(HEADER + "\n".join(bad) + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    lines = [int(p.split(":")[1]) for p in info.value.problems]
    assert lines == [7002, 11002, 15000, 15002]
    assert all(p.startswith(f"{path}:") for p in info.value.problems)
    assert "unknown parent 'nowhere'" in "\n".join(info.value.problems)

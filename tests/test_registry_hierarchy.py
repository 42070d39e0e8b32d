"""The ``parent`` column and hierarchical selection: ``Registry.select(region, portal, level, parent)``."""

import pytest

from monitor.paths import SANDBOX_REGISTRY_CSV
from monitor.registry import RegistryError, SelectionError, load_registry

HEADER = "id,name,region,level,url,site_code,status,migrated_to,render,parent\n"
ROWS = (
    "henan,河南省人民政府,henan,province,https://www.henan.gov.cn/,,active,,,\n"
    "henan-zhengzhou,郑州市人民政府,henan,city,https://www.zhengzhou.gov.cn/,,active,,,henan\n"
    "henan-zhengzhou-xinzheng,新郑市人民政府,henan,county,http://www.xinzheng.gov.cn/,,active,,,henan-zhengzhou\n"
    "henan-zhengzhou-fgw,郑州市发展和改革委员会,henan,department,http://fgw.zhengzhou.gov.cn/,,active,,,henan-zhengzhou\n"
    "henan-kaifeng,开封市人民政府,henan,city,http://www.kaifeng.gov.cn/,,active,,,henan\n"
    "henan-kaifeng-lankao,兰考县人民政府,henan,county,http://www.lankao.gov.cn/,,active,,,henan-kaifeng\n"
    "henan-jiyuan,济源市人民政府,henan,county,http://www.jiyuan.gov.cn/,,active,,,henan\n"
    "hebei,河北省人民政府,hebei,province,https://www.hebei.gov.cn/,,active,,,\n"
    "hebei-shijiazhuang,石家庄市人民政府,hebei,city,http://www.sjz.gov.cn/,,active,,,hebei\n"
    "bumen-moe,中华人民共和国教育部,bumen,department,http://www.moe.gov.cn/,,active,,,\n"
)


def write(tmp_path, body, header=HEADER, name="portals.csv"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def ids(portals):
    return [p.id for p in portals]


@pytest.fixture
def reg(tmp_path):
    return load_registry(write(tmp_path, ROWS))


def test_region_takes_every_level(reg):
    assert ids(reg.select("henan")) == ["henan", "henan-zhengzhou", "henan-zhengzhou-xinzheng",
                                        "henan-zhengzhou-fgw", "henan-kaifeng", "henan-kaifeng-lankao",
                                        "henan-jiyuan"]
    assert reg.levels == ["province", "city", "county", "department"]


def test_level_narrows_region_and_all(reg):
    assert ids(reg.select("henan", level="city,county")) == [
        "henan-zhengzhou", "henan-zhengzhou-xinzheng", "henan-kaifeng", "henan-kaifeng-lankao", "henan-jiyuan"]
    assert ids(reg.select(level="province")) == ["henan", "hebei"]
    assert ids(reg.select("all", level=" CITY ")) == ["henan-zhengzhou", "henan-kaifeng", "hebei-shijiazhuang"]


def test_parent_is_the_portal_and_everything_below_it(reg):
    assert ids(reg.select(parent="henan-zhengzhou")) == [
        "henan-zhengzhou", "henan-zhengzhou-xinzheng", "henan-zhengzhou-fgw"]
    assert len(reg.select(parent="henan")) == 7          # any depth
    assert ids(reg.select(parent="henan-zhengzhou", level="county")) == ["henan-zhengzhou-xinzheng"]
    assert ids(reg.select(parent="henan-kaifeng,hebei")) == [
        "henan-kaifeng", "henan-kaifeng-lankao", "hebei", "hebei-shijiazhuang"]
    assert ids(reg.select("hebei", parent="hebei")) == ["hebei", "hebei-shijiazhuang"]


def test_portal_list_narrowed_by_level(reg):
    assert ids(reg.select(portal="henan,henan-kaifeng,henan", level="city")) == ["henan-kaifeng"]


def test_hierarchy_helpers(reg):
    assert reg.ancestors("henan-zhengzhou-xinzheng") == ["henan-zhengzhou", "henan"]
    assert reg.children["henan"] == ["henan-zhengzhou", "henan-kaifeng", "henan-jiyuan"]


def test_unknown_names_fail_listing_valid_ones(reg):
    with pytest.raises(SelectionError, match=r"unknown level town; valid: province, city, county, township, department"):
        reg.select("henan", level="city,town")
    with pytest.raises(SelectionError, match=r"unknown parent henan-luoyang .*valid: portals with portals below "
                                             r"them: hebei, henan, henan-kaifeng, henan-zhengzhou$"):
        reg.select(parent="henan-luoyang")
    with pytest.raises(SelectionError, match="unknown region shanxi"):
        reg.select("shanxi", level="city")


def test_empty_intersection_is_an_error_not_a_silent_empty_crawl(reg):
    with pytest.raises(SelectionError, match="no portal in .* matches region=bumen, level=city"):
        reg.select("bumen", level="city")
    with pytest.raises(SelectionError, match="matches region=hebei, parent=henan-zhengzhou"):
        reg.select("hebei", parent="henan-zhengzhou")


def test_long_lists_of_valid_names_are_cut(tmp_path):
    body = "".join(f"p{i},甲{i},henan,city,http://www.p{i}.gov.cn/,,active,,,\n" for i in range(200))
    reg = load_registry(write(tmp_path, body))
    with pytest.raises(SelectionError) as info:
        reg.select(portal="nope")
    assert str(info.value).endswith("… and 160 more") and len(str(info.value)) < 600


def test_files_without_parent_stay_valid_and_parent_selection_says_why(tmp_path):
    path = write(tmp_path, "a,甲,henan,city,http://www.a.gov.cn/,,active,,\n",
                 header="id,name,region,level,url,site_code,status,migrated_to,render\n")
    reg = load_registry(path)
    assert reg.portals[0].parent is None
    with pytest.raises(SelectionError, match="no parent column"):
        reg.select(parent="b")
    sandbox = load_registry(SANDBOX_REGISTRY_CSV)   # the sandbox fleet has no parent column either
    assert {p.parent for p in sandbox.portals} == {None}


def test_parent_problems_name_their_lines(tmp_path):
    body = (ROWS
            + "x1,甲,henan,county,http://www.x1.gov.cn/,,active,,,henan-luoyang\n"        # 12 unknown parent
            + "x2,乙,henan,city,http://www.x2.gov.cn/,,active,,,henan-zhengzhou\n"        # 13 city under a city
            + "x3,丙,henan,county,http://www.x3.gov.cn/,,active,,,henan-zhengzhou-fgw\n"  # 14 under a department
            + "x4,丁,henan,county,http://www.x4.gov.cn/,,active,,,hebei-shijiazhuang\n"   # 15 other region
            + "x5,戊,henan,county,http://www.x5.gov.cn/,,active,,,x5\n"                   # 16 itself
            + "x6,己,henan,department,http://www.x6.gov.cn/,,active,,,x7\n"               # 17 loop x6 -> x7 -> x6
            + "x7,庚,henan,department,http://www.x7.gov.cn/,,active,,,x6\n"
            + "x8,辛,henan,county,http://www.x8.gov.cn/,,active,,,Bad_Parent\n"           # 19 bad id
            + "x9,壬,henan,county,http://www.x9.gov.cn/,,active,,,y9\n"                   # 20 parent row invalid
            + "y9,癸,henan,village,http://www.y9.gov.cn/,,active,,,\n")                   # 21
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, body))
    found = info.value.problems
    path = str(tmp_path / "portals.csv")
    assert found == [
        f"{path}:12: unknown parent 'henan-luoyang'",
        f"{path}:13: parent 'henan-zhengzhou' is a city, not above this city",
        f"{path}:14: parent 'henan-zhengzhou-fgw' is a department; a county portal sits under a government "
        "(province, city, county)",
        f"{path}:15: parent 'hebei-shijiazhuang' is in region hebei, not henan",
        f"{path}:16: parent is the portal itself",
        f"{path}:17: parent chain loops: x6 → x7 → x6",
        f"{path}:19: bad parent 'Bad_Parent' (a portal id: lowercase letters, digits and hyphens)",
        f"{path}:20: unknown parent 'y9' (its row on line 21 is invalid)",
        f"{path}:21: unknown level 'village' (one of province, city, county, township, department)",
    ]


def test_comment_lines_are_skipped_with_line_numbers_kept(tmp_path):
    body = ("# 河南: sources in data/README.md\n" + ROWS.splitlines(keepends=True)[0]
            + '#, "a comment, with commas",\n' + "bad,x,henan,city,ftp://x.gov.cn/,,active,,,\n")
    with pytest.raises(RegistryError) as info:
        load_registry(write(tmp_path, body, header="# the registry\n" + HEADER))
    assert len(info.value.problems) == 1 and ":6: url 'ftp://x.gov.cn/': not an http(s) URL" in info.value.problems[0]

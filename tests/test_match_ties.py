"""Companion releases, light edits, hard negatives and the tie rule (monitor.match.ties)."""

from datetime import datetime

import pytest

from monitor.match import Entry, Matcher, Release

DOC = "国务院关于加快推进数字经济高质量发展的意见"
PLAN = "国务院办公厅关于印发数字政府建设三年行动计划（2026—2028年）的通知"
LAW = "医疗保障基金使用监督管理条例"
FAMILY = [
    Release("doc", DOC, None, datetime(2026, 3, 1, 10)),
    Release("tujie", f"图解：{DOC}", None, datetime(2026, 3, 1, 11)),
    Release("jiedu", f"《{DOC}》政策解读", None, datetime(2026, 3, 1, 11, 30)),
    Release("dawen", f"国家发展改革委负责人就《{DOC}》答记者问", None, datetime(2026, 3, 1, 12)),
    Release("video", f"{DOC}（视频）", None, datetime(2026, 3, 1, 13)),
    Release("shouquan", f"受权发布：{DOC}", None, datetime(2026, 3, 1, 9)),
    Release("plan", PLAN, None, datetime(2026, 2, 1, 17)),
    Release("plan-yitu", "一图读懂《数字政府建设三年行动计划（2026—2028年）》", None, datetime(2026, 2, 1, 19)),
    Release("plan-tujie", f"图解：{PLAN}", None, datetime(2026, 2, 1, 20)),
    Release("law", LAW, None, datetime(2026, 1, 15, 17)),
    Release("twin-a", "国务院关于加快推进城市更新行动的意见", None, datetime(2024, 3, 1, 10)),
    Release("twin-b", "国务院关于全面推进城市更新行动的意见", None, datetime(2025, 6, 1, 10)),
]
WHEN = datetime(2026, 3, 2, 9)


@pytest.fixture(scope="module")
def matcher():
    return Matcher(FAMILY)


def resolve(matcher, title, published=WHEN):
    found = matcher.match_all([Entry("e", "p", title, None, published)], ambiguous=True)
    if not found:
        return None
    return found[0].release_id or ("ambiguous", tuple(sorted(found[0].candidates)))


@pytest.mark.parametrize("title, release", [
    # the document, exactly or lightly edited: the document, never a companion that ties with it
    (DOC, "doc"),
    (f"【转载】{DOC}（全文）", "doc"),
    (f"[转载]{DOC}(附全文)", "doc"),
    (f"【中国政府网】{DOC}", "doc"),
    (f"{DOC}（附政策解读）", "doc"),  # the document, with its interpretation attached
    (f"{DOC}\u3000 ", "doc"),
    (f"{DOC}（国发〔2026〕8号）", "doc"),
    # each companion: the companion, whatever style its label takes on the portal
    (f"图解：{DOC}", "tujie"),
    (f"【图解】{DOC}", "tujie"),
    (f"图解丨{DOC}", "tujie"),
    (f"{DOC}（图解）", "tujie"),
    (f"图 解：{DOC}", "tujie"),  # a stray space inside the label
    (f"{DOC}政策解读", "jiedu"),
    (f"政策解读：{DOC}", "jiedu"),
    (f"【政策解读】{DOC}", "jiedu"),
    (f"国家发展改革委有关负责人就《{DOC}》答记者问—中国政府网", "dawen"),
    (f"【视频】{DOC}", "video"),
    (f"视频：{DOC}", "video"),
    (f"【受权发布】{DOC}", "shouquan"),
    # a companion naming the document by what it issues, or by its title
    ("一图读懂数字政府建设三年行动计划（2026—2028年）", "plan-yitu"),
    (f"【一图读懂】{PLAN}", "plan-yitu"),
    (f"图解｜{PLAN}", "plan-tujie"),
    (PLAN, "plan"),
    # light edits: a modifier dropped or added
    ("国务院关于推进数字经济高质量发展的意见", "doc"),
    ("国务院关于大力加快推进数字经济高质量发展的意见", "doc"),
    (f"《{LAW}》", "law"),
])
def test_documents_and_companions(matcher, title, release):
    assert resolve(matcher, title) == release, title


@pytest.mark.parametrize("title", [
    # a local regulation named like the national one
    f"杭州市{LAW}", f"《浙江省{LAW}》", f"河南省实施《{LAW}》办法", f"重庆市实施《{LAW}》细则",
    "浙江省医疗保障基金使用监督管理实施细则",
    # local documents about the release
    f"关于转发《{DOC}》的通知", f"郑州市人民政府关于转发{DOC}的通知", f"学习贯彻《{DOC}》精神",
    f"河南省人民政府关于贯彻落实{DOC}的实施意见",
    # the same title in another year, another document type, another issuer
    PLAN.replace("2026—2028", "2025—2027"), DOC.replace("意见", "通知"), DOC.replace("国务院", "国务院办公厅"),
    # a companion gov.cn did not publish, or another kind of companion
    f"一图读懂{LAW}", f"{LAW}（视频）",
    "郑州市人民政府关于印发郑州市数字政府建设三年行动计划（2026—2028年）的通知",
    "一图读懂郑州市人民政府关于印发数字政府建设三年行动计划（2026—2028年）的通知",
])
def test_hard_negatives(matcher, title):
    assert resolve(matcher, title) is None, title


def test_a_graphic_under_a_third_label_is_ambiguous(matcher):
    """The plan has two graphics; 一图看懂/图说/【图表】 names neither."""
    for title in (f"一图看懂{PLAN}", f"图说：{PLAN}", f"【图表】{PLAN}"):
        assert resolve(matcher, title) == ("ambiguous", ("plan-tujie", "plan-yitu")), title


def test_a_title_a_modifier_away_from_two_documents_is_ambiguous_unless_one_is_recent(matcher):
    plain = "国务院关于推进城市更新行动的意见"
    assert resolve(matcher, plain, datetime(2026, 3, 2)) == ("ambiguous", ("twin-a", "twin-b"))
    assert resolve(matcher, plain, datetime(2025, 6, 2)) == "twin-b"
    # an entry with one of the two modifiers is that document's
    assert resolve(matcher, "国务院关于加快推进城市更新行动的意见", datetime(2026, 3, 2)) == "twin-a"


def test_exact_equality_with_one_release_never_loses_to_a_tie():
    """Only the companion is a release: an entry without a label may still be it; with the
    document there too, the document wins, in either order of the releases."""
    alone = Matcher([FAMILY[1]])
    assert alone.match(Entry("e", "p", DOC, None, WHEN)).release_id == "tujie"
    for order in (FAMILY[:2], FAMILY[:2][::-1]):
        m = Matcher(order)
        assert m.match(Entry("e", "p", DOC, None, WHEN)).release_id == "doc"
        assert m.match(Entry("e", "p", f"【图解】{DOC}", None, WHEN)).release_id == "tujie"


def test_ambiguous_entries_are_no_match_for_match_and_the_default_match_all(matcher):
    entry = Entry("e", "p", f"一图看懂{PLAN}", None, WHEN)
    assert matcher.match(entry) is None and matcher.match_all([entry]) == []
    [m] = matcher.match_all([entry], ambiguous=True)
    assert m.ambiguous and m.lag_hours is None and m.score == 1.0

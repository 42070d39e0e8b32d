"""The repost matcher: what must match, the near-misses that must not, and the index."""

from datetime import date, datetime

import pytest

from monitor.match import Entry, Match, Matcher, Release
from monitor.match import matcher as matcher_module

URL = "https://www.gov.cn/zhengce/content/202603/content_7012345.htm"
RELEASES = [
    Release("r1", "国务院关于加快推进数字经济高质量发展的意见", URL, datetime(2026, 3, 1, 10)),
    Release("r2", "国务院办公厅关于印发2026年政务公开工作要点的通知", None, datetime(2026, 3, 5, 18)),
    Release("r3", "国务院新闻办公室举行2026年第一季度国民经济运行情况新闻发布会", None, datetime(2026, 4, 16, 9)),
    Release("r4", "李强主持召开国务院常务会议 研究部署推动县域商业体系建设若干措施 审议通过《城市公共交通条例（草案）》",
            None, datetime(2026, 3, 6, 19)),
    Release("r5", "李强主持召开国务院第十二次全体会议 讨论政府工作报告稿", None, datetime(2026, 1, 20, 20)),
    Release("r6", "国务院关于同意芜湖市建设国家跨境电子商务综合试验区的批复", None, datetime(2026, 2, 2, 16)),
    Release("r7", "国务院关于修改和废止部分行政法规的决定", None, datetime(2024, 12, 20, 17)),
    Release("r8", "国务院关于修改和废止部分行政法规的决定", None, datetime(2026, 2, 28, 17)),
    Release("r9", "国务院新闻办公室举行2026年第二季度国民经济运行情况新闻发布会", None, datetime(2026, 7, 15, 9)),
]


@pytest.fixture(scope="module")
def matcher():
    return Matcher(RELEASES)


def one(matcher, title, url=None, published=datetime(2026, 3, 2, 9)):
    return matcher.match(Entry("e", "henan", title, url, published))


@pytest.mark.parametrize("title, release", [
    ("国务院关于加快推进数字经济高质量发展的意见", "r1"),
    ("【国务院】国务院关于加快推进数字经济高质量发展的意见（全文）", "r1"),
    ("转载：國務院關於加快推進數字經濟高質量發展的意見", "r1"),
    ("国务院关于加快推进数字经济高质量发展的意见—中国政府网", "r1"),
    ("国务院关于加快推进数字经济高质…", "r1"),
    ("【权威发布】国务院关于加快推进数字经济...", "r1"),
    ("国务院关于加快推进数字经济高质量发展意见", "r1"),  # a dropped character
    ("重要文件：国务院关于加快推进数字经济高质量发展的意见", "r1"),  # an unknown label
    ("国务院关于加快推进数字经济高质量发展的意见（国发〔2026〕3号）", "r1"),
    ("关于加快推进数字经济高质量发展的意见", "r1"),  # issuer dropped by a 国务院文件 column
    ("国务院办公厅关于印发２０２６年政务公开工作要点的通知", "r2"),
    ("李强主持召开国务院常务会议\u3000研究部署推动县域商业体系建设若干措施 审议通过<城市公共交通条例(草案)>", "r4"),
    ("李强主持召开国务院常务会议", "r4"),  # the main title alone: the latest meeting
    ("[转载]李强主持召开国务院第十二次全体会议 讨论政府工作报告稿", "r5"),
    ("国务院关于推进数字经济高质量发展的意见", "r1"),  # a modifier dropped
    ("国务院关于进一步加快推进数字经济高质量发展的意见", "r1"),  # a modifier added
    ("【中国政府网】国务院关于加快推进数字经济高质量发展的意见(附全文)  ", "r1"),
])
def test_reposts_match(matcher, title, release):
    m = one(matcher, title, published=datetime(2026, 3, 7, 9))
    assert m is not None and m.release_id == release, title
    assert 0.0 < m.score <= 1.0


@pytest.mark.parametrize("title", [
    "国务院办公厅关于加快推进数字经济高质量发展的意见",  # another issuer
    "河南省人民政府关于加快推进数字经济高质量发展的意见",
    "河南省人民政府办公厅关于转发国务院关于加快推进数字经济高质量发展的意见的通知",
    "关于转发《国务院关于加快推进数字经济高质量发展的意见》的通知",
    "河南省人民政府关于贯彻落实国务院关于加快推进数字经济高质量发展的意见的实施意见",
    "郑州市召开会议学习贯彻国务院关于加快推进数字经济高质量发展的意见精神",
    "市政府召开常务会议 传达学习贯彻国务院常务会议精神",
    "一图读懂《国务院关于加快推进数字经济高质量发展的意见》",
    "国务院关于加快推进数字经济高质量发展的通知",  # another document type
    "国务院关于推动数字经济高质量发展的意见",  # another verb
    "国务院关于加快构建数字经济高质量发展的意见",
    "国务院办公厅关于印发2025年政务公开工作要点的通知",  # another year
    "国务院新闻办公室举行2026年第三季度国民经济运行情况新闻发布会",  # another quarter
    "国务院新闻办公室举行2026年前三季度国民经济运行情况新闻发布会",
    "李强主持召开国务院第十三次全体会议 讨论政府工作报告稿",
    "国务院关于同意宜昌市建设国家跨境电子商务综合试验区的批复",  # another city
    "国务院办公厅关于加快推进数字经济…",  # truncated, other issuer
    "郑州市召开2026年安全生产工作会议",
    "国务院文件",  # too short to say
    "图解：国务院关于加快推进数字经济高质量发展的意见",  # a graphic gov.cn did not publish
    "视频丨李强主持召开国务院第十二次全体会议 讨论政府工作报告稿",
    "《国务院关于加快推进数字经济高质量发展的意见》政策解读",
])
def test_near_misses_do_not_match(matcher, title):
    assert one(matcher, title) is None, title


def test_quarterly_press_conferences_are_told_apart(matcher):
    q1 = "国务院新闻办公室举行2026年第一季度国民经济运行情况新闻发布会"
    assert one(matcher, q1).release_id == "r3"
    assert one(matcher, q1.replace("第一", "第二")).release_id == "r9"
    assert one(matcher, q1.replace("第一", "第1")).release_id == "r3"


def test_url_matches_whatever_the_title(matcher):
    for url in (URL, URL.replace("https://www.", "http://"), URL + "?from=singlemessage"):
        m = one(matcher, "查看详情", url)
        assert m == Match("e", "r1", 1.0, 23.0)
    assert one(matcher, "查看详情", "https://www.gov.cn/zhengce/content/202603/content_1.htm") is None


def test_a_link_to_another_govcn_article_is_not_matched_by_title(matcher):
    """The entry reposts that article (a graphic, a document not among the releases)."""
    title = RELEASES[0].title
    assert one(matcher, title, "https://www.gov.cn/zhengce/202603/content_7012399.htm") is None
    assert one(matcher, title, "https://www.henan.gov.cn/art/2026/3/1/art_1_2.html").release_id == "r1"


def test_same_title_goes_to_the_release_before_the_entry(matcher):
    title = "国务院关于修改和废止部分行政法规的决定"
    assert one(matcher, title, published=datetime(2026, 3, 1, 8)).release_id == "r8"
    assert one(matcher, title, published=date(2025, 1, 3)).release_id == "r7"


def test_ambiguous_prefix_needs_a_recent_release(matcher):
    late = one(matcher, "李强主持召开国务院常务会议", published=datetime(2026, 5, 1, 9))
    assert late is not None  # one meeting only: not ambiguous
    m2 = Matcher(RELEASES + [Release("r10", "李强主持召开国务院常务会议 研究部署X工作", None,
                                     datetime(2026, 3, 13, 19))])
    assert m2.match(Entry("e", None, "李强主持召开国务院常务会议", None, datetime(2026, 3, 14, 8))).release_id == "r10"
    assert m2.match(Entry("e", None, "李强主持召开国务院常务会议", None, datetime(2026, 3, 10, 8))).release_id == "r4"
    assert m2.match(Entry("e", None, "李强主持召开国务院常务会议", None, datetime(2026, 5, 1, 8))) is None
    assert m2.match(Entry("e", None, "李强主持召开国务院常务会议", None, None)) is None
    # reported as ambiguous, with the meetings, the latest first
    [late] = m2.match_all([Entry("e", None, "李强主持召开国务院常务会议", None, datetime(2026, 5, 1, 8))],
                          ambiguous=True)
    assert late.ambiguous and late.release_id is None and late.candidates == ("r10", "r4")


def test_lag_hours_and_date_only(matcher):
    m = one(matcher, "国务院关于加快推进数字经济高质量发展的意见", published=datetime(2026, 3, 1, 15, 30))
    assert m.lag_hours == 5.5
    assert one(matcher, "国务院关于加快推进数字经济高质量发展的意见", published=date(2026, 3, 1)).lag_hours is None
    assert one(matcher, "国务院关于加快推进数字经济高质量发展的意见", published=None).lag_hours is None


def test_match_all_keeps_order_and_drops_unmatched(matcher):
    entries = [Entry(f"e{i}", "p", t, None, datetime(2026, 3, 7)) for i, t in enumerate(
        ["郑州市召开2026年安全生产工作会议", "国务院关于加快推进数字经济高质量发展的意见", "",
         "国务院办公厅关于印发2026年政务公开工作要点的通知"])]
    assert [(m.entry_id, m.release_id) for m in matcher.match_all(entries)] == [("e1", "r1"), ("e3", "r2")]


def test_threshold_and_empty_inputs():
    assert Matcher([]).match(Entry("e", None, "国务院关于X的通知", None, None)) is None
    strict = Matcher(RELEASES[:1], threshold=1.0)
    assert strict.match(Entry("e", None, "国务院关于加快推进数字经济高质量发展意见", None, None)) is None
    assert strict.match(Entry("e", None, "国务院关于加快推进数字经济高质量发展的意见", None, None)) is not None


def test_dataclasses_are_frozen_and_slotted():
    with pytest.raises(AttributeError):
        RELEASES[0].title = "x"
    assert not hasattr(RELEASES[0], "__dict__")


def test_candidates_come_from_the_index_not_all_pairs(monkeypatch):
    releases = [Release(f"r{i}", f"国务院关于{v}{o}的意见", None, None)
                for i, (v, o) in enumerate((v, o) for v in ("加快推进", "深化", "促进", "完善", "支持")
                                           for o in ("数字经济", "城市更新", "乡村振兴", "养老服务", "职业教育",
                                                     "种业振兴", "冷链物流", "体育产业", "数字政府", "政务公开"))]
    m = Matcher(releases)
    calls = []
    original = Matcher._score
    monkeypatch.setattr(Matcher, "_score", lambda self, e, r: calls.append(1) or original(self, e, r))
    found = m.match(Entry("e", None, "转载：国务院关于深化城市更新意见", None, None))
    assert found is not None and found.release_id == "r11"
    assert 0 < len(calls) < len(releases) // 2
    assert matcher_module.MAX_CANDIDATES < 1000


def test_match_all_in_two_processes_gives_the_same_matches(monkeypatch):
    """Large inputs are split between this process and a forked one: same matches, same order."""
    import json
    from pathlib import Path

    from monitor.match import parse_published

    here = Path(__file__).parent / "fixtures" / "reposts"
    rows = lambda name: [json.loads(line) for line in (here / name).read_text("utf-8").splitlines()]  # noqa: E731
    releases = [Release(r["id"], r["title"], r["url"], parse_published(r["published"]))
                for r in rows("releases.jsonl")]
    entries = [Entry(e["id"], e["portal_id"], e["title"], e["url"], parse_published(e["published"]))
               for e in rows("entries.jsonl")]
    m = Matcher(releases)
    monkeypatch.setattr(matcher_module, "PARALLEL_WORKERS", 1)
    alone = m.match_all(entries)
    monkeypatch.setattr(matcher_module, "PARALLEL_WORKERS", 2)
    monkeypatch.setattr(matcher_module, "PARALLEL_MIN_ENTRIES", 1000)
    if not matcher_module.can_fork():
        pytest.skip("no fork here (threads running, or no fork start method)")
    forked = []
    original = Matcher._match_forked
    monkeypatch.setattr(Matcher, "_match_forked", lambda self, es: forked.append(1) or original(self, es))
    assert m.match_all(iter(entries)) == alone and forked


def test_repeated_titles_are_scored_once_per_release_title(monkeypatch):
    """Releases sharing a title share their features, and an entry is scored against it once."""
    releases = [Release(f"r{i}", "国务院任免国家工作人员", None, datetime(2026, 1, 1 + i)) for i in range(20)]
    m = Matcher(releases)
    calls = []
    original = Matcher._score
    monkeypatch.setattr(Matcher, "_score", lambda self, e, r: calls.append(1) or original(self, e, r))
    found = m.match_all([Entry("e1", None, "国务院任免国家家工作人员", None, datetime(2026, 1, 21)),
                         Entry("e2", None, "国务院任免国家家工作人员", None, datetime(2026, 1, 21))])
    assert [x.release_id for x in found] == ["r19", "r19"]
    assert len(calls) == 1


def test_the_package_has_no_cycle_and_no_dependency_on_the_rest_of_monitor():
    """monitor.match is pure: nothing from the store, rules, spiders or pipelines (the time module,
    monitor.clock, is shared by all); forked.py maps any function and imports no other module of
    the package; no module is over 400 lines."""
    import ast
    from pathlib import Path

    folder = Path(matcher_module.__file__).parent
    imports = {}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names.add(("." * node.level) + (node.module or ""))
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        imports[path.stem] = names
        assert len(path.read_text("utf-8").splitlines()) <= 400, path.name
    for module, names in imports.items():
        assert not any(n.startswith(("monitor", "spiders", "pipelines", "scrapy")) and n != "monitor.clock"
                       for n in names), module
    assert not any(n.startswith(".") for n in imports["forked"])

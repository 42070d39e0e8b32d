"""``monitor report`` and ``monitor sample``: every figure and section on a store with known answers,
the same figures in HTML, Markdown and XLSX, unknowns never shown as 0, crawled text kept inert."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from monitor.cli import cli
from monitor.config import MonitorSettings
from monitor.report.labels import rule_label
from monitor.report import write_report
from monitor.report.build import ReportOptions, build_report
from monitor.report.periods import PeriodError, parse_period, quarter_of, span
from monitor.report.sampling import allocate, draw
from monitor.store import Store
from monitor.store.compact import insert_verdicts
from report_store import HOSTILE, build

NOW = "2026-11-20T09:00:00+08:00"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "m.db"
    build(path).close()
    return path


@pytest.fixture(scope="module")
def report(store_path):
    store = Store(store_path)
    try:
        return build_report(store, ReportOptions(parse_period("2026Q4")), MonitorSettings())
    finally:
        store.close()


def test_periods():
    q4 = parse_period("2026q4")
    assert (q4.since, q4.until, q4.label, q4.title) == (date(2026, 10, 1), date(2027, 1, 1), "2026Q4", "2026年第四季度")
    assert q4.previous().label == "2026Q3" and parse_period("2027Q1").previous().label == "2026Q4"
    assert [p.label for p in q4.history(3)] == ["2026Q2", "2026Q3", "2026Q4"]
    assert quarter_of(date(2026, 12, 31)).label == "2026Q4"
    days = span(date(2026, 11, 1), date(2026, 11, 30))
    assert days.previous() == span(date(2026, 10, 2), date(2026, 10, 31))
    with pytest.raises(PeriodError):
        parse_period("2026Q5")


def test_headline_figures(report):
    fig = report.figure
    assert fig("portals").count == 8 and fig("checked").count == 7  # hebei-dark never crawled
    assert (fig("qualified").share.passed, fig("qualified").share.failed, fig("qualified").share.unknown) == (5, 2, 1)
    assert fig("qualified").text == "71.4%" and fig("qualified").previous.text == "57.1%"
    assert fig("qualified").change_text == "+14.3"
    assert fig("qualified_department").text == "50.0%" and fig("qualified_local").text == "80.0%"
    assert fig("rule:error_link").text == "85.7%"  # henan-kaifeng lost its entry
    # the newest crawl could not judge henan-sheng's content: the older known verdict holds
    assert fig("rule:policy_column").share.known == 7
    assert {f.key for f in report.headline if f.key.startswith("rule:")} == {
        f"rule:{r}" for r in report.rules if r not in report.veto}
    assert fig("rectified").text == "75.0%" and fig("neglect").count == 2


def test_tables_sections_and_unknowns(report):
    regions = {r.key: r for r in report.regions}
    assert list(regions) == ["hebei", "henan", "bumen"]  # the notice's order, departments last
    assert regions["hebei"].overall.text == "50.0%" and "reachable" in regions["hebei"].below
    assert [r.key for r in report.below["reachable"]] == ["hebei"]
    assert {r.key: r.portals for r in report.levels} == {"province": 2, "city": 3, "county": 1, "department": 2}
    county = next(r for r in report.levels if r.key == "county")
    assert county.overall.text == "未知" and county.change_text == "未知"  # never 0
    assert [(n.portal.id, n.rule, n.began_on.isoformat(), n.baseline_on.isoformat()) for n in report.neglect] == [
        ("henan-kaifeng", "error_link", "2026-11-10", "2026-09-20"),
        ("bumen-moe", "homepage_fresh", "2026-11-11", "2026-09-20")]
    assert {r.portal.id: r.outcome for r in report.rectification.rows} == {
        "hebei-tangshan": "failing", "henan-old": "closed", "henan-zhengzhou": "rectified", "bumen-js": "rectified"}
    assert report.rectification.rows[0].failing == ("reachable",)
    v = report.reviews
    assert (v.agree, v.disagree, v.unknown) == (1, 1, 0)
    assert v.rows[0].portal.id == "hebei-tangshan" and v.rows[0].audit.monitor_failed == ("reachable",)
    assert [a.portal.id for a in report.annex] == ["hebei-tangshan", "bumen-moe"]
    assert [p.period.label for p in report.trend] == [
        "2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert report.trend[0].shares["overall"].value is None  # no crawl that quarter: a gap, not 0
    assert {m.id for m in report.methodology} == {"overall", *report.rules}
    reach = next(m for m in report.methodology if m.id == "reachable")
    assert ("MONITOR_REACHABLE_FAIL_SHARE", "0.05") in reach.thresholds and reach.veto


def test_evidence_commands_are_quoted_and_only_http(report):
    moe = next(a for a in report.annex if a.portal.id == "bumen-moe")
    assert moe.failures[0].command == ("monitor evidence bumen-moe --crawl q4-2 --url "
                                       "http://www.bumen-moe.gov.cn/ -o bumen-moe.html")
    from monitor.report.sections import evidence_command, evidence_url
    url = evidence_url({"stale_columns": [{"url": "javascript:alert(2)"},
                                          {"url": "http://www.x.gov.cn/col/1/'; rm -rf ~"}]})
    assert url == "http://www.x.gov.cn/col/1/'; rm -rf ~"
    assert evidence_command("p", "c", url).endswith("""--url 'http://www.x.gov.cn/col/1/'"'"'; rm -rf ~' -o p.html""")


def _html(report) -> str:
    from monitor.report.render import html
    return html(report)


def test_html_is_self_contained_and_inert(report):
    page = _html(report)
    assert "<script" not in page.lower().replace("&lt;script", "")  # pygal's own config script is dropped
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;唐山市人民政府" in page
    assert "&lt;img src=x onerror=alert(1)&gt;开封" in page
    assert 'href="javascript' not in page.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.split("<body>", 1)[1].split("<section id=\"annex\">")[0])
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "googleapis" not in page and "@import" not in page and "url(" not in page
    assert page.count("<svg") == 2 and 'data-figure="qualified">71.4%<' in page


def test_markdown_and_xlsx_carry_the_same_figures(report, tmp_path):
    from monitor.report.render import markdown
    md = markdown(report)
    for f in report.headline:
        assert f"| {f.label} | {f.text.replace('+', '+')} |" in md.replace("\\", "") or f.label in md
    assert "| 总体合格率 | 71.4% | 57.1% | +14.3 | 5/7，未知 1 |" in md
    assert "<script>" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "未知" in md and "| 县级 | 1 | 0 | 0 | 0 | 1 | 未知 |" in md

    path = tmp_path / "r.xlsx"
    write_report(report, "xlsx", path)
    book = load_workbook(path)
    assert book.sheetnames == ["概要", "地区", "层级", "指标分地区", "趋势", "应付差事", "整改", "结论比对", "不合格网站", "方法"]
    summary = book["概要"]
    assert summary.freeze_panes == "B3" and summary["A2"].value == "指标"
    rows = {r[0].value: r for r in summary.iter_rows(min_row=3)}
    assert rows["总体合格率"][1].value == pytest.approx(report.figure("qualified").share.value)
    assert rows["总体合格率"][1].number_format == "0.0%"
    assert rows["监测有结论网站"][1].value == 7
    regions = {r[0].value: [c.value for c in r] for r in book["层级"].iter_rows(min_row=3)}
    assert regions["县级"][6] == "未知"  # unknown stays text, never 0
    names = [c.value for c in book["不合格网站"]["C"]]
    assert "'" + HOSTILE["formula"] in names and HOSTILE["script"] in names
    annex = [[c.value for c in r] for r in book["不合格网站"].iter_rows(min_row=3)]
    assert [r[3] for r in annex] == ["hebei-tangshan", "bumen-moe"] and annex[0][0] == "河北"


def test_cli_writes_every_format_and_bad_input_is_one_line(store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_NOW", NOW)
    runner = CliRunner()
    for fmt in ("html", "md", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        result = runner.invoke(cli, ["report", "--db", str(store_path), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert "2026Q4" in result.output and out.stat().st_size > 1000
    evidence = tmp_path / "evidence"
    result = runner.invoke(cli, ["report", "--db", str(store_path), "--region", "hebei", "-o",
                                 str(tmp_path / "hebei.html"), "--evidence-dir", str(evidence)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "hebei.html").read_text(encoding="utf-8")
    assert 'href="evidence/hebei-tangshan-q4-2.html"' in page and "郑州" not in page
    assert (evidence / "hebei-tangshan-q4-2.html").read_bytes().startswith(b"<html><body>stored homepage")
    bad = [(["--period", "2026Q9"], "period '2026Q9' is not a quarter"),
           (["--period", "2026Q4", "--since", "2026-10-01"], "not both"),
           (["--region", "atlantis"], "unknown region atlantis; valid: bumen, hebei, henan"),
           (["--level", "galaxy"], "unknown level galaxy"),
           (["--sample", str(tmp_path / "none.csv")], "none.csv: no such file")]
    for args, message in bad:
        result = runner.invoke(cli, ["report", "--db", str(store_path), "-o", str(tmp_path / "x.html"), *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_sample_draw_and_review_round_trip(store_path, tmp_path, monkeypatch):
    sizes = {("a",): 100, ("b",): 7, ("c",): 1}
    counts = allocate(sizes, 0.16)
    assert counts == {("a",): 16, ("b",): 1, ("c",): 1}
    portals = [{"id": f"p{i}", "region": "abc"[i % 3], "level": "city", "status": "active"} for i in range(60)]
    one, two = draw(portals, 0.2, seed=3), draw(portals, 0.2, seed=3)
    assert one == two and len(one) == 12 and {p["region"] for p in one} == {"a", "b", "c"}
    assert draw(portals, 0.2, seed=4) != one

    monkeypatch.setenv("MONITOR_NOW", NOW)
    out = tmp_path / "sample.csv"
    runner = CliRunner()
    result = runner.invoke(cli, ["sample", "--share", "0.3", "--stratify", "region,level", "--seed", "5",
                                 "--db", str(store_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "seed 5" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == ["portal_id", "name", "region", "level", "url", "audited_on", "verdict", "reviewer", "note"]
    assert {(r["region"], r["level"]) for r in rows} == {("henan", "province"), ("henan", "city"), ("hebei", "province"),
                                                          ("hebei", "city"), ("hebei", "county"), ("bumen", "department")}
    assert "henan-old" not in {r["portal_id"] for r in rows}  # closed: not running
    # reviewers fill in some rows and return the file
    for r in rows:
        if r["portal_id"] == "hebei-sheng":
            r.update(audited_on="2026-11-12", verdict="不合格", reviewer="复核组", note="首页栏目空白")
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(cli, ["audits", "import", str(out), "--db", str(store_path)])
    assert result.exit_code == 0 and f"imported 1 audit result(s), skipped 0, {len(rows) - 1} not reviewed" in result.output
    store = Store(store_path)
    try:
        built = build_report(store, ReportOptions(parse_period("2026Q4"), sample=frozenset(r["portal_id"] for r in rows),
                                                  sample_name="sample.csv"), MonitorSettings())
    finally:
        store.close()
    assert built.figure("portals").count == len(rows)
    review = next(r for r in built.reviews.rows if r.portal.id == "hebei-sheng")
    assert (review.official_text, review.monitor_text, review.audit.reviewer, review.agree) == (
        "不合格", "合格", "复核组", False)
    result = runner.invoke(cli, ["report", "--db", str(store_path), "--sample", str(out), "--format", "md",
                                 "-o", str(tmp_path / "s.md")])
    assert result.exit_code == 0 and "抽查样本 sample.csv" in (tmp_path / "s.md").read_text(encoding="utf-8")


def test_a_rule_this_version_lacks_is_reported_from_its_verdicts(tmp_path):
    """Verdicts of a rule this version does not know (a store written by a newer node) show beside
    the others, named by their id; rules without verdicts in the period stay unknown."""
    store = build(tmp_path / "m.db")
    try:
        with store.db.conn:
            insert_verdicts(store.db.conn, [
                {"crawl_id": "q4-2", "portal_id": pid, "rule": "accessibility", "passed": passed,
                 "level": "ok" if passed else "fail", "value": "null", "evidence": "{}", "at": "2026-11-12T10:00:00+08:00"}
                for pid, passed in (("henan-sheng", 1), ("hebei-sheng", 1), ("bumen-moe", 0))])
        report = build_report(store, ReportOptions(parse_period("2026Q4")), MonitorSettings())
        earlier = build_report(store, ReportOptions(parse_period("2026Q3")), MonitorSettings())
    finally:
        store.close()
    assert report.rules[-1] == "accessibility" and "accessibility" not in report.veto
    figure = report.figure("rule:accessibility")
    assert (figure.label, figure.text, figure.share.unknown, figure.previous_text) == (
        rule_label("accessibility"), "66.7%", 5, "未知")
    assert "accessibility" not in earlier.rules
    assert earlier.figure("rule:reposts_24h").text == "85.7%"  # henan-sheng missed it at the check

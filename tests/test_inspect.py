"""``monitor inspect`` and bad input: one JSON object, nulls instead of exceptions."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.extract.article import extract_published
from monitor.extract.inspect import inspect_page
from monitor.clock import SHANGHAI
from monitor.extract.page import Page

FIXTURES = Path(__file__).parent / "fixtures" / "dates" / "pages"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=SHANGHAI)
KEYS = {"published", "document_date", "entries", "column", "site", "policy_column", "error_link", "privacy",
        "privacy_counts", "boards", "messages", "harmful"}


def run(*args):
    return CliRunner().invoke(cli, ["inspect", *map(str, args)])


def test_inspect_article_gbk():
    result = run(FIXTURES / "enc-gbk.html", "--now", "2026-11-29")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == KEYS
    assert data["published"] == "2024-09-30T09:24:00+08:00"
    assert data["site"] == {"name": "湘潭市人民政府", "site_code": "4303000006"}
    assert set(data["column"]) == {"name", "type", "blank"}
    assert data["column"]["name"] == "工作动态" and data["column"]["type"] == "news"
    assert data["privacy"] == [] and data["harmful"] == []
    assert data["privacy_counts"] == {"id_card": 0, "mobile": 0, "bank_card": 0}
    assert "found" in data["policy_column"] and "found" in data["error_link"]


def test_inspect_list_with_url_and_month_days():
    result = run(FIXTURES / "list-month-day.html", "--url", "https://www.gz.gov.cn/xw/bmdt/index.html",
                 "--now", "2026-11-29")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["entries"][0]["url"] == "https://www.gz.gov.cn/xw/bmdt/202611/t20261120_5550000.html"
    assert [e["published"] for e in data["entries"]] == [
        "2026-11-28", "2026-11-03", "2026-02-25", "2025-12-30", "2025-12-01"]
    assert data["column"] == {"name": "部门动态", "type": "news", "blank": False}


def test_inspect_url_date_and_encoding_option(tmp_path):
    page = tmp_path / "a.html"
    page.write_bytes("<html><body><h1>关于印发方案的通知</h1><p>正文</p></body></html>".encode("gbk"))
    result = run(page, "--encoding", "gbk", "--url",
                 "http://www.jiangsu.gov.cn/art/2024/10/14/art_60085_11394426.html")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["published"] == "2024-10-14"


def test_inspect_missing_file_one_line():
    result = run("/nonexistent/page.html")
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "page.html" in lines[0]


def test_inspect_directory_is_an_error(tmp_path):
    assert run(tmp_path).exit_code != 0


def test_inspect_help_has_example():
    result = run("--help")
    assert result.exit_code == 0 and "Example" in result.output


def _bad_inputs():
    article = (FIXTURES / "label-fabushijian.html").read_bytes()
    return {
        "empty": b"",
        "whitespace": b"  \n\t ",
        "binary": bytes(range(256)) * 64,
        "truncated": article[: len(article) // 2],
        "truncated-in-tag": article[:300] + b"<meta name=\"PubDate\" content=\"2024-0",
        "absurd": "<html><head><meta name='PubDate' content='2026-13-45'></head><body>发布时间：0000-00-00"
                  "<ul><li><a href='a.html'>关于开展工作的通知</a><span>2026-13-45</span></li></ul></body></html>"
                  .encode("utf-8"),
        "nul-bytes": b"<html>\x00<body>\x00\x00\xff\xfe</body></html>",
        "xml-decl": b'<?xml version="1.0" encoding="gbk"?><html><body>\xc8\xd5\xc6\xda</body></html>',
        "utf16-odd": b"\xff\xfe<\x00h\x00",
    }


@pytest.mark.parametrize("name", sorted(_bad_inputs()))
def test_bad_input_gives_nulls(name):
    page = Page.from_bytes(_bad_inputs()[name], "http://www.example.gov.cn/a/", NOW)
    data = inspect_page(page)
    assert set(data) == KEYS
    json.dumps(data, ensure_ascii=False)
    if name == "absurd":
        assert data["published"] is None
        assert [e["published"] for e in data["entries"]] in ([], [None])


def test_bad_input_through_cli(tmp_path):
    for name, body in _bad_inputs().items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(body)
        result = run(path, "--now", "2026-11-29")
        assert result.exit_code == 0, (name, result.output)
        assert set(json.loads(result.output)) == KEYS


def test_huge_page_is_bounded():
    row = '<li><a href="/a/{0}.html">关于开展第{0}项工作的通知</a><span>2026-11-01</span></li>\n'
    body = ("<html><head><meta name='PubDate' content='2026-11-02 10:00'></head><body><ul>"
            + "".join(row.format(i) for i in range(20_000))
            + "<p>" + "正文内容" * 2_600_000 + "</p></ul></body></html>").encode("utf-8")
    assert len(body) > 20_000_000
    page = Page.from_bytes(body, "http://www.example.gov.cn/", NOW)
    data = inspect_page(page)
    assert data["published"] == "2026-11-02T10:00:00+08:00"
    assert len(data["entries"]) > 1000
    assert extract_published(Page.from_bytes(b"\x00" * 20_000_000, "", NOW)).posted is None


def test_inspect_shows_the_issue_12_detectors_masked(tmp_path):
    page = tmp_path / "leak.html"
    page.write_text('<html><body><p>身份证号：11010519491231002X</p>'
                    '<div style="display:none">' + "".join(f'<a href="http://spam{i}.com/">真人荷官</a>'
                                                           for i in range(6)) + '</div>'
                    '<a href="/hdjl/xzxx/">县长信箱</a></body></html>', encoding="utf-8")
    result = run(page, "--url", "https://www.example.gov.cn/", "--now", "2026-11-29")
    assert result.exit_code == 0, result.output
    assert "11010519491231002X" not in result.output
    data = json.loads(result.output)
    assert [f["masked"] for f in data["privacy"]] == ["110105********002X"]
    assert data["privacy_counts"]["id_card"] == 1
    assert {f["kind"] for f in data["harmful"]} == {"term", "hidden_links", "spam_link"}
    assert data["boards"] == [{"url": "https://www.example.gov.cn/hdjl/xzxx/", "text": "县长信箱",
                               "kind": "mailbox", "external": False}]
    assert data["messages"] == {"messages": [], "next_pages": [], "layout": None}

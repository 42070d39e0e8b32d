"""Message boards: links found on a homepage, messages read from each layout, next pages, and the
interaction rule over what was read (the labelled gate: every overdue message found, none on the
clean boards)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from monitor.extract.boards import ANSWERED, Message, find_boards, read_board, status_of
from monitor.extract.page import Page
from monitor.rules import BoardState, PortalState, closure_rates
from monitor.rules.interaction import Interaction

HERE = Path(__file__).parent / "fixtures" / "boards"
LABELS = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(LABELS["now"])
BOARDS = {name: label for name, label in LABELS["pages"].items() if "boards" not in label}


def _page(name: str) -> Page:
    return Page.from_bytes((HERE / "pages" / name).read_bytes(), url=LABELS["pages"][name]["url"], now=NOW)


def _state(*boards: BoardState, **changes) -> PortalState:
    return PortalState("p", region="henan", homepage_ok=True, crawl_id="c1", boards=list(boards), **changes)


def test_homepage_board_links():
    label = LABELS["pages"]["homepage-boards.html"]
    found = find_boards(_page("homepage-boards.html"))
    assert [(b.url, b.kind, b.external) for b in found] == [
        (b["url"], b["kind"], b["external"]) for b in label["boards"]]


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_labelled_boards(name):
    label = BOARDS[name]
    board = read_board(_page(name))
    assert board.layout == label["layout"]
    assert len(board.messages) == label["messages"]
    assert sum(1 for m in board.messages if m.answered) == label["answered"]
    assert sum(1 for m in board.messages if m.answered is False) == label["open"]
    assert list(board.next_pages) == label["next_pages"]
    assert all(m.asked is not None and m.url.startswith("http") for m in board.messages)


def test_floor_every_overdue_message_found_none_on_clean_boards():
    rule = Interaction.from_settings({})
    planted = found = 0
    for name, label in BOARDS.items():
        board = read_board(_page(name))
        verdict = rule.judge(_state(BoardState(label["url"], messages=list(board.messages))), NOW)
        titles = [m["title"] for m in verdict.evidence["overdue_messages"]]
        assert titles == label["overdue"], name
        assert ("fail" if verdict.passed is False else "pass") == label["verdict"], name
        planted += len(label["overdue"])
        found += len(titles)
    assert found == planted == 2


def test_one_of_forty_unanswered_for_four_months_fails_with_closure():
    board = read_board(_page("trs-table-board.html"))
    verdict = Interaction.from_settings({}).judge(_state(BoardState("b", messages=list(board.messages))), NOW)
    assert (verdict.passed, verdict.evidence["overdue"]) == (False, 1)
    assert verdict.value == verdict.evidence["closure"] < 1
    assert verdict.evidence["overdue_messages"][0]["days"] == (NOW.date() - date(2024, 6, 12)).days
    # three months and more: the same board two months earlier was fine
    early = Interaction.from_settings({}).judge(_state(BoardState("b", messages=list(board.messages))),
                                                datetime(2024, 8, 20, tzinfo=NOW.tzinfo))
    assert early.evidence["overdue"] == 0


def test_interaction_unknowns_and_warnings():
    rule = Interaction.from_settings({})
    assert rule.judge(PortalState("p", homepage_ok=True), NOW).evidence["reason"] == "not_checked"
    assert rule.judge(_state(), NOW).evidence["reason"] == "no_board"
    assert rule.judge(_state(BoardState("b", error="timeout")), NOW).evidence["reason"] == "boards_not_read"
    old = Message("旧留言", "u", date(2022, 1, 1), "unanswered")
    assert rule.judge(_state(BoardState("b", messages=[old])), NOW).evidence["reason"] == "no_messages_in_window"
    late = Message("迟复", "u", date(2024, 3, 1), ANSWERED, "已回复", date(2024, 8, 1))
    fine = [Message(f"m{i}", f"u{i}", date(2024, 9, 1), ANSWERED) for i in range(20)]
    verdict = rule.judge(_state(BoardState("b", messages=fine + [late])), NOW)
    assert (verdict.level, verdict.evidence["reason"], verdict.evidence["late_replies"]) == (
        "warn", "late_replies", 1)
    fresh_open = [Message(f"o{i}", f"o{i}", NOW.date() - timedelta(days=10), "processing") for i in range(5)]
    verdict = rule.judge(_state(BoardState("b", messages=fine[:10] + fresh_open)), NOW)
    assert (verdict.level, verdict.evidence["reason"]) == ("warn", "low_closure")
    assert rule.judge(_state(BoardState("b", messages=fine)), NOW).level == "ok"


def test_closure_rates_per_portal_and_region():
    answered = [Message(f"m{i}", f"u{i}", date(2024, 9, 1), ANSWERED) for i in range(3)]
    open_ = [Message("o", "o", date(2024, 9, 1), "unanswered")]
    states = [PortalState("a", region="henan", boards=[BoardState("b", messages=answered + open_)]),
              PortalState("b", region="henan", boards=[BoardState("b", messages=answered)]),
              PortalState("c", region="hebei", boards=[]), PortalState("d", region="hebei")]
    rates = closure_rates(states, NOW)
    assert rates["portals"] == {"a": 0.75, "b": 1.0}
    assert rates["regions"] == {"henan": {"portals": 2, "messages": 7, "answered": 6, "closure": 0.8571}}
    assert rates["national"] == 0.8571


@pytest.mark.parametrize("text,status", [
    ("已回复", "answered"), ("已办结", "answered"), ("未办结", "unanswered"), ("待处理", "unanswered"),
    ("处理中", "processing"), ("已受理", "processing"), ("", None)])
def test_status_words(text, status):
    assert status_of(text)[0] == status


@pytest.mark.parametrize("html", ["", "<html>", "\x00", "<table><tr><th>状态</th></tr>" * 200,
                                  "<script>createPageHTML(99999999, 0, 'index', 'html')</script>"])
def test_bad_pages_never_raise(html):
    page = Page(html, url="https://x.gov.cn/a/index.html", now=NOW)
    assert len(read_board(page, max_pages=3).next_pages) <= 2
    assert isinstance(find_boards(page), list)


def test_a_dated_news_list_is_not_a_board():
    news = "".join(f'<li><a href="/xw/{i}.html">县政府召开第{i}次常务会议</a><span>2024-10-{i + 1:02d}</span></li>'
                   for i in range(5))
    page = Page(f"<html><title>政务要闻</title><body><ul>{news}</ul></body></html>", url="https://x.gov.cn/xw/",
                now=NOW)
    assert read_board(page).messages == ()
    board = Page(f"<html><title>县长信箱</title><body><ul>{news}</ul></body></html>", url="https://x.gov.cn/x/",
                 now=NOW)
    assert len(read_board(board).messages) == 5  # a board whose list shows no status: read, status unknown


def _inline(html: str, url: str = "https://www.example.gov.cn/hdjl/xzxx/index.html") -> Page:
    return Page.from_bytes(html.encode("utf-8"), url=url, now=NOW)


def test_card_layout_headerless_datastore_declined_and_numbered_pager():
    cards = "".join(
        f'<div class="item"><div class="tit"><a href="d{i}.html">关于第{i}号路灯不亮的问题</a><em>{status}</em></div>'
        f'<div class="info"><span>留言人：张*</span><span>留言时间：2024-0{i}-05</span>'
        f'<span>答复时间：{replied}</span></div></div>'
        for i, status, replied in ((3, "已答复", "2024-03-20"), (4, "待答复", "—"), (5, "不予受理", "2024-05-09")))
    pager = '<div class="page"><a href="index_1.html">2</a> <a href="index_2.html">3</a> <a href="index_5.html">尾页</a></div>'
    board = read_board(_inline(f"<html><head><title>县长信箱</title></head><body><div class='list'>{cards}</div>{pager}</body></html>"))
    assert board.layout == "cards"
    assert [(m.asked.isoformat()[:10], m.answered) for m in board.messages] == [
        ("2024-03-05", True), ("2024-04-05", False), ("2024-05-05", True)]  # 不予受理 is closed
    assert list(board.next_pages) == ["https://www.example.gov.cn/hdjl/xzxx/index_1.html",
                                      "https://www.example.gov.cn/hdjl/xzxx/index_2.html"]
    rows = "".join(f'<record><![CDATA[<tr><td><a href="/art/{i}.html">咨询第{i}个问题怎么办理</a></td>'
                   f'<td>2024-0{i}-01</td><td>{s}</td></tr>]]></record>' for i, s in ((6, "已回复"), (7, "未回复")))
    datastore = (f'<table><tr><td>信件标题</td><td>来信时间</td><td>办理状态</td></tr></table>'
                 f'<script type="text/xml"><datastore><recordset>{rows}</recordset></datastore></script>')
    board = read_board(_inline(f"<html><head><title>在线咨询</title></head><body>{datastore}</body></html>"))
    assert (board.layout, [m.answered for m in board.messages]) == ("datastore", [True, False])

"""The findings beyond freshness (issue 12) on the sandbox: every planted case, positive and
negative, as the detectors see its pages and as real crawls of the fleet judge it (audit, then two
decay crawls a day apart, as ``monitor demo`` runs them), and personal numbers never stored whole.

The planted portals (data/sandbox/fleet.json, ``plants`` and the event-timed ``decay`` keys):
henan-zhongmu and hebei-zhengding leak personal data after the audit (in the page and an xlsx; only
in a GBK csv); henan-xingyang publishes clean 公示 with office phones and ID-like numbers failing the
check digit; hebei-luquan is hacked (hidden gambling links); hebei-xinji has legitimately hidden
menus, a crackdown notice and a board with one message unanswered for four months; henan-xinzheng's
board passes the three-month mark between the audit and decay; henan-xinmi's board answers; the
service guides of henan-xingyang and henan-xinmi are copied from henan-xinzheng's after the audit;
hebei-zhaoxian re-dates 通知公告 every night; henan-dengfeng's 专题 pages are deleted while linked.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
import zlib
from datetime import timedelta

import pytest
from click.testing import CliRunner

from conftest import SANDBOX_NOW, crawl_sandbox
from monitor.cli import cli
from monitor.clock import parse_now
from monitor.extract.boards import find_boards, next_pages, read_board
from monitor.extract.followups import check_links, guide_links, new_articles
from monitor.extract.guides import Guide, find_copies, guide_text, own_codes
from monitor.extract.harmful import failing, find_harmful
from monitor.extract.links import column_links
from monitor.extract.listing import extract_entries
from monitor.extract.page import Page
from monitor.extract.privacy import (attachment_links, classify, decode_text, find_personal_data, is_bank_card,
                                     is_id18, leaks, scan_attachment)
from monitor.paths import DATA_DIR
from monitor.sandbox import load_fleet, plants
from monitor.sandbox.pages import article_url
from monitor.sandbox.scenario import Clock
from monitor.sandbox.site import Site

SPEC = json.loads((DATA_DIR / "sandbox" / "fleet.json").read_text(encoding="utf-8"))["portals"]
NEW_RULES = ("interaction", "privacy", "harmful_content", "forged_dates", "copied_guides", "dead_links")
AUDIT = parse_now(SANDBOX_NOW)
DECAY_DAYS = (21, 22)   # monitor demo: two decay crawls a day apart, three weeks after the audit
LEVEL = {"ok": "pass", "warn": "pass", "fail": "fail", "unknown": "unknown"}
LEAKERS = ("henan-zhongmu", "hebei-zhengding")


@pytest.fixture(scope="module")
def fleet():
    return load_fleet()


@pytest.fixture(scope="module")
def site(fleet):
    return Site(fleet)


def clock(fleet, phase: str, days: int = 0) -> Clock:
    return Clock.make(phase, AUDIT + timedelta(days=days), AUDIT, fleet.scenario)


def get(site, fleet, pid: str, path: str, c: Clock):
    return site.resolve(fleet.portals[pid].host, path, c)


def page(site, fleet, pid: str, path: str, c: Clock) -> Page:
    p = fleet.portals[pid]
    reply = get(site, fleet, pid, path, c)
    assert reply.status == 200, (pid, path, reply.status)
    return Page(html=reply.body.decode("gbk" if p.encoding == "gbk" else "utf-8-sig"), url=f"http://{p.host}{path}",
                now=c.now)


def planted_articles(fleet, pid: str, c: Clock):
    p = fleet.portals[pid]
    return [(col, it) for col in p.columns for it in plants.column_plants(p, col, c, c.cut(p, col))]


def planted_numbers(site, fleet, c: Clock) -> set[str]:
    """Every whole personal number the leaking portals publish (pages and attachments) at ``c``."""
    numbers = set()
    for pid in LEAKERS:
        p = fleet.portals[pid]
        for col, it in planted_articles(fleet, pid, c):
            art = page(site, fleet, pid, article_url(p, col, it), c)
            texts = [art.html]
            for url in attachment_links(art):
                body = get(site, fleet, pid, url.split(p.host, 1)[1], c).body
                texts.append(decode_text(body) if url.endswith(".csv") else _xlsx_strings(body))
            for text in texts:
                numbers |= {m.group() for m in re.finditer(r"\d{11,19}X?", text) if classify(m.group())}
    return numbers


def _xlsx_strings(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


# -- the sandbox's pages, read by the detectors (no crawl) -------------------------------------------

def test_planted_numbers_are_valid_where_they_should_be(fleet):
    from stdnum.cn import ric
    for n in range(200):
        number = plants.resident_id("410122", "t", n)
        assert ric.calc_check_digit(number) == number[17] and is_id18(number) and classify(number) == "id_card"
        wrong = plants.wrong_check_id("410122", "t", n)
        assert ric.calc_check_digit(wrong) != wrong[17] and wrong[:17] == number[:17]
        # an ID-shaped number with a wrong check digit is nothing, even when it passes Luhn with a Visa BIN
        assert classify(wrong) is None
        card = plants.bank_card("t", n)
        assert len(card) == 19 and is_bank_card(card) and classify(card) == "bank_card"
        assert classify(plants.mobile("t", n)) == "mobile"


def test_planted_files_are_byte_stable(fleet):
    c = clock(fleet, "decay", 21)
    for pid in ("henan-zhongmu", "hebei-zhengding", "henan-xingyang"):
        p = fleet.portals[pid]
        for col, it in planted_articles(fleet, pid, c):
            url = article_url(p, col, it)
            one, two = Site(load_fleet()), Site(load_fleet())
            art = page(one, fleet, pid, url, c)
            assert get(two, fleet, pid, url, c).body == get(one, fleet, pid, url, c).body
            for att in attachment_links(art):
                path = att.split(p.host, 1)[1]
                a, b = get(one, fleet, pid, path, c), get(two, fleet, pid, path, c)
                assert a.status == 200 and a.body == b.body and len(a.body) > 500, att
                assert not scan_attachment(a.body, att, att).error


def test_leaks_appear_at_the_event_in_pages_and_attachments(fleet, site):
    before, after = clock(fleet, "decay", 17), clock(fleet, "decay", 21)
    for pid in LEAKERS:
        assert not planted_articles(fleet, pid, clock(fleet, "audit")) and not planted_articles(fleet, pid, before)
        (col, it), = planted_articles(fleet, pid, after)
        p = fleet.portals[pid]
        art = page(site, fleet, pid, article_url(p, col, it), after)
        on_page = find_personal_data(art)
        files = [scan_attachment(get(site, fleet, pid, u.split(p.host, 1)[1], after).body, u, u)
                 for u in attachment_links(art)]
        assert files and all(f.error is None for f in files)
        if pid == "henan-zhongmu":   # a table of 12 residents in the page, 30 more in an xlsx roster
            assert on_page.counts == {"id_card": 12, "mobile": 12, "bank_card": 0}
            assert files[0].counts == {"id_card": 30, "mobile": 30, "bank_card": 0}
        else:   # the page masks them; the GBK csv does not, and carries bank card numbers
            assert on_page.counts == {"id_card": 0, "mobile": 0, "bank_card": 0}
            assert files[0].counts == {"id_card": 30, "mobile": 0, "bank_card": 30}
        # the crawl reads it: among the ten newest entries of the homepage on the decay crawl's day
        home = page(site, fleet, pid, "/", after)
        assert art.url in {e.url for e in new_articles(extract_entries(home), p.url, set(), 10)}


def test_clean_notices_have_office_numbers_and_no_leak(fleet, site):
    p = fleet.portals["henan-xingyang"]
    for phase, days in (("audit", 0), ("decay", 21)):
        c = clock(fleet, phase, days)
        articles = planted_articles(fleet, "henan-xingyang", c)
        assert articles
        for col, it in articles:
            art = page(site, fleet, "henan-xingyang", article_url(p, col, it), c)
            report = find_personal_data(art)
            assert report.counts["id_card"] == 0 and report.counts["bank_card"] == 0
            assert [f.contact for f in report.findings] == [True]    # the office contact's mobile
            assert not leaks(report.findings)
            assert re.search(r"0371-\d{8}", art.html) and "12345" in art.html
            assert len(re.findall(r"\b41018\d{12}[\dX]\b", art.html)) == 10     # ID-like, wrong check digit
            for url in attachment_links(art):
                scanned = scan_attachment(get(site, fleet, "henan-xingyang", url.split(p.host, 1)[1], c).body, url, url)
                assert scanned.error is None and not scanned.findings


def test_hacked_homepage_and_legitimately_hidden_menus(fleet, site):
    for phase, days in (("audit", 0), ("decay", 17), ("decay", 21)):
        c = clock(fleet, phase, days)
        hacked = find_harmful(page(site, fleet, "hebei-luquan", "/", c))
        clean = find_harmful(page(site, fleet, "hebei-xinji", "/", c))
        assert not failing(clean)
        if c.after_event:
            kinds = {f.kind for f in failing(hacked)}
            assert kinds == {"hidden_links", "spam_link", "term"}
            block = next(f for f in hacked if f.kind == "hidden_links")
            assert block.links == 8 and all(h.endswith(".example") for h in block.hosts)
        else:
            assert not hacked
    xinji = page(site, fleet, "hebei-xinji", "/", clock(fleet, "audit"))
    assert "display:none" in xinji.html and "http://www.people.com.cn/" in xinji.html
    (col, it), = [a for a in planted_articles(fleet, "hebei-xinji", clock(fleet, "audit")) if "赌博" in a[1].title]
    notice = find_harmful(page(site, fleet, "hebei-xinji", article_url(fleet.portals["hebei-xinji"], col, it),
                               clock(fleet, "audit")))
    assert notice and all(f.kind == "term" and not f.counted for f in notice)   # 打击/严禁 beside each term


def _read_board(site, fleet, pid: str, c: Clock) -> list:
    p = fleet.portals[pid]
    url, messages, pages = plants.board_link(p)[0], [], 0
    while url and pages < 5:
        board = page(site, fleet, pid, url, c)
        messages += read_board(board).messages
        pages += 1
        following = next_pages(board, 2)
        url = following[0].split(p.host, 1)[1] if following else None
    return messages, pages


@pytest.mark.parametrize("pid,overdue_at_audit,overdue_in_decay", [
    ("hebei-xinji", True, True),         # 1 of 40 unanswered for four months
    ("henan-xinzheng", False, True),     # passes the three-month mark between the audit and decay
    ("henan-xinmi", False, False),       # the open message is recent
])
def test_boards(fleet, site, pid, overdue_at_audit, overdue_in_decay):
    for phase, days, overdue in (("audit", 0, overdue_at_audit), ("decay", 21, overdue_in_decay)):
        c = clock(fleet, phase, days)
        home = page(site, fleet, pid, "/", c)
        assert [b.kind for b in find_boards(home) if not b.external] in (["mailbox"], ["consult"], ["message"])
        messages, pages = _read_board(site, fleet, pid, c)
        assert pages >= 2 and len(messages) >= 40
        stale = [m for m in messages if m.answered is False and (c.now.date() - m.asked).days > 90]
        assert bool(stale) == overdue, (pid, phase)
        if overdue:   # never on the first page: only a crawl that follows the board's pages sees it
            first = read_board(page(site, fleet, pid, plants.board_link(fleet.portals[pid])[0], c)).messages
            assert stale[0] not in first
        assert sum(1 for m in messages if m.answered is False) <= 2


def test_guides_copied_after_the_event(fleet, site):
    for phase, days, copies in (("audit", 0, set()), ("decay", 21, {"henan-xingyang", "henan-xinmi"})):
        c = clock(fleet, phase, days)
        guides = []
        for pid in ("henan-xinzheng", "henan-xingyang", "henan-xinmi"):
            p = fleet.portals[pid]
            home = page(site, fleet, pid, "/", c)
            (link,) = guide_links(home, p.url, 5)
            path = link.url.split(p.host, 1)[1]
            guides.append(Guide(url=link.url, portal_id=pid, text=guide_text(page(site, fleet, pid, path, c)),
                                own=own_codes(p.name)))
        pairs = find_copies(guides)
        assert {pair.copy_portal for pair in pairs} == copies
        assert all(pair.source_portal == "henan-xinzheng" and "新郑市" in pair.foreign_names for pair in pairs)


def test_redated_column_and_deleted_special_pages(fleet, site):
    audit, decay1, decay2 = clock(fleet, "audit"), clock(fleet, "decay", 21), clock(fleet, "decay", 22)
    lists = {c: extract_entries(page(site, fleet, "hebei-zhaoxian", "/tzgg/", c)) for c in (audit, decay1, decay2)}
    assert [e.url for e in lists[audit]] == [e.url for e in lists[decay1]] == [e.url for e in lists[decay2]]
    assert len({e.published for e in lists[audit]}) > 10
    assert {e.published for e in lists[decay1]} == {decay1.now.date()}
    assert {e.published for e in lists[decay2]} == {decay2.now.date()}
    p = fleet.portals["henan-dengfeng"]
    for c, status in ((audit, 200), (decay1, 404)):
        home = page(site, fleet, "henan-dengfeng", "/", c)
        specials = [link for link in check_links(home, 20, {x.url for x in column_links(home, p.url)})
                    if "/ztzl/" in link.url]
        assert len(specials) == 6
        assert {get(site, fleet, "henan-dengfeng", link.url.split(p.host, 1)[1], c).status for link in specials} == {status}


def test_monitor_inspect_shows_each_planted_case(fleet, site, tmp_path):
    def inspect(pid, path, c):
        saved = tmp_path / "page.html"
        saved.write_bytes(get(site, fleet, pid, path, c).body)
        result = CliRunner().invoke(cli, ["inspect", str(saved), "--url", f"http://{fleet.portals[pid].host}{path}",
                                          "--now", c.now.date().isoformat()])
        assert result.exit_code == 0, result.output
        return result.output, json.loads(result.output)

    decay = clock(fleet, "decay", 21)
    (col, it), = planted_articles(fleet, "henan-zhongmu", decay)
    text, found = inspect("henan-zhongmu", article_url(fleet.portals["henan-zhongmu"], col, it), decay)
    assert found["privacy_counts"]["id_card"] == 12 and all("*" in f["masked"] for f in found["privacy"])
    assert not planted_numbers(site, fleet, decay) & set(re.findall(r"\d{11,19}X?", text))   # masked in the output
    _, found = inspect("hebei-luquan", "/", decay)
    assert {f["kind"] for f in found["harmful"]} >= {"hidden_links", "spam_link"}
    _, found = inspect("hebei-xinji", plants.board_link(fleet.portals["hebei-xinji"])[0].replace("index.html", "index_1.html"),
                       decay)
    assert found["messages"]["layout"] == "table" and any(m["status"] == "unanswered" for m in found["messages"]["messages"])
    _, found = inspect("henan-xinzheng", "/", decay)
    assert [b["text"] for b in found["boards"] if not b["external"]] == ["我要留言"]


def test_only_lists_give_list_entries(fleet, site):
    """An article's sidebar links to its columns would otherwise be stored as entries dated by the
    article, "re-dated" by every newer article the next day (forged_dates on every portal)."""
    from monitor.items import PageItem
    from pipelines.dates import DatesPipeline

    c = clock(fleet, "audit")
    p = fleet.portals["henan-xingyang"]
    (col, it), = planted_articles(fleet, "henan-xingyang", c)
    for kind, path, listed in (("article", article_url(p, col, it), False), ("column", "/tzgg/", True),
                               ("guide", "/bszn/gtgsh.shtml", False)):
        item = PageItem(crawl_id="c", portal_id=p.id, url=f"http://{p.host}{path}", kind=kind,
                        page=page(site, fleet, p.id, path, c))
        DatesPipeline().process_item(item)
        assert bool(item.entries) == listed, kind


# -- real crawls: audit, baseline, two decay crawls ---------------------------------------------------

@pytest.fixture(scope="module")
def crawled(sandbox, tmp_path_factory):
    """The whole fleet crawled as the demo does (portal crawls only: the new rules need no probe or
    release), with the audit crawl as the baseline. Yields (db, crawl ids by label)."""
    db = tmp_path_factory.mktemp("findings") / "m.db"
    crawls = {}
    for label, phase, days in (("audit", "audit", 0), ("decay1", "decay", 21), ("decay2", "decay", 22)):
        now = AUDIT + timedelta(days=days)
        sandbox.set_phase(phase, now)
        proc = crawl_sandbox(sandbox, db, now=now.isoformat())
        assert proc.returncode == 0, proc.stderr[-3000:]
        con = sqlite3.connect(db)
        crawls[label] = con.execute("select id from crawls where spider = 'portal' order by started desc").fetchone()[0]
        con.close()
        if label == "audit":
            assert CliRunner().invoke(cli, ["baseline", "--db", str(db)]).exit_code == 0
    sandbox.set_phase("audit", AUDIT)
    yield db, crawls


def _verdicts(db, crawl_id):
    con = sqlite3.connect(db)
    rows = con.execute("select portal_id, rule, level, evidence from verdicts where crawl_id = ?", [crawl_id]).fetchall()
    con.close()
    return {(pid, rule): (level, json.loads(evidence or "{}")) for pid, rule, level, evidence in rows}


@pytest.mark.slow
def test_every_portal_judged_as_the_fleet_says(crawled):
    db, crawls = crawled
    wrong = []
    for label, phase in (("audit", "audit"), ("decay1", "decay"), ("decay2", "decay")):
        got = _verdicts(db, crawls[label])
        for pid, spec in SPEC.items():
            checks = ((spec.get("expect") or {}).get(phase) or {}).get("checks")
            if not checks:
                continue
            for rule in NEW_RULES:
                level = LEVEL[got[(pid, rule)][0]]
                if level != checks[rule]:
                    wrong.append((label, pid, rule, level, checks[rule], got[(pid, rule)][1].get("reason")))
    assert not wrong, wrong


@pytest.mark.slow
def test_the_evidence_of_each_planted_case(crawled):
    db, crawls = crawled
    audit, decay1, decay2 = (_verdicts(db, crawls[k]) for k in ("audit", "decay1", "decay2"))

    for day in (decay1, decay2):   # the leak is read again the next day, while it is online
        level, ev = day[("henan-zhongmu", "privacy")]
        # 12 + 12 in the page, 30 + 30 in the roster (a scan lists at most 50 findings, counts all)
        assert level == "fail" and set(ev["by_kind"]) == {"id_card", "mobile"} and ev["by_kind"]["id_card"] >= 30
        assert any(p.endswith(".xlsx") for p in ev["pages"]) and any(p.endswith(".html") for p in ev["pages"])
        level, ev = day[("hebei-zhengding", "privacy")]
        assert level == "fail" and set(ev["by_kind"]) == {"id_card", "bank_card"}
        assert all(f["where"] == "attachment:csv" for f in ev["leaked"])
    for day in (audit, decay1, decay2):
        # the clean 公示 are read the day they are new (the audit, the first decay crawl): the office
        # contact's mobile is found and is no leak
        level, ev = day[("henan-xingyang", "privacy")]
        assert level == "ok" and ev["leaks"] == 0 and ev["office_contacts"] == (0 if day is decay2 else 1)
        level, ev = day[("hebei-xinji", "harmful_content")]   # the crackdown notice, read at the audit
        assert level == "ok" and ev["not_counted"] == (4 if day is audit else 0)
        level, ev = day[("hebei-xinji", "interaction")]
        assert level == "fail" and ev["overdue"] == 1 and ev["overdue_messages"][0]["days"] >= 120
        assert ev["messages"] >= 40 and ev["closure"] >= 0.95
        level, ev = day[("henan-xinmi", "interaction")]
        assert level == "ok" and ev["open"] >= 1 and ev["overdue"] == 0
    level, ev = decay1[("hebei-luquan", "harmful_content")]
    assert level == "fail" and {"hidden_links", "spam_link"} <= set(ev["by_kind"])
    assert audit[("henan-xinzheng", "interaction")][0] == "ok"
    level, ev = decay1[("henan-xinzheng", "interaction")]
    assert level == "fail" and ev["overdue_messages"][0]["days"] == 101
    for day in (decay1, decay2):
        level, ev = day[("hebei-zhaoxian", "forged_dates")]
        assert level == "fail" and ev["redated_entries"] >= 20 and ev["redated_lists"] >= 1
        level, ev = day[("henan-dengfeng", "dead_links")]
        assert level == "fail" and ev["by_reason"] == {"http_404": 6}
        for pid in ("henan-xingyang", "henan-xinmi"):
            level, ev = day[(pid, "copied_guides")]
            assert level == "fail" and ev["pairs"][0]["source_portal"] == "henan-xinzheng"
            assert "新郑市" in ev["pairs"][0]["foreign_names"]
        level, ev = day[("henan-xinzheng", "copied_guides")]
        assert level == "ok" and ev["copied_by"] == 2
    assert audit[("hebei-zhaoxian", "forged_dates")][1]["none_failed"] is True


@pytest.mark.slow
def test_regressions_of_the_new_rules_are_the_planted_ones(crawled):
    db, _ = crawled
    runner = CliRunner(env={"MONITOR_NOW": (AUDIT + timedelta(days=23)).isoformat()})
    result = runner.invoke(cli, ["regressions", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    found = {(r["portal_id"], r["check"]) for r in json.loads(result.output) if r["check"] in NEW_RULES}
    planted = {(pid, check) for pid, spec in SPEC.items() for check in spec.get("regressions", ())
               if check in NEW_RULES}
    assert found == planted


@pytest.mark.slow
def test_stored_pages_and_evidence_show_numbers_masked_only(crawled, tmp_path):
    db, crawls = crawled
    con = sqlite3.connect(db)
    url = con.execute("select url from fetches where crawl_id = ? and portal_id = 'henan-zhongmu' and kind = 'article' "
                      "and link_text like '%最低生活保障%'", [crawls["decay1"]]).fetchone()[0]
    con.close()
    saved = tmp_path / "evidence.html"
    result = CliRunner().invoke(cli, ["evidence", "henan-zhongmu", "--db", str(db), "--crawl", crawls["decay1"],
                                      "--url", url, "-o", str(saved)])
    assert result.exit_code == 0, result.output
    stored = saved.read_bytes().decode("utf-8")
    assert "最低生活保障" in stored and len(re.findall(r"410122\*{8}\d{3}[\dX]", stored)) == 12
    assert len(re.findall(r"1[3-9]\d\*{4}\d{4}", stored)) == 12
    shown = CliRunner().invoke(cli, ["inspect", str(saved), "--url", url, "--now", "2026-12-11"])
    assert shown.exit_code == 0 and json.loads(shown.output)["privacy"] == []   # nothing whole left to find
    assert not re.search(r"\d{17}[\dX]", stored)


@pytest.mark.slow
def test_no_whole_personal_number_in_the_store_or_the_exports(crawled, fleet, site, tmp_path):
    db, _ = crawled
    numbers = planted_numbers(site, fleet, clock(fleet, "decay", 21)) | planted_numbers(site, fleet, clock(fleet, "decay", 22))
    assert len(numbers) == 144   # 42 IDs and 42 mobiles (zhongmu), 30 IDs and 30 bank cards (zhengding)
    haystacks = {}
    for suffix in ("", "-wal", "-shm"):
        path = db.parent / (db.name + suffix)
        if path.exists():
            haystacks[path.name] = path.read_bytes()
    con = sqlite3.connect(db)
    haystacks["dump"] = "\n".join(con.iterdump()).encode("utf-8")
    haystacks["bodies"] = b"\n".join(zlib.decompress(d) for (d,) in con.execute("select data from bodies"))
    haystacks["guides"] = b"\n".join(zlib.decompress(d) for (d,) in con.execute("select data from guide_texts"))
    for table, column in (("portal_crawls", "privacy"), ("verdicts", "evidence"), ("fetches", "link_text"),
                          ("entries", "title")):
        haystacks[f"{table}.{column}"] = "\n".join(str(v) for (v,) in con.execute(
            f"select {column} from {table}")).encode("utf-8")
    con.close()
    runner = CliRunner(env={"MONITOR_NOW": (AUDIT + timedelta(days=23)).isoformat()})
    for fmt in ("csv", "json", "xlsx"):
        out = tmp_path / f"regressions.{fmt}"
        assert runner.invoke(cli, ["regressions", "--db", str(db), "--format", fmt, "-o", str(out)]).exit_code == 0
        haystacks[out.name] = out.read_bytes() if fmt != "xlsx" else _xlsx_strings(out.read_bytes()).encode()
    report = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", "--db", str(db), "--since", "2026-11-21", "--until", "2026-12-13",
                                 "-o", str(report)])
    assert result.exit_code == 0, result.output
    haystacks["report.html"] = report.read_bytes()
    summary = runner.invoke(cli, ["summary", "--db", str(db), "--format", "json"])
    haystacks["summary"] = summary.output.encode()
    found = {(name, n) for name, data in haystacks.items() for n in numbers if n.encode() in data}
    assert not found, sorted(found)[:10]
    # the findings themselves are there, masked
    assert re.search(rb"410122\*{8}\d{3}[\dX]", haystacks["portal_crawls.privacy"])
    assert re.search(rb"6\d{3}\*{11}\d{4}", haystacks["portal_crawls.privacy"])

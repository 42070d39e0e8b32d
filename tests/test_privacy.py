"""Personal data: the labelled gate (every planted number found, nothing on the clean pages), the
checks one by one, masking, attachments, and bad input."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from monitor.extract.page import Page
from monitor.extract.privacy import (attachment_links, classify, find_personal_data, is_bank_card, is_id15, is_id18, leaks,
                                     mask, redact, scan_attachment, scan_text)

HERE = Path(__file__).parent / "fixtures" / "privacy"
LABELS = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(LABELS["now"])
KINDS = ("id_card", "mobile", "bank_card")
#: every run of 11+ digits in the fixtures: none may appear whole in any output
RAW_RE = re.compile(rb"[0-9]{11,19}[Xx]?")


def _page(name: str) -> Page:
    label = LABELS["pages"][name]
    return Page.from_bytes((HERE / "pages" / name).read_bytes(), url=label["url"], now=NOW)


@pytest.mark.parametrize("name", sorted(LABELS["pages"]))
def test_labelled_pages(name):
    label = LABELS["pages"][name]
    report = find_personal_data(_page(name))
    assert report.error is None
    assert {k: report.counts[k] for k in KINDS} == {k: label[k] for k in KINDS}
    assert len(leaks(report.findings)) == label["leaks"]
    assert all(f.url == label["url"] for f in report.findings)


@pytest.mark.parametrize("name", sorted(LABELS["files"]))
def test_labelled_attachments(name):
    label = LABELS["files"][name]
    report = scan_attachment((HERE / "files" / name).read_bytes(), name=name, url="u", now=NOW)
    assert report.error is None
    assert {k: report.counts[k] for k in KINDS} == {k: label[k] for k in KINDS}
    assert len(leaks(report.findings)) == label["leaks"]
    assert all(f.where.startswith("attachment:") for f in report.findings)


def test_floors_every_planted_number_found_and_clean_pages_clean():
    planted = found = 0
    for name, label in LABELS["pages"].items():
        report = find_personal_data(_page(name))
        planted += label["leaks"]
        found += len(leaks(report.findings))
        if label["leaks"] == 0:
            assert leaks(report.findings) == [], name
    for name, label in LABELS["files"].items():
        report = scan_attachment((HERE / "files" / name).read_bytes(), name=name, now=NOW)
        planted += label["leaks"]
        found += len(leaks(report.findings))
    assert found == planted == 55


def test_no_full_number_ever_leaves_the_module():
    for folder in ("pages", "files"):
        for path in (HERE / folder).iterdir():
            data = path.read_bytes()
            if path.suffix == ".html":
                report = find_personal_data(Page.from_bytes(data, url="https://x.gov.cn/", now=NOW))
            else:
                report = scan_attachment(data, name=path.name, now=NOW)
            shown = json.dumps(report.to_json(), ensure_ascii=False)
            raw = set(RAW_RE.findall(data))
            if path.suffix in (".xlsx", ".docx"):  # compressed: read the numbers from the text instead
                raw = {n.encode() for f in report.findings for n in [f.masked.replace("*", "")]}
            for number in raw:
                text = number.decode()
                assert text not in shown or len(text) < 11, (path.name, text)
            for f in report.findings:
                assert "*" in f.masked and not re.search(r"[0-9]{8,}", f.context)


# -- the checks ------------------------------------------------------------------------------------

VALID_ID = "11010519491231002X"  # the GB 11643 example (check digit X)


def test_id18_checks():
    assert is_id18(VALID_ID) and classify(VALID_ID) == "id_card"
    assert is_id18(VALID_ID.lower())
    assert not is_id18(VALID_ID[:-1] + "3")  # wrong check digit
    assert not is_id18("990105194912310021")  # no such province
    assert not is_id18("110105194913310020")  # no 13th month
    assert not is_id18("110105189912310029")  # before 1900
    assert not is_id18("110105203012310025", today=date(2024, 10, 20))  # born in the future
    assert not is_id18("12410000415800050X")  # a 统一社会信用代码 of digits: no division 124100


def test_id15_and_mobiles_and_cards():
    assert is_id15("110105491231002") and not is_id15("110105491331002")
    assert classify("13812345678") == "mobile" and classify("12812345678") is None
    assert is_bank_card("4111111111111111")  # Visa test number
    assert not is_bank_card("4111111111111112")  # Luhn fails
    assert not is_bank_card("8111111111111119")  # no card BIN


@pytest.mark.parametrize("text,counts", [
    ("电话：0371-12345678，热线 12345、12315，400-810-1234", (0, 0, 0)),
    ("编号 138123456789 与 2138123456 与 A13812345678 与 13812345678B", (0, 0, 0)),  # longer runs
    ("手机 138 1234 5678 与 139-8765-4321", (0, 2, 0)),
    ("卡号 4111 1111 1111 1111", (0, 0, 1)),
    ("全角 １３８１２３４５６７８", (0, 1, 0)),
    (f"订单号：{VALID_ID} 流水号：4111111111111111", (0, 0, 0)),
    (f"身份证 {VALID_ID}，{VALID_ID} 重复", (1, 0, 0)),
])
def test_scan_text_cases(text, counts):
    report = scan_text(text, NOW)
    assert tuple(report.counts[k] for k in KINDS) == counts, report.to_json()


def test_luhn_agrees_with_stdnum():
    import random

    from stdnum import luhn

    from monitor.extract.privacy import luhn_ok
    rng = random.Random(5)
    for _ in range(2000):
        number = str(rng.randint(10 ** 15, 10 ** 19 - 1))
        assert luhn_ok(number) == luhn.is_valid(number)


def test_masks_and_contacts():
    assert mask("id_card", VALID_ID) == "110105********002X"
    assert mask("id_card", "110105491231002") == "110105*****1002"
    assert mask("mobile", "13812345678") == "138****5678"
    assert mask("bank_card", "4111111111111111") == "4111********1111"
    report = scan_text("联系人：王老师，联系电话：13812345678。市民李某 13987654321 反映", NOW)
    contact = {f.masked: f.contact for f in report.findings}
    assert contact == {"138****5678": True, "139****4321": False}
    assert [f.masked for f in leaks(report.findings)] == ["139****4321"]
    many = scan_text("联系电话：" + "，联系电话：".join(f"1381234{i:04d}" for i in range(6)), NOW)
    assert len(leaks(many.findings, mobile_bulk=5)) == 6 and leaks(many.findings, mobile_bulk=7) == []


def test_findings_are_capped_but_counts_complete():
    text = " ".join(f"1381234{i:04d}" for i in range(80))
    report = scan_text(text, NOW, limit=10)
    assert len(report.findings) == 10 and report.counts["mobile"] == 80


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("data,name", [
    (b"", "a.txt"), (b"\xff\xfe\x00garbage", "a.csv"), (b"PK\x03\x04broken zip", "a.xlsx"),
    (b"not a spreadsheet", "a.xlsx"), (b"PK\x03\x04", "a.docx"), (b"\xd0\xcf\x11\xe0broken", "a.xls"),
    (b"%PDF-1.4", "a.pdf"), (b"x" * 3_000_001, "big.txt"),
])
def test_attachments_never_raise(data, name):
    report = scan_attachment(data, name=name)
    assert report.findings == () and (report.error or not data or name.endswith((".txt", ".csv")))


def test_zip_bomb_is_not_inflated():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * 30_000_000 + b"</w:document>")
    data = buffer.getvalue()
    assert len(data) < 200_000
    report = scan_attachment(data, name="bomb.docx", max_bytes=1_000_000)
    assert report.error is not None and "inflates" in report.error


@pytest.mark.parametrize("html", ["", "<html>", "\x00\x01", "<p>" * 5000, "<?xml version='1.0'?><a>1</a>"])
def test_pages_never_raise(html):
    report = find_personal_data(Page(html, now=NOW))
    assert report.counts == {k: 0 for k in KINDS}


def test_redact_masks_in_place():
    text = f"反映问题（{VALID_ID}，138 1234 5678，4111111111111111，0371-12345678，订单号{VALID_ID}）"
    assert redact(text) == ("反映问题（110105********002X，138****5678，4111********1111，0371-12345678，"
                            "订单号110105********002X）")
    assert redact("") == "" and redact("无数字") == "无数字"


def test_attachment_links_same_host_only():
    page = Page('<a href="/files/名单.xlsx">名单</a><a href="a.docx">a</a><a href="/x.pdf">pdf</a>'
                '<a href="https://other.gov.cn/b.csv">b</a><a href="http://example.gov.cn/c.txt?v=1">c</a>',
                url="https://www.example.gov.cn/news/1.html")
    assert attachment_links(page) == ["https://www.example.gov.cn/files/名单.xlsx",
                                      "https://www.example.gov.cn/news/a.docx",
                                      "http://example.gov.cn/c.txt?v=1"]


def test_grouped_ids_a_persons_own_contact_and_an_office_table():
    from monitor.extract.privacy import is_id18
    ident = next(f"11010119900307{n:03d}{c}" for n in range(1000) for c in "0123456789X"
                 if is_id18(f"11010119900307{n:03d}{c}"))
    grouped = f"{ident[:6]} {ident[6:14]} {ident[14:]}"
    report = scan_text(f"身份证号：{grouped}。被征收人联系电话：13912345678。咨询电话：13812345678", NOW)
    assert report.counts["id_card"] == 1
    contacts = {f.masked: f.contact for f in report.findings if f.kind == "mobile"}
    assert contacts == {"139****5678": False, "138****5678": True}
    office = ("<table><tr><td>部门</td><td>办公电话</td><td>咨询电话</td></tr>"
              "<tr><td>民政局</td><td>0371-62171234</td><td>13555511792</td></tr></table>")
    roster = ("<table><tr><td>姓名</td><td>联系电话</td></tr>"
              "<tr><td>张三</td><td>13555511792</td></tr></table>")
    for html, leaked in ((office, 0), (roster, 1)):
        page = Page.from_bytes(f"<html><body>{html}</body></html>".encode(), url="https://x.gov.cn/", now=NOW)
        assert len(leaks(find_personal_data(page).findings)) == leaked
